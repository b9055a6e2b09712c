package io.lakemesh.contracts.validate;

import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.Threshold;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The contract's quality rules that judge a whole batch rather than one row: library metrics with a threshold
 * other than "no offender at all" ({@code mustBeLessThan: 5, unit: percent}), {@code duplicateValues}, and
 * {@code rowCount}. Row-level offenders of these rules are kept (as warnings) and counted; this class compares the
 * counts of a batch with each rule's threshold.
 */
public final class BatchChecks {

  /** One batch-level rule and what it measures. */
  public record Check(QualityRule.Library rule) {
    public String name() {
      return rule.name();
    }

    public Severity severity() {
      return rule.severity();
    }
  }

  /** The verdict of one rule on one batch. */
  public record Verdict(String rule, Severity severity, boolean passed, BigDecimal measured, String message) {}

  /** What a batch was, as the checks need it. */
  /**
   * @param rows rows the batch adds (after deduplication by primary key)
   * @param duplicatesOf for a property path, how many of the batch's rows repeat a value another row of the batch
   *     has; the primary key has none by construction (the stage drops re-sent events)
   */
  public record BatchFacts(long rows, long tableRows, Map<String, Long> offendersByRule,
      java.util.function.ToLongFunction<List<String>> duplicatesOf) {}

  private final List<Check> checks;
  private final java.util.Set<String> primaryKey;

  private BatchChecks(List<Check> checks, java.util.Set<String> primaryKey) {
    this.checks = checks;
    this.primaryKey = primaryKey;
  }

  /**
   * Whether a {@code duplicateValues} rule judges the primary key (on the object without
   * {@code arguments.properties}, or naming exactly the key's columns): silver keeps it unique, so it is always met.
   */
  public static boolean judgesPrimaryKey(QualityRule.Library rule, Contract contract) {
    return judgesKey(rule, keyOf(contract));
  }

  private static boolean judgesKey(QualityRule.Library rule, java.util.Set<String> key) {
    return !key.isEmpty() && (rule.columns().isEmpty() || new java.util.HashSet<>(rule.columns()).equals(key));
  }

  private static java.util.Set<String> keyOf(Contract contract) {
    java.util.Set<String> key = new java.util.HashSet<>();
    contract.primaryKey().forEach(f -> key.add(f.name()));
    return java.util.Set.copyOf(key);
  }

  public static BatchChecks of(Contract contract) {
    List<Check> checks = new ArrayList<>();
    for (QualityRule r : contract.table().quality()) {
      if (r instanceof QualityRule.Library lib && isBatchLevel(lib)) {
        checks.add(new Check(lib));
      }
    }
    collect(contract.table().fields(), checks);
    return new BatchChecks(List.copyOf(checks), keyOf(contract));
  }

  /** The batch-level rules of these properties, also of those inside objects and array items. */
  private static void collect(List<Field> fields, List<Check> checks) {
    for (Field f : fields) {
      for (QualityRule r : f.quality()) {
        if (r instanceof QualityRule.Library lib && isBatchLevel(lib)) {
          checks.add(new Check(lib));
        }
      }
      collect(f.properties(), checks);
      if (f.items() != null) {
        collect(List.of(f.items()), checks);
      }
    }
  }

  /**
   * A library rule is judged per batch when one offending row does not by itself break it, and always for
   * {@code duplicateValues} and {@code rowCount}, which only make sense over many rows.
   */
  public static boolean isBatchLevel(QualityRule.Library lib) {
    return switch (lib.metric()) {
      case "duplicateValues", "rowCount" -> true;
      case "nullValues", "missingValues", "invalidValues" -> !lib.rejectsAnyOffender();
      default -> false;
    };
  }

  public List<Check> checks() {
    return checks;
  }

  public List<Verdict> evaluate(BatchFacts facts) {
    List<Verdict> verdicts = new ArrayList<>(checks.size());
    for (Check c : checks) {
      QualityRule.Library rule = c.rule();
      long base;
      long count;
      switch (rule.metric()) {
        case "duplicateValues" -> {
          // the primary key, which deduplication keeps unique, has none; other columns are counted together
          base = facts.rows();
          count = judgesKey(rule, primaryKey) || rule.columns().isEmpty() ? 0
              : facts.duplicatesOf().applyAsLong(rule.columns());
        }
        case "rowCount" -> {
          base = 1;
          count = facts.tableRows();
        }
        default -> {
          base = facts.rows();
          count = facts.offendersByRule().getOrDefault(rule.name(), 0L);
        }
      }
      BigDecimal measured = rule.percent() && !rule.metric().equals("rowCount")
          ? (base == 0 ? BigDecimal.ZERO
              : BigDecimal.valueOf(count * 100L).divide(BigDecimal.valueOf(base), MathContext.DECIMAL64))
          : BigDecimal.valueOf(count);
      boolean passed = rule.threshold().accepts(measured);
      String unit = rule.percent() ? "%" : "";
      verdicts.add(new Verdict(rule.name(), rule.severity(), passed, measured,
          rule.metric() + (rule.field() == null ? "" : " of " + rule.field()) + " = " + measured.toPlainString()
              + unit + (passed ? " meets " : " breaks ") + describe(rule.threshold())));
    }
    return verdicts;
  }

  private static String describe(Threshold t) {
    return switch (t.operator()) {
      case MUST_BE -> "mustBe " + t.value().toPlainString();
      case MUST_NOT_BE -> "mustNotBe " + t.value().toPlainString();
      case GREATER_THAN -> "mustBeGreaterThan " + t.value().toPlainString();
      case GREATER_OR_EQUAL -> "mustBeGreaterOrEqualTo " + t.value().toPlainString();
      case LESS_THAN -> "mustBeLessThan " + t.value().toPlainString();
      case LESS_OR_EQUAL -> "mustBeLessOrEqualTo " + t.value().toPlainString();
      case BETWEEN -> "mustBeBetween [" + t.value().toPlainString() + ", " + t.upper().toPlainString() + "]";
      case NOT_BETWEEN -> "mustNotBeBetween [" + t.value().toPlainString() + ", " + t.upper().toPlainString()
          + "]";
    };
  }
}
