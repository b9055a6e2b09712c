package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.validate.RowValidator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The closures of {@link CompiledPredicate} against the CEL interpreter, the reference: on generated rows (absent
 * values, extremes, empty and null-holding lists included), whenever the closures answer, the interpreter gives the
 * same answer and no error. Covers every CEL rule of the retail domain's contracts and of the test contracts, plus
 * expressions that exercise the rest of the supported subset.
 */
class CompiledPredicateTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  /** Expressions over all-types.odcs.yaml beyond its own rules. */
  private static final List<String> EXTRA = List.of(
      "count + 1 > count", "count * 3 - 7 <= big", "count / 2 == 3 || count % 3 != 1", "-count < 0",
      "big * big >= 0", "ratio / 2.0 < ratio", "ratio == 1.5", "-ratio <= 0.0", "ratio != 0.0",
      "double(count) * 0.5 >= 10.0", "abs(count - 500) < 300", "abs(ratio) > 1.0",
      "size(lines) > 1 && lines.exists(l, l.qty > 2)", "lines.exists_one(l, l.sku == 'A-1')",
      "lines.filter(l, l.qty > 1).size() >= 1", "size(lines.map(l, l.amount)) == size(lines)",
      "sum(lines.map(l, double(l.qty) * l.amount)) <= 1000.0", "lines.all(l, l.amount >= 0.0)",
      "has(row.label) ? label == 'x' : true", "!has(row.ratio) || ratio > 0.0", "has(address.floor)",
      "address.floor > 2", "has(row.address) && address.zip == '1000'", "size(code) > 2", "code + kind != ''",
      "active && count > 0", "!active || at > now", "at + duration('1h') > now", "at - duration('90s') < now",
      "now + duration('10ms') >= at", "day < '2026-01-01'", "day == '2026-11-25'", "[1, 2, count].size() == 3",
      "opens == '10:15:00'", "code in ['A', 'B']", "at == now", "count == big", "label.startsWith('a')",
      "size(lines.map(l, lines.map(m, m.qty + l.qty))) == size(lines)",
      "sum(lines.map(l, l.amount).map(a, a * 2.0)) >= 0.0", "lines.map(l, [l.qty, count]).size() > 0",
      // quantifiers and sums as direct loops: nested, over errors (a division by zero), deciding early or not
      "lines.all(l, l.qty > 0 && l.amount > 0.0)", "lines.exists(l, l.amount < 0.0) || count > 0",
      "lines.all(l, lines.exists(m, m.qty >= l.qty))", "lines.exists(l, l.qty / (l.qty - l.qty) > 1)",
      "lines.all(l, l.qty / (count - count) > 1)", "!lines.exists(l, l.sku == 'A-1')",
      "sum(lines.map(l, l.amount)) - sum(lines.map(l, l.amount * 1.0)) == 0.0",
      "sum(lines.map(l, l.amount / double(count))) >= 0.0");

  record Case(String contract, String expression, RowPredicate predicate, Schema schema) {}

  private static final List<Case> CASES = cases();

  private static List<Case> cases() {
    Map<String, Contract> contracts = new LinkedHashMap<>();
    try {
      for (Path dir : List.of(Path.of("..", "domains", "retail", "contracts"),
          Path.of(CompiledPredicateTest.class.getResource("/contracts").toURI()),
          Path.of(CompiledPredicateTest.class.getResource("/corpus/valid").toURI()))) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path file : files.filter(p -> p.toString().endsWith(".odcs.yaml")).sorted().toList()) {
            List<Contract> products = ContractParser.parseAll(file);
            for (Contract c : products) {
              contracts.put(file.getFileName() + (products.size() == 1 ? "" : " " + c.id()), c);
            }
          }
        }
      }
      List<Case> out = new ArrayList<>();
      for (Map.Entry<String, Contract> c : contracts.entrySet()) {
        RowExpressions env = RowExpressions.forFields(c.getValue().table().fields());
        Schema schema = IcebergMapping.schema(c.getValue());
        List<String> expressions = new ArrayList<>();
        for (QualityRule.Cel rule : RowValidator.celRules(c.getValue())) {
          expressions.add(rule.expression());
        }
        if (c.getKey().equals("all-types.odcs.yaml")) {
          expressions.addAll(EXTRA);
        }
        for (String e : expressions) {
          out.add(new Case(c.getKey(), e, env.compile(e), schema));
        }
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 3000)
  @StatisticsReport(label = "closures answer", onFailureOnly = true)
  void theClosuresAgreeWithTheInterpreter(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    for (Case c : CASES) {
      Record row = row(c.schema().asStruct(), random);
      Boolean compiled = c.predicate().testCompiled(row, NOW);
      // once per case and try, so a case's share of all these is its share of the tries
      Statistics.label("closures answer").collect(c.contract() + ": " + c.expression(), compiled != null);
      if (compiled == null) {
        Statistics.label("answered").collect(c.predicate().isCompiled() ? "interpreter" : "not compiled");
        continue;
      }
      Statistics.label("answered").collect("closures");
      boolean interpreted;
      try {
        interpreted = c.predicate().interpret(row, NOW);
      } catch (CelEvaluationException e) {
        throw new AssertionError(c.expression() + ": closures say " + compiled + ", interpreter fails on " + row, e);
      }
      assertEquals(interpreted, compiled, () -> c.contract() + ": " + c.expression() + " on " + row);
    }
    // The agreement holds trivially where the closures decline (null), so check they mostly answer: overall, and
    // for each rule of the contracts on at least half of its rows. Only some of the extra expressions are meant to
    // be declined always (equality with 0.0, which the closures leave to the interpreter for -0.0).
    Statistics.label("answered").coverage(c -> c.check("closures").percentage(p -> p >= 50.0));
    Statistics.label("closures answer").coverage(coverage -> {
      for (Case c : CASES) {
        if (!EXTRA.contains(c.expression())) {
          coverage.check(c.contract() + ": " + c.expression(), true)
              .count((Integer answered, Integer all) -> answered * 2L * CASES.size() >= all);
        }
      }
    });
  }

  @Property(tries = 1)
  void everyRuleOfTheContractsIsCompiled() {
    for (Case c : CASES) {
      boolean extra = EXTRA.contains(c.expression());
      if (!extra) {
        assertTrue(c.predicate().isCompiled(), c.contract() + ": " + c.expression());
      }
    }
    // and of the extra ones, all but those outside the subset (in, string order and functions)
    List<String> notCompiled = CASES.stream().filter(c -> !c.predicate().isCompiled())
        .map(Case::expression).toList();
    assertEquals(List.of("day < '2026-01-01'", "code in ['A', 'B']", "label.startsWith('a')"), notCompiled);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // rows: every value an Iceberg generic row can hold for the contract's schema, with absent values and extremes

  private static Record row(Types.StructType struct, SplittableRandom r) {
    GenericRecord record = GenericRecord.create(struct);
    for (int i = 0; i < struct.fields().size(); i++) {
      Types.NestedField f = struct.fields().get(i);
      boolean absent = r.nextInt(100) < (f.isOptional() ? 15 : 3);
      record.set(i, absent ? null : value(f.type(), r));
    }
    return record;
  }

  private static Object value(Type type, SplittableRandom r) {
    return switch (type.typeId()) {
      case STRING -> pick(r, "", "A", "B", "A-1", "x", "1000", "10:15", "NCR", "é", "\uD83D\uDE00", "a b");
      case BOOLEAN -> r.nextBoolean();
      case INTEGER -> r.nextInt(4) == 0
          ? pick(r, 0, 1, -1, 2, 3, 899, 900, Integer.MAX_VALUE, Integer.MIN_VALUE) : r.nextInt(-1000, 1000);
      case LONG -> r.nextInt(4) == 0
          ? pick(r, 0L, 1L, -1L, 3L, Long.MAX_VALUE, Long.MIN_VALUE, 3_037_000_500L) : r.nextLong(-1000, 1000);
      case DOUBLE -> r.nextInt(3) == 0
          ? pick(r, 0.0, -0.0, 1.5, -2.25, 1e308, -1e308, Double.MIN_VALUE, 1e-9) : r.nextDouble(-1000, 1000);
      case FLOAT -> (float) r.nextDouble(-1000, 1000);
      case DECIMAL -> decimal((Types.DecimalType) type, r);
      case DATE -> LocalDate.of(2026, 1, 1).plusDays(r.nextInt(-400, 400));
      case TIME -> LocalTime.of(r.nextInt(24), r.nextInt(60), r.nextInt(2) * 15);
      case TIMESTAMP -> r.nextInt(10) == 0
          ? pick(r, OffsetDateTime.of(1, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC),
              OffsetDateTime.of(9999, 12, 31, 23, 59, 59, 999_999_000, ZoneOffset.UTC),
              NOW.atOffset(ZoneOffset.UTC))
          : NOW.plusMillis(r.nextLong(-3_600_000, 3_600_000)).atOffset(ZoneOffset.UTC);
      case STRUCT -> row(type.asStructType(), r);
      case LIST -> {
        int n = r.nextInt(5);
        List<Object> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          boolean nullItem = type.asListType().isElementOptional() && r.nextInt(10) == 0;
          items.add(nullItem ? null : value(type.asListType().elementType(), r));
        }
        yield items;
      }
      default -> throw new IllegalArgumentException("no generator for " + type);
    };
  }

  private static BigDecimal decimal(Types.DecimalType type, SplittableRandom r) {
    int digits = r.nextInt(4) == 0 ? type.precision() : Math.min(type.precision(), 5);
    BigInteger unscaled = BigInteger.valueOf(r.nextLong(0, (long) Math.pow(10, Math.min(digits, 18))));
    if (r.nextInt(4) == 0) {
      unscaled = unscaled.negate();
    }
    return new BigDecimal(unscaled, type.scale());
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom r, T... options) {
    return options[r.nextInt(options.length)];
  }
}
