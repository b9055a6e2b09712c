package io.lakemesh.contracts.evolution;

import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.TypeOptions;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Compares the value constraints of one field in two contract versions: bounds, lengths, item counts, patterns,
 * formats, uniqueness and the valid values of {@code invalidValues} rules. Tighter is breaking (values the running
 * contract accepts would be quarantined), looser is compatible.
 */
final class Constraints {
  private static final List<Function<String, Comparable<?>>> VALUE_FORMS = List.of(
      BigDecimal::new,
      s -> OffsetDateTime.parse(s).toInstant(),
      LocalDateTime::parse,
      LocalDate::parse,
      LocalTime::parse);

  private final String path;
  private final List<Change> out;

  private Constraints(String path, List<Change> out) {
    this.path = path;
    this.out = out;
  }

  /**
   * Adds the constraint changes of one field to {@code out}.
   *
   * @param formatIsConstraint false when the format only selects the storage type (numbers), whose change is
   *     judged as a type change
   */
  static void compare(String path, Field before, Field after, boolean formatIsConstraint, List<Change> out) {
    Constraints c = new Constraints(path, out);
    TypeOptions o = before.options();
    TypeOptions n = after.options();
    if (before.type() == LogicalType.TIMESTAMP && after.type() == LogicalType.TIMESTAMP) {
      // bounds may be written in any form a timestamp is read in: compare the instants they name
      o = instants(before);
      n = instants(after);
      c.zone(before.options().defaultTimezone(), after.options().defaultTimezone());
    }
    c.lowerBound(lower(o), lower(n));
    c.upperBound(upper(o), upper(n));
    c.minimum("minLength", o.minLength(), n.minLength());
    // varchar(n) counts as maxLength n; named as written when a physical type set it
    boolean physical = before.options().maxLength() == null && before.physicalLength().isPresent()
        || after.options().maxLength() == null && after.physicalLength().isPresent();
    c.maximum("maxLength", before.maxLength(), after.maxLength(), physical ? " (physicalType "
        + orNone(before.physicalType()) + " -> " + orNone(after.physicalType()) + ")" : "");
    c.minimum("minItems", o.minItems(), n.minItems());
    c.maximum("maxItems", o.maxItems(), n.maxItems(), "");
    c.minimum("minProperties", o.minProperties(), n.minProperties());
    c.maximum("maxProperties", o.maxProperties(), n.maxProperties(), "");
    c.requiredMembers(o.requiredProperties(), n.requiredProperties());
    c.multipleOf(o.multipleOf(), n.multipleOf());
    c.flag("uniqueItems", o.uniqueItems(), n.uniqueItems());
    if (before.unique() != after.unique()) {
      // ODCS's unique is documentation to Lakemesh (nothing checks it), so declaring it refuses no value
      c.widened("'" + c.path + "' " + (after.unique() ? "is declared unique" : "is no longer declared unique")
          + " (documentation: Lakemesh does not check it; a primary key deduplicates, a duplicateValues rule counts"
          + " repeats)");
    }
    if (before.type() == LogicalType.TIMESTAMP && after.type() == LogicalType.TIMESTAMP) {
      c.timestampFormat(o.format(), n.format());
    } else if (formatIsConstraint) {
      c.format(o.format(), n.format());
    } else if (before.type() == LogicalType.INTEGER && after.type() == LogicalType.INTEGER) {
      c.integerRange(io.lakemesh.contracts.validate.IntegerFormat.of(before),
          io.lakemesh.contracts.validate.IntegerFormat.of(after), o, !Objects.equals(o.format(), n.format()));
    }
    c.patterns(patterns(before), patterns(after));
    c.validValues(validValues(before), validValues(after));
  }

  /** A bound of a range: the value and whether the value itself is excluded. */
  private record Bound(String value, boolean exclusive) {
    String below() {
      return (exclusive ? "< " : "<= ") + value;
    }

    String above() {
      return (exclusive ? "> " : ">= ") + value;
    }
  }

  private static Bound lower(TypeOptions o) {
    return stricter(o.minimum() == null ? null : new Bound(o.minimum(), false),
        o.exclusiveMinimum() == null ? null : new Bound(o.exclusiveMinimum(), true), 1);
  }

  private static Bound upper(TypeOptions o) {
    return stricter(o.maximum() == null ? null : new Bound(o.maximum(), false),
        o.exclusiveMaximum() == null ? null : new Bound(o.exclusiveMaximum(), true), -1);
  }

  /** Of an inclusive and an exclusive bound, the one that refuses more; {@code direction} 1 for lower bounds. */
  private static Bound stricter(Bound inclusive, Bound exclusive, int direction) {
    if (inclusive == null || exclusive == null) {
      return inclusive == null ? exclusive : inclusive;
    }
    Optional<Integer> c = compareValues(exclusive.value(), inclusive.value());
    return c.isPresent() && c.get() * direction < 0 ? inclusive : exclusive;
  }

  private void lowerBound(Bound before, Bound after) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before == null) {
      narrowed("'" + path + "' gets a lower bound: " + after.above());
    } else if (after == null) {
      widened("'" + path + "' loses its lower bound (was " + before.above() + ")");
    } else {
      Optional<Integer> c = compareValues(after.value(), before.value());
      change(c.map(v -> v != 0 ? v : Boolean.compare(after.exclusive(), before.exclusive())),
          "lower bound of '" + path + "'", before.above(), after.above());
    }
  }

  private void upperBound(Bound before, Bound after) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before == null) {
      narrowed("'" + path + "' gets an upper bound: " + after.below());
    } else if (after == null) {
      widened("'" + path + "' loses its upper bound (was " + before.below() + ")");
    } else {
      Optional<Integer> c = compareValues(before.value(), after.value());
      change(c.map(v -> v != 0 ? v : Boolean.compare(after.exclusive(), before.exclusive())),
          "upper bound of '" + path + "'", before.below(), after.below());
    }
  }

  /** {@code tighter}: positive when the new bound refuses more, empty when the two cannot be compared. */
  private void change(Optional<Integer> tighter, String what, String before, String after) {
    if (tighter.isEmpty()) {
      narrowed(what + " changes from " + before + " to " + after);
    } else if (tighter.get() > 0) {
      narrowed(what + " tightens from " + before + " to " + after);
    } else if (tighter.get() < 0) {
      widened(what + " relaxes from " + before + " to " + after);
    }
  }

  /** A lower limit such as minLength: absent means 0. */
  private void minimum(String option, Integer before, Integer after) {
    int b = before == null ? 0 : before;
    int a = after == null ? 0 : after;
    if (a > b) {
      narrowed(option + " of '" + path + "' rises from " + b + " to " + a);
    } else if (a < b) {
      widened(option + " of '" + path + "' falls from " + b + " to " + a);
    }
  }

  private static String orNone(String physicalType) {
    return physicalType == null ? "none" : physicalType.strip();
  }

  /** An upper limit such as maxLength: absent means unlimited; {@code why} ends the sentence (where it came from). */
  private void maximum(String option, Integer before, Integer after, String why) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before == null) {
      narrowed("'" + path + "' gets " + option + " " + after + why);
    } else if (after == null) {
      widened("'" + path + "' drops " + option + " (was " + before + ")" + why);
    } else if (after < before) {
      narrowed(option + " of '" + path + "' falls from " + before + " to " + after + why);
    } else {
      widened(option + " of '" + path + "' rises from " + before + " to " + after + why);
    }
  }

  private void multipleOf(BigDecimal before, BigDecimal after) {
    if (before == null && after == null || before != null && after != null && before.compareTo(after) == 0) {
      return;
    }
    String what = "multipleOf of '" + path + "'";
    if (before == null) {
      narrowed("'" + path + "' gets multipleOf " + after.toPlainString());
    } else if (after == null) {
      widened("'" + path + "' drops multipleOf (was " + before.toPlainString() + ")");
    } else if (before.signum() != 0 && after.remainder(before).signum() == 0) {
      narrowed(what + " tightens from " + before.toPlainString() + " to " + after.toPlainString());
    } else if (after.signum() != 0 && before.remainder(after).signum() == 0) {
      widened(what + " relaxes from " + before.toPlainString() + " to " + after.toPlainString());
    } else {
      narrowed(what + " changes from " + before.toPlainString() + " to " + after.toPlainString());
    }
  }

  /** An object's {@code logicalTypeOptions.required}: a member more required refuses objects without it. */
  private void requiredMembers(List<String> before, List<String> after) {
    List<String> added = after.stream().filter(m -> !before.contains(m)).toList();
    List<String> dropped = before.stream().filter(m -> !after.contains(m)).toList();
    if (!added.isEmpty()) {
      narrowed("'" + path + "' requires members " + added);
    }
    if (!dropped.isEmpty()) {
      widened("'" + path + "' no longer requires members " + dropped);
    }
  }

  private void flag(String option, boolean before, boolean after) {
    if (!before && after) {
      narrowed("'" + path + "' becomes " + option);
    } else if (before && !after) {
      widened("'" + path + "' is no longer " + option);
    }
  }

  /**
   * An integer's range as its format and storage type make it ({@code u8}: 0..255), within the bounds the running
   * version already has: a format that refuses values the old version accepted is breaking, though the column's
   * type may even widen ({@code u32} is a long, without negatives). Changed bounds are reported apart.
   */
  /** @param formatChanged whether the {@code format} option itself changes (a type change is listed as such) */
  private void integerRange(io.lakemesh.contracts.validate.IntegerFormat before,
      io.lakemesh.contracts.validate.IntegerFormat after, TypeOptions bounds, boolean formatChanged) {
    BigDecimal[] old = within(before, bounds);
    BigDecimal[] now = within(after, bounds);
    if (now[0].compareTo(old[0]) > 0 || now[1].compareTo(old[1]) < 0) {
      narrowed("range of '" + path + "' narrows from " + old[0].toPlainString() + ".." + old[1].toPlainString()
          + " to " + now[0].toPlainString() + ".." + now[1].toPlainString() + " (" + after.description() + ")");
    } else if (formatChanged && !before.description().equals(after.description())) {
      // the format changes what the column promises, though not what it accepts here: every change is listed
      out.add(Change.compatible(now[0].compareTo(old[0]) < 0 || now[1].compareTo(old[1]) > 0
          ? ChangeKind.CONSTRAINT_WIDENED : ChangeKind.DOCUMENTATION_CHANGED, path, "'" + path + "' is "
          + after.description() + " instead of " + before.description() + "; the values it accepts go from "
          + old[0].toPlainString() + ".." + old[1].toPlainString() + " to " + now[0].toPlainString() + ".."
          + now[1].toPlainString()));
    }
  }

  /** The whole numbers a format's range and the bounds leave: {lowest, highest}. */
  private static BigDecimal[] within(io.lakemesh.contracts.validate.IntegerFormat format, TypeOptions o) {
    io.lakemesh.contracts.model.WholeBounds bounds = io.lakemesh.contracts.model.WholeBounds.of(o);
    BigDecimal low = bounds.low() == null ? format.min() : format.min().max(bounds.low());
    BigDecimal high = bounds.high() == null ? format.max() : format.max().min(bounds.high());
    return new BigDecimal[] {low, high};
  }

  private void format(String before, String after) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (after == null) {
      widened("'" + path + "' drops format " + before);
    } else if (before == null) {
      narrowed("'" + path + "' gets format " + after);
    } else {
      narrowed("format of '" + path + "' changes from " + before + " to " + after);
    }
  }

  /** A timestamp's options with its bounds as the instants they name ({@code 2026-01-01}, with a space, ...). */
  private static TypeOptions instants(Field f) {
    TypeOptions o = f.options();
    io.lakemesh.contracts.validate.Timestamps.Reading reading = io.lakemesh.contracts.validate.Timestamps.Reading.of(o);
    Function<String, String> instant = text -> {
      if (text == null) {
        return null;
      }
      try {
        return reading.parse(text).toInstant().toString();
      } catch (java.time.DateTimeException unreadable) {
        return text; // lint refuses it; compared as written
      }
    };
    return new TypeOptions(o.format(), o.pattern(), o.minLength(), o.maxLength(), instant.apply(o.minimum()),
        instant.apply(o.maximum()), instant.apply(o.exclusiveMinimum()), instant.apply(o.exclusiveMaximum()),
        o.multipleOf(), o.minItems(), o.maxItems(), o.uniqueItems(), o.minProperties(), o.maxProperties(),
        o.defaultTimezone(), o.requiredProperties());
  }

  /** A timestamp's {@code format} is a pattern read besides ISO-8601: one more accepts more, one less refuses. */
  private void timestampFormat(String before, String after) {
    java.time.format.DateTimeFormatter was = io.lakemesh.contracts.validate.Timestamps.pattern(before);
    java.time.format.DateTimeFormatter now = io.lakemesh.contracts.validate.Timestamps.pattern(after);
    if (Objects.equals(before, after) || was == null && now == null) {
      return;
    }
    if (was == null) {
      widened("'" + path + "' is also read in format " + after);
    } else if (now == null) {
      narrowed("'" + path + "' is no longer read in format " + before + ": such values would be quarantined");
    } else {
      narrowed("format of '" + path + "' changes from " + before + " to " + after + ": values written the old way"
          + " would be quarantined");
    }
  }

  /** Where a timestamp without an offset is: another zone stores the same event at another instant. */
  private void zone(String before, String after) {
    String was = before == null ? "UTC" : before;
    String now = after == null ? "UTC" : after;
    if (!was.equals(now)) {
      out.add(Change.breaking(ChangeKind.TYPE_CHANGED, path, "'" + path + "' reads times without an offset in "
          + now + " instead of " + was + ": the same event would be stored at another instant (and keyed apart)"));
    }
  }

  /** @param before each pattern the old version checks, with where it is written; {@code after} the new one's */
  private void patterns(Map<String, String> before, Map<String, String> after) {
    Set<String> added = minus(after.keySet(), before.keySet());
    Set<String> dropped = minus(before.keySet(), after.keySet());
    if (!added.isEmpty()) {
      // one pattern replaced in the same place (a rule's, say) names the place once
      String place = added.size() == 1 && dropped.size() == 1
          && before.get(dropped.iterator().next()).equals(after.get(added.iterator().next()))
          ? after.get(added.iterator().next()) : null;
      String changes = place == null ? "changes from " + quoted(dropped, before) + " to " + quoted(added, after)
          : (place.startsWith("rule") ? "(" + place + ") " : "") + "changes from '" + dropped.iterator().next()
              + "' to '" + added.iterator().next() + "'";
      // regular expressions cannot be compared: any new pattern may refuse values the old ones accepted
      narrowed(dropped.isEmpty()
          ? "'" + path + "' gets pattern " + quoted(added, after)
          : "pattern of '" + path + "' " + changes
              + ": whether a pattern accepts all another did cannot be decided, so a reviewer must look");
    } else if (!dropped.isEmpty()) {
      widened("'" + path + "' drops pattern " + quoted(dropped, before));
    }
  }

  private void validValues(Set<String> before, Set<String> after) {
    if (Objects.equals(before, after)) {
      return;
    }
    if (before == null) {
      out.add(Change.breaking(ChangeKind.ENUM_NARROWED, path, "'" + path + "' now only accepts " + after));
    } else if (after == null) {
      out.add(Change.compatible(ChangeKind.ENUM_WIDENED, path, "'" + path + "' accepts any value (was " + before
          + ")"));
    } else {
      Set<String> lost = minus(before, after);
      Set<String> gained = minus(after, before);
      if (!lost.isEmpty()) {
        out.add(Change.breaking(ChangeKind.ENUM_NARROWED, path, "'" + path + "' no longer accepts " + lost));
      }
      if (!gained.isEmpty()) {
        out.add(Change.compatible(ChangeKind.ENUM_WIDENED, path, "'" + path + "' also accepts " + gained));
      }
    }
  }

  /** Patterns a value must match: the type option and those of {@code invalidValues} rules that refuse a row. */
  /** The patterns a property's values must match, each with where it is written (a rule's is named). */
  private static Map<String, String> patterns(Field f) {
    Map<String, String> patterns = new LinkedHashMap<>();
    if (f.options().pattern() != null) {
      patterns.put(f.options().pattern(), "logicalTypeOptions");
    }
    for (QualityRule rule : f.quality()) {
      if (rule instanceof QualityRule.Library lib && refusesValues(lib) && lib.pattern() != null) {
        patterns.putIfAbsent(lib.pattern(), "rule '" + lib.name() + "'");
      }
    }
    return patterns;
  }

  /**
   * The values a field accepts: the intersection of the lists of its {@code invalidValues} rules that refuse a row;
   * null when unrestricted.
   */
  private static Set<String> validValues(Field f) {
    Set<String> valid = null;
    for (QualityRule rule : f.quality()) {
      if (rule instanceof QualityRule.Library lib && refusesValues(lib) && !lib.validValues().isEmpty()) {
        if (valid == null) {
          valid = new LinkedHashSet<>(lib.validValues());
        } else {
          valid.retainAll(lib.validValues());
        }
      }
    }
    return valid;
  }

  static boolean isInvalidValues(QualityRule.Library rule) {
    return "invalidValues".equals(rule.metric());
  }

  /**
   * An {@code invalidValues} rule that quarantines a row whose value is not listed or does not match: one no
   * offender may break, of severity error or critical. Its list and pattern narrow the field like an enum; a
   * warning keeps the row and a share rule judges the batch, so their lists keep nothing out of a row.
   */
  static boolean refusesValues(QualityRule.Library rule) {
    return isInvalidValues(rule) && rule.rejectsAnyOffender()
        && (rule.severity() == io.lakemesh.contracts.model.Severity.ERROR
            || rule.severity() == io.lakemesh.contracts.model.Severity.CRITICAL);
  }

  /**
   * Compares two bound values as numbers, instants, date-times, dates or times, whichever both parse as; empty
   * when they do not parse alike.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Optional<Integer> compareValues(String a, String b) {
    for (Function<String, Comparable<?>> form : VALUE_FORMS) {
      try {
        Comparable x = form.apply(a.trim());
        Comparable y = form.apply(b.trim());
        return Optional.of(Integer.signum(x.compareTo(y)));
      } catch (RuntimeException notThisForm) {
        // try the next form
      }
    }
    return a.equals(b) ? Optional.of(0) : Optional.empty();
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> rest = new LinkedHashSet<>(a);
    rest.removeAll(b);
    return rest;
  }

  private static String quoted(Set<String> patterns, Map<String, String> origins) {
    List<String> q = new ArrayList<>();
    patterns.forEach(p -> q.add("'" + p + "'" + (origins.get(p).startsWith("rule") ? " (" + origins.get(p) + ")"
        : "")));
    return String.join(", ", q);
  }

  private void narrowed(String sentence) {
    out.add(Change.breaking(ChangeKind.CONSTRAINT_NARROWED, path, sentence));
  }

  private void widened(String sentence) {
    out.add(Change.compatible(ChangeKind.CONSTRAINT_WIDENED, path, sentence));
  }
}
