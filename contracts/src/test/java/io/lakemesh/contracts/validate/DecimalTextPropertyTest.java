package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The in-place decimal reader agrees with the exact path (a {@link BigDecimal} of the text, stripped, judged
 * against the column, set to its scale) value for value and scale for scale, and leaves the rest to it.
 */
class DecimalTextPropertyTest {

  /** A column type and a JSON number's text. */
  record Case(int precision, int scale, String text) {}

  /** The exact path of the decimal decoder: the column's value, or null where it reports a finding. */
  private static BigDecimal exact(String text, int precision, int scale) {
    BigDecimal d = new BigDecimal(text);
    if (d.signum() == 0) {
      return BigDecimal.ZERO.setScale(scale);
    }
    BigDecimal stripped = d.stripTrailingZeros();
    if (stripped.precision() - stripped.scale() > precision - scale || stripped.scale() > scale) {
      return null;
    }
    return stripped.setScale(scale, RoundingMode.UNNECESSARY);
  }

  private static BigDecimal fast(String text, int precision, int scale) {
    // in the middle of a larger buffer, as the parser's text buffer has it
    char[] buffer = ("xx" + text + "yy").toCharArray();
    return DecimalText.atScale(buffer, 2, text.length(), precision, scale);
  }

  private static void agree(Case c) {
    BigDecimal fast = fast(c.text(), c.precision(), c.scale());
    BigDecimal exact;
    try {
      exact = exact(c.text(), c.precision(), c.scale());
    } catch (NumberFormatException e) {
      // an exponent beyond an int: the exact path fails to read it, and so must the fast one
      Statistics.label("fast path").collect("not a BigDecimal");
      assertNull(fast, c::toString);
      return;
    }
    Statistics.label("fast path").collect(fast != null ? "answered" : exact == null ? "finding" : "left to exact");
    if (fast != null) {
      assertNotNull(exact, () -> c + ": the fast path accepted what the exact path rejects");
      assertEquals(exact, fast, c::toString); // equals compares the scale too
      assertEquals(exact.scale(), fast.scale(), c::toString);
    }
  }

  @Provide
  Arbitrary<Case> numbers() {
    Arbitrary<String> sign = Arbitraries.of("", "", "-");
    Arbitrary<String> whole = Arbitraries.oneOf(Arbitraries.of("0"),
        Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(22)
            .filter(s -> s.charAt(0) != '0'));
    Arbitrary<String> fraction = Arbitraries.oneOf(Arbitraries.just(""),
        Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(22).map(s -> "." + s),
        Arbitraries.of(".0", ".00", ".000000000000000000000", ".50", ".05", ".10"));
    Arbitrary<String> exponent = Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.just(""),
        Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
            Arbitraries.oneOf(Arbitraries.integers().between(0, 40).map(String::valueOf),
                Arbitraries.of("00", "007", "9999999", "10000000", "2147483648", "999999999999")))
            .as((e, s, n) -> e + s + n));
    Arbitrary<String> text = Combinators.combine(sign, whole, fraction, exponent).as((s, w, f, e) -> s + w + f + e);
    Arbitrary<int[]> type = Arbitraries.oneOf(Arbitraries.of(new int[] {12, 2}, new int[] {38, 10},
            new int[] {18, 0}, new int[] {18, 18}, new int[] {19, 2}, new int[] {38, 38}, new int[] {1, 0}),
        Arbitraries.integers().between(1, 38).flatMap(p -> Arbitraries.integers().between(0, p)
            .map(s -> new int[] {p, s})));
    return Combinators.combine(type, text).as((t, x) -> new Case(t[0], t[1], x));
  }

  @Property(tries = 5000)
  void answersOnlyWhatTheExactPathAnswersTheSame(@ForAll("numbers") Case c) {
    agree(c);
  }

  /** Amounts as tills send them: the fast path must answer, or it is no use. */
  @Provide
  Arbitrary<Case> amounts() {
    return Combinators.combine(Arbitraries.longs().between(-999_999_999_99L, 999_999_999_99L),
            Arbitraries.of(0, 1, 2))
        .as((cents, places) -> new Case(12, 2, BigDecimal.valueOf(cents, 2)
            .setScale(places, RoundingMode.DOWN).toPlainString()));
  }

  @Property(tries = 2000)
  void readsCommonAmounts(@ForAll("amounts") Case c) {
    agree(c);
    assertNotNull(fast(c.text(), c.precision(), c.scale()), c::toString);
  }

  @Example
  void edgeCases() {
    String[] texts = {"0", "-0", "-0.0", "0.000", "0e5", "-0E-999999", "0.00000000000000000000000001", "00.5",
        "1", "-1", "1.5", "-1.005", "42.00", "42.0000000000000000", "1e2", "1E+2", "1e-2", "1.23e1", "-1.23e-1",
        "999999999999999999", "9999999999999999999", "123456789012345678.9", "0.000000000000000001",
        "1000000000000000000000", "1e18", "1e17", "9999999999.99", "10000000000.00", "1.001", "1e-3", "5e-1",
        "1e9999999", "1e-9999999", "1e99999999", "1e", "1e+", "-", ".", "1.2.3", "+1", "1x", "9223372036854775807",
        "-9223372036854775808", "0.1e1", "100", "100.00", "1000000000.0"};
    int[][] types = {{12, 2}, {38, 10}, {18, 0}, {18, 18}, {19, 2}, {38, 38}, {1, 0}, {3, 3}, {20, 0}};
    for (String text : texts) {
      for (int[] t : types) {
        Case c = new Case(t[0], t[1], text);
        BigDecimal fast = fast(text, t[0], t[1]);
        BigDecimal exact;
        try {
          exact = exact(text, t[0], t[1]);
        } catch (NumberFormatException e) {
          assertNull(fast, c::toString); // not a number
          continue;
        }
        if (fast != null) {
          assertEquals(exact, fast, c::toString);
        }
      }
    }
    assertEquals(new BigDecimal("42.00"), fast("42", 12, 2));
    assertEquals(new BigDecimal("-0.50"), fast("-5e-1", 12, 2));
    assertEquals(new BigDecimal("0.00"), fast("-0.000", 12, 2));
    assertNull(fast("1.001", 12, 2)); // three places: the exact path words the finding
    assertNull(fast("10000000000.00", 12, 2)); // eleven digits before the point
  }
}
