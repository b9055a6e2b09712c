package io.lakemesh.contracts.validate;

import java.math.BigDecimal;

/**
 * Reads a JSON number's text straight into a {@code decimal(p,s)} column's value, for the common case: at most 18
 * significant digits, a short exponent if any, and a value that fits the column without rounding. It does what
 * the exact path does ({@code new BigDecimal(text)}, stripped, judged, set to the column's scale) with a long and a
 * scale instead of a parsed {@link BigDecimal} and its copies. Anything else answers null, and the caller takes the
 * exact path, which also words the findings; so this only has to be right when it answers.
 */
final class DecimalText {
  private static final int MAX_DIGITS = 18;
  private static final long[] POWERS = new long[MAX_DIGITS + 1];

  static {
    long p = 1;
    for (int i = 0; i <= MAX_DIGITS; i++) {
      POWERS[i] = p;
      p *= 10;
    }
  }

  private DecimalText() {}

  /**
   * The value of the JSON number {@code text[offset, offset + length)} as a decimal of exactly {@code scale}
   * places that fits {@code decimal(precision, scale)}, or null when the exact path has to decide (too many
   * digits, out of range, too many places, not a number this reads).
   */
  static BigDecimal atScale(char[] text, int offset, int length, int precision, int scale) {
    int i = offset;
    int end = offset + length;
    if (i == end) {
      return null;
    }
    boolean negative = text[i] == '-';
    if (negative) {
      i++;
    }
    long unscaled = 0;
    int significant = 0; // digits from the first non-zero one on
    int places = 0; // digits after the point
    boolean anyDigit = false;
    boolean point = false;
    for (; i < end; i++) {
      char c = text[i];
      if (c >= '0' && c <= '9') {
        anyDigit = true;
        if (significant > 0 || c != '0') {
          if (++significant > MAX_DIGITS) {
            return null;
          }
          unscaled = unscaled * 10 + (c - '0');
        }
        if (point) {
          places++;
        }
      } else if (c == '.' && !point) {
        point = true;
      } else {
        break;
      }
    }
    if (!anyDigit) {
      return null;
    }
    long exponent = 0;
    if (i < end) {
      char c = text[i];
      if (c != 'e' && c != 'E') {
        return null;
      }
      i++;
      boolean negativeExponent = false;
      if (i < end && (text[i] == '+' || text[i] == '-')) {
        negativeExponent = text[i] == '-';
        i++;
      }
      int start = i;
      for (; i < end && i - start < 7; i++) {
        c = text[i];
        if (c < '0' || c > '9') {
          return null;
        }
        exponent = exponent * 10 + (c - '0');
      }
      if (i == start || i < end) {
        return null; // no exponent digits, or more than 7: the exact path judges 1e99999999
      }
      exponent = negativeExponent ? -exponent : exponent;
    }
    if (unscaled == 0) {
      // zero in any notation is zero at the column's scale
      return BigDecimal.valueOf(0, scale);
    }
    // the value is unscaled * 10^-valueScale; strip trailing zeros as the exact path does
    long valueScale = places - exponent;
    while (unscaled % 10 == 0) {
      unscaled /= 10;
      significant--;
      valueScale--;
    }
    // digits before the point (precision - scale of the stripped value) must fit the column's
    if (significant - valueScale > precision - scale || valueScale > scale) {
      return null;
    }
    long shift = scale - valueScale; // >= 0 and, by the range check, significant + shift <= precision
    if (significant + shift > MAX_DIGITS) {
      return null; // fits the column but not a long
    }
    long result = unscaled * POWERS[(int) shift];
    return BigDecimal.valueOf(negative ? -result : result, scale);
  }
}
