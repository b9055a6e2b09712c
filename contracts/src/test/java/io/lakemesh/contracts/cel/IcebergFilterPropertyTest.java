package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;

/**
 * Random rows and random CEL filters (comparisons, {@code in}, {@code &&}, {@code ||}, {@code !}) over string, long,
 * int, decimal, double, date, timestamp and boolean columns: Iceberg's evaluator, given the translated filter and the
 * row in Iceberg's internal representation, never rejects a row the CEL filter accepts; when the translation says it
 * is exact, the two agree on every row.
 */
class IcebergFilterPropertyTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final OffsetDateTime PIVOT = OffsetDateTime.parse("2026-01-01T00:00:00Z");
  private static final Contract CONTRACT = load();
  private static final Schema SCHEMA = IcebergMapping.schema(CONTRACT);
  private static final RowExpressions CEL = RowExpressions.forFields(CONTRACT.table().fields());

  private static Contract load() {
    try (InputStream in = IcebergFilterPropertyTest.class.getResourceAsStream("/contracts/filters.odcs.yaml")) {
      return ContractParser.parse("filters.odcs.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // values: small pools with the edges that matter, mixed with random ones, so rows and constants often meet

  static final List<String> STRINGS = List.of("", "a", "b", "ab", "B", "NCR", "Region I", "é", "\uD7FF", "\uE000",
      "\uFFFF", "\uD83D\uDE00", "a\uD83D\uDE00", "\uD800\uDC00", "\uFB01");

  static Arbitrary<String> strings() {
    Arbitrary<String> random = Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.integers().between('a', 'c')),
            Tuple.of(1, Arbitraries.integers().between(0xe000, 0xffff)),
            Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)))
        .list().ofMaxSize(3)
        .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString());
    return Arbitraries.oneOf(Arbitraries.of(STRINGS), random);
  }

  static Arbitrary<Long> longs() {
    return Arbitraries.oneOf(Arbitraries.of(0L, 1L, -1L, 2L, 5L, 100L, Long.MIN_VALUE, Long.MAX_VALUE,
        Long.MAX_VALUE - 1, 1L << 53, (1L << 53) + 1), Arbitraries.longs().between(-10, 10), Arbitraries.longs());
  }

  static Arbitrary<Integer> ints() {
    return Arbitraries.oneOf(Arbitraries.of(0, 1, -1, 7, Integer.MIN_VALUE, Integer.MAX_VALUE),
        Arbitraries.integers().between(-10, 10));
  }

  /** A decimal with two places and up to {@code digits} digits: small, on the edges, or anywhere. */
  static Arbitrary<BigDecimal> decimals(int digits) {
    long max = BigDecimal.TEN.pow(digits).longValueExact() - 1;
    return Arbitraries.oneOf(
            Arbitraries.of(0L, 1L, 10L, 100L, 101L, 150L, -150L, 999L, max, -max, max - 1),
            Arbitraries.longs().between(-1000, 1000),
            Arbitraries.longs().between(-max, max))
        .map(cents -> BigDecimal.valueOf(cents, 2));
  }

  static Arbitrary<Double> doubles() {
    return Arbitraries.oneOf(
        Arbitraries.of(0.0, 1.5, -1.5, 0.1, 0.2, 0.30000000000000004, 1e300, -1e300, 9007199254740992.0,
            Double.MIN_VALUE),
        Arbitraries.integers().between(-20, 20).map(i -> i / 4.0),
        Arbitraries.doubles());
  }

  static Arbitrary<LocalDate> dates() {
    LocalDate pivot = PIVOT.toLocalDate();
    return Arbitraries.oneOf(
        Arbitraries.integers().between(-3, 3).map(pivot::plusDays),
        Arbitraries.of(LocalDate.of(1970, 1, 1), LocalDate.of(0, 1, 1), LocalDate.of(9999, 12, 31)),
        Arbitraries.longs().between(LocalDate.of(0, 1, 1).toEpochDay(), LocalDate.of(9999, 12, 31).toEpochDay())
            .map(LocalDate::ofEpochDay));
  }

  /** Timestamps as the validator produces them: UTC, microseconds, years 1 to 9999. */
  static Arbitrary<OffsetDateTime> timestamps() {
    // micros from the pivot (Instant arithmetic in nanos would overflow over ten thousand years)
    long min = micros(Instant.parse("0001-01-01T00:00:00Z")) - micros(PIVOT.toInstant());
    long max = micros(Instant.parse("9999-12-31T23:59:59.999999Z")) - micros(PIVOT.toInstant());
    return Arbitraries.oneOf(
            Arbitraries.longs().between(-3, 3),
            Arbitraries.longs().between(-3, 3).map(s -> s * 1_000_000L),
            Arbitraries.longs().between(min, max))
        .map(fromPivot -> PIVOT.plusSeconds(Math.floorDiv(fromPivot, 1_000_000L))
            .plusNanos(Math.floorMod(fromPivot, 1_000_000L) * 1_000L));
  }

  static long micros(Instant instant) {
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // rows

  @Provide
  Arbitrary<List<GenericRecord>> rows() {
    Arbitrary<GenericRecord> row = Combinators.combine(
            Combinators.combine(strings(), strings().injectNull(0.2), longs().injectNull(0.2), longs(),
                ints().injectNull(0.2)).as((a, b, c, d, e) -> Arrays.<Object>asList(a, b, c, d, e)),
            Combinators.combine(decimals(12).injectNull(0.2), decimals(12), decimals(18).injectNull(0.2),
                doubles().injectNull(0.2)).as((a, b, c, d) -> Arrays.<Object>asList(a, b, c, d)),
            Combinators.combine(dates().injectNull(0.2), timestamps().injectNull(0.2),
                Arbitraries.of(true, false).injectNull(0.2)).as((a, b, c) -> Arrays.<Object>asList(a, b, c)))
        .as((a, b, c) -> {
          GenericRecord r = GenericRecord.create(SCHEMA);
          r.setField("id", "row");
          List<Object> values = new ArrayList<>();
          values.addAll(a);
          values.addAll(b);
          values.addAll(c);
          String[] names = {"region", "s", "n", "k", "i", "amount", "total", "wide", "x", "day", "ts", "flag"};
          for (int f = 0; f < names.length; f++) {
            r.setField(names[f], values.get(f));
          }
          return r;
        });
    return row.list().ofMinSize(1).ofMaxSize(30);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // filters

  static String celString(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  /** CEL constants per column kind, as source text; {@code ordering} ones may only be compared with {@code <}. */
  record Constants(Arbitrary<String> equality, Arbitrary<String> ordering) {}

  static Constants stringConstants() {
    Arbitrary<String> c = strings().map(IcebergFilterPropertyTest::celString);
    return new Constants(c, c);
  }

  static Constants intConstants(Arbitrary<? extends Number> values) {
    Arbitrary<String> ints = values.map(v -> String.valueOf(v));
    // a long or int column compared with a double: CEL allows it for ordering (heterogeneous comparison)
    Arbitrary<String> fractions = Arbitraries.of("1.5", "-0.5", "2.0", "1e19", "-1e19", "9.223372036854776e18");
    return new Constants(ints, Arbitraries.oneOf(ints, fractions));
  }

  static Constants decimalConstants() {
    // CEL sees decimals as doubles: constants that do not fit decimal(12,2), or only after rounding, included
    Arbitrary<String> doubles = Arbitraries.oneOf(
        Arbitraries.of("1.005", "0.1", "1.5", "1.50", "-1.5", "100.0", "1e20", "-0.01", "0.0", "99999999.99",
            "9999999999.99", "10000000000.0", "1e-3", "12345678901234.5", "0.30000000000000004"),
        decimals(12).map(BigDecimal::toPlainString),
        decimals(18).map(BigDecimal::toPlainString));
    Arbitrary<String> ints = Arbitraries.of("0", "1", "-1", "100", "9223372036854775807");
    return new Constants(doubles, Arbitraries.oneOf(doubles, ints));
  }

  static Constants doubleConstants() {
    Arbitrary<String> d = doubles().map(v -> {
      String s = Double.toString(v);
      return s.contains("Infinity") || s.contains("NaN") ? "1.0" : s;
    });
    Arbitrary<String> ints = Arbitraries.of("0", "1", "-2", "9007199254740993", "9007199254740992");
    return new Constants(d, Arbitraries.oneOf(d, ints));
  }

  static Constants dateConstants() {
    Arbitrary<String> d = Arbitraries.oneOf(
        dates().map(LocalDate::toString),
        // text that is not a date as the column holds it ("2026-1-1") is refused when the filter compiles
        // (TemporalFiltersTest), so only dates written as the rows carry them are compared here
        Arbitraries.of("0001-01-01", "9999-12-31", "2025-12-31", "2026-01-01"))
        .map(IcebergFilterPropertyTest::celString);
    return new Constants(d, d);
  }

  static Constants timestampConstants() {
    Arbitrary<String> text = Arbitraries.oneOf(
        timestamps().map(t -> t.toInstant().toString()),
        timestamps().map(t -> t.atZoneSameInstant(ZoneOffset.ofHours(8)).toOffsetDateTime().toString()),
        Arbitraries.of("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000001Z", "2025-12-31T23:59:59.9999999Z",
            // a date alone is refused when the filter compiles (TemporalFiltersTest), so it is not drawn here
            "2026-01-01T00:00:00.0000001Z", "2026-01-01T08:00:00+08:00", "2026-01-01T00:00Z",
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2026-01-01t00:00:00z"));
    Arbitrary<String> t = text.map(s -> "timestamp(" + celString(s) + ")");
    return new Constants(t, t);
  }

  static final Map<String, Constants> COLUMNS = Map.ofEntries(
      Map.entry("region", stringConstants()),
      Map.entry("s", stringConstants()),
      Map.entry("n", intConstants(longs())),
      Map.entry("k", intConstants(longs())),
      Map.entry("i", intConstants(ints())),
      Map.entry("amount", decimalConstants()),
      Map.entry("total", decimalConstants()),
      Map.entry("wide", decimalConstants()),
      Map.entry("x", doubleConstants()),
      Map.entry("day", dateConstants()),
      Map.entry("ts", timestampConstants()),
      Map.entry("flag", new Constants(Arbitraries.of("true", "false"), Arbitraries.of("true", "false"))));

  static Arbitrary<String> comparison() {
    return Arbitraries.of(COLUMNS.keySet().stream().sorted().toList()).flatMap(column -> {
      Constants constants = COLUMNS.get(column);
      Arbitrary<String> equality = Combinators.combine(Arbitraries.of("==", "!="), constants.equality(),
              Arbitraries.of(true, false))
          .as((op, c, flip) -> flip ? c + " " + op + " " + column : column + " " + op + " " + c);
      Arbitrary<String> ordering = Combinators.combine(Arbitraries.of("<", "<=", ">", ">="), constants.ordering(),
              Arbitraries.of(true, false))
          .as((op, c, flip) -> flip ? c + " " + op + " " + column : column + " " + op + " " + c);
      Arbitrary<String> in = constants.equality().list().ofMaxSize(3)
          .map(cs -> column + " in [" + String.join(", ", cs) + "]");
      return Arbitraries.frequencyOf(Tuple.of(3, equality), Tuple.of(4, ordering), Tuple.of(2, in));
    });
  }

  /** Predicates that have no Iceberg counterpart: the translation must widen them, never drop rows. */
  static Arbitrary<String> untranslatable() {
    return Arbitraries.of("size(s) > 1", "s.startsWith(\"a\")", "n + 1 > 3", "amount > total", "k == n",
        "region.contains(\"R\")", "flag", "!flag", "day.startsWith(\"2026\")",
        "ts < now - duration(\"1h\")", "x * 2.0 < 3.0", "int(i) == k", "s == region");
  }

  static Arbitrary<String> atom() {
    return Arbitraries.frequencyOf(
        Tuple.of(12, comparison()),
        Tuple.of(2, untranslatable()),
        Tuple.of(1, Arbitraries.of("true", "false")));
  }

  @Provide
  Arbitrary<String> filters() {
    Function<Arbitrary<String>, Arbitrary<String>> deeper = e -> Arbitraries.frequencyOf(
        Tuple.of(2, Combinators.combine(e, Arbitraries.oneOf(e, atom())).as((a, b) -> "(" + a + ") && (" + b + ")")),
        Tuple.of(2, Combinators.combine(e, Arbitraries.oneOf(e, atom())).as((a, b) -> "(" + a + ") || (" + b + ")")),
        Tuple.of(2, e.map(a -> "!(" + a + ")")));
    return Arbitraries.integers().between(0, 4).flatMap(depth -> Arbitraries.recursive(
        IcebergFilterPropertyTest::atom, deeper, depth));
  }

  // ---------------------------------------------------------------------------------------------------------------

  @Property(tries = 2000)
  void icebergKeepsEveryRowCelAcceptsAndAgreesExactlyWhenExact(@ForAll("filters") String filter,
      @ForAll("rows") List<GenericRecord> rows) {
    RowPredicate predicate = compile(filter);
    Expression pushdown = IcebergFilters.toIceberg(predicate, SCHEMA);
    boolean exact = IcebergFilters.isExact(predicate, SCHEMA);
    Evaluator evaluator = new Evaluator(SCHEMA.asStruct(), pushdown, true);
    InternalRecordWrapper internal = new InternalRecordWrapper(SCHEMA.asStruct());
    int celAccepted = 0;
    int icebergOnly = 0;
    for (GenericRecord row : rows) {
      boolean cel = accepts(predicate, row);
      boolean iceberg = evaluator.eval(internal.wrap(row));
      if (cel && !iceberg) {
        fail("the pushed-down filter drops a row the CEL filter accepts\n  filter:  " + filter + "\n  iceberg: "
            + pushdown + "\n  row:     " + row);
      }
      if (exact && cel != iceberg) {
        fail("the translation claims to be exact but keeps a row the CEL filter rejects\n  filter:  " + filter
            + "\n  iceberg: " + pushdown + "\n  row:     " + row);
      }
      celAccepted += cel ? 1 : 0;
      icebergOnly += iceberg && !cel ? 1 : 0;
    }
    Statistics.label("translation").collect(exact ? "exact" : pushdown.op() == Expression.Operation.TRUE
        ? "widened to true" : "partly widened");
    Statistics.label("rows CEL accepts").collect(celAccepted == 0 ? "none" : celAccepted == rows.size() ? "all"
        : "some");
    Statistics.label("rows only Iceberg keeps").collect(icebergOnly == 0 ? "none" : "some");
    Statistics.label("translation").coverage(c -> {
      c.check("exact").percentage((Double p) -> p >= 25);
      c.check("partly widened").percentage((Double p) -> p >= 5);
    });
    Statistics.label("rows CEL accepts").coverage(c -> c.check("some").percentage((Double p) -> p >= 15));
  }

  private static RowPredicate compile(String filter) {
    try {
      return CEL.compile(filter);
    } catch (InvalidExpressionException e) {
      throw new AssertionError("the generator made a filter that does not type-check: " + filter + "\n"
          + e.getMessage());
    }
  }

  private static boolean accepts(RowPredicate predicate, GenericRecord row) {
    try {
      return predicate.test(row, NOW);
    } catch (CelEvaluationException e) {
      return false; // as the row API does: a row the filter cannot evaluate does not match it
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the cases the properties found, kept as examples

  private static GenericRecord row(Map<String, Object> values) {
    GenericRecord r = GenericRecord.create(SCHEMA);
    r.setField("id", "row");
    r.setField("region", "NCR");
    r.setField("k", 0L);
    r.setField("total", new BigDecimal("0.00"));
    values.forEach(r::setField);
    return r;
  }

  private static void assertAgree(String filter, GenericRecord row) {
    RowPredicate predicate = compile(filter);
    Expression pushdown = IcebergFilters.toIceberg(predicate, SCHEMA);
    boolean iceberg = new Evaluator(SCHEMA.asStruct(), pushdown, true)
        .eval(new InternalRecordWrapper(SCHEMA.asStruct()).wrap(row));
    boolean cel = accepts(predicate, row);
    assertTrue(!cel || iceberg, () -> filter + " -> " + pushdown + " drops " + row);
    if (IcebergFilters.isExact(predicate, SCHEMA)) {
      assertEquals(cel, iceberg, () -> filter + " -> " + pushdown + " on " + row);
    }
  }

  @Example
  void stringsOrderByCodePointInCelAsInIceberg() {
    // U+FFFF is below an emoji (U+1F600) by code point, as the CEL spec orders strings; by UTF-16 unit it was above
    GenericRecord row = row(Map.of("s", "\uFFFF"));
    assertFalse(accepts(compile("s > \"\uD83D\uDE00\""), row));
    assertTrue(accepts(compile("s < \"\uD83D\uDE00\""), row));
    assertAgree("s > \"\uD83D\uDE00\"", row);
    assertAgree("s < \"\uD83D\uDE00\"", row);
    // the interpreter orders alike (an expression the compiled closures do not take, evaluated by dev.cel)
    assertFalse(accepts(compile("[s, \"x\"].exists(v, v > \"\uD83D\uDE00\")"), row));
    assertTrue(IcebergFilters.isExact(compile("s > \"\uD83D\uDE00\""), SCHEMA));
  }

  @Example
  void aNullNeitherMatchesAComparisonNorItsNegation() {
    GenericRecord row = row(Map.of());
    for (String filter : List.of("n < 5", "!(n < 5)", "s == \"a\"", "!(s == \"a\")", "n in [1, 2]",
        "!(n in [1, 2])", "!(amount > 1.5 && s != \"a\")", "!(n < 5) || k == 0")) {
      assertAgree(filter, row);
      assertTrue(IcebergFilters.isExact(compile(filter), SCHEMA), filter);
    }
  }

  @Example
  void negativeZeroEqualsZeroAsCelSaysNotAsIcebergOrdersIt() {
    for (double stored : new double[] {0.0, -0.0}) {
      GenericRecord row = row(Map.of("x", stored));
      for (String filter : List.of("x == -0.0", "x == 0.0", "x > 0", "x >= 0", "x <= 0", "x < 0", "x < 0.0",
          "x >= -0.0", "x > 0.0", "x <= -0.0", "x != 0.0", "x in [0.0, 1.0]", "x in [-0.0]", "!(x >= 0.0)")) {
        assertAgree(filter, row);
      }
    }
    // a double zero keeps its pushdown, exactly
    for (String filter : List.of("x > 0.0", "x >= 0.0", "x == 0.0", "x != -0.0", "x in [0.0]")) {
      assertTrue(IcebergFilters.isExact(compile(filter), SCHEMA), filter);
    }
  }

  @Example
  void aTimestampFinerThanAMicrosecondIsNotTruncated() {
    GenericRecord row = row(Map.of("ts", PIVOT));
    assertAgree("ts < timestamp(\"2026-01-01T00:00:00.0000001Z\")", row);
    assertAgree("ts >= timestamp(\"2026-01-01T00:00:00.0000001Z\")", row);
  }

  @Example
  void decimalsBeyondFifteenDigitsAreNotComparedExactlyAsDoubles() {
    // 99999999999999.99 and 99999999999999.98 are the same double
    GenericRecord row = row(Map.of("wide", new BigDecimal("99999999999999.98")));
    assertAgree("wide == 99999999999999.99", row);
    assertFalse(IcebergFilters.isExact(compile("wide == 99999999999999.99"), SCHEMA));
    assertFalse(IcebergFilters.isExact(compile("amount == 1.005"), SCHEMA));
    assertTrue(IcebergFilters.isExact(compile("amount == 1.5 || amount < 0"), SCHEMA));
  }

  @Example
  void aNegatedWidenedPartStaysWidened() {
    RowPredicate p = compile("!(size(s) > 1 || n == 1)");
    // true rows of the whole: false rows of `n == 1` (a non-null n other than 1), widened by size(s) > 1
    assertFalse(IcebergFilters.isExact(p, SCHEMA));
    assertAgree("!(size(s) > 1 || n == 1)", row(Map.of("s", "a", "n", 2L)));
    assertAgree("!(size(s) > 1 || n == 1)", row(Map.of("s", "ab", "n", 2L)));
  }
}
