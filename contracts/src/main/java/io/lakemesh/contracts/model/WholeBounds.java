package io.lakemesh.contracts.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The bounds of an integer property as whole numbers: {@code exclusiveMinimum: 36} admits 37 and up,
 * {@code maximum: 0.8} admits 0 and down. Each side is the tightest of its inclusive and exclusive bound, with the key
 * that set it (null when neither is given or readable).
 */
public record WholeBounds(BigDecimal low, String lowKey, BigDecimal high, String highKey) {

  public static WholeBounds of(TypeOptions o) {
    BigDecimal low = null;
    String lowKey = null;
    BigDecimal high = null;
    String highKey = null;
    String[][] options = {{"minimum", o.minimum()}, {"exclusiveMinimum", o.exclusiveMinimum()},
        {"maximum", o.maximum()}, {"exclusiveMaximum", o.exclusiveMaximum()}};
    for (String[] option : options) {
      BigDecimal b = number(option[1]);
      if (b == null) {
        continue;
      }
      BigDecimal whole = switch (option[0]) {
        case "minimum" -> b.setScale(0, RoundingMode.CEILING);
        case "exclusiveMinimum" -> b.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
        case "maximum" -> b.setScale(0, RoundingMode.FLOOR);
        default -> b.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
      };
      boolean lower = option[0].endsWith("inimum");
      if (lower && (low == null || whole.compareTo(low) > 0)) {
        low = whole;
        lowKey = option[0];
      } else if (!lower && (high == null || whole.compareTo(high) < 0)) {
        high = whole;
        highKey = option[0];
      }
    }
    return new WholeBounds(low, lowKey, high, highKey);
  }

  /** Whether no whole number lies between the bounds. */
  public boolean empty() {
    return low != null && high != null && low.compareTo(high) > 0;
  }

  private static BigDecimal number(String text) {
    try {
      return text == null ? null : new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null; // unreadable bounds are reported where they are read
    }
  }
}
