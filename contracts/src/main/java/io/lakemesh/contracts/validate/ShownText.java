package io.lakemesh.contracts.validate;

/**
 * A value as a reason's message shows it: line breaks and other control characters written as escapes (a store id
 * {@code "S-1234\n"} must read so, not end the line), and a long value cut with an ellipsis.
 */
public final class ShownText {
  private static final int MAX = 64;

  private ShownText() {}

  public static String of(String value) {
    StringBuilder shown = new StringBuilder(Math.min(value.length(), MAX) + 8);
    int cut = 0; // where the text may be cut to make room for the ellipsis: between whole characters and escapes
    for (int i = 0; i < value.length(); i++) {
      if (shown.length() <= MAX - 3) {
        cut = shown.length();
      }
      char c = value.charAt(i);
      switch (c) {
        case '\n' -> shown.append("\\n");
        case '\r' -> shown.append("\\r");
        case '\t' -> shown.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            shown.append(String.format("\\u%04X", (int) c));
          } else {
            shown.append(c);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1))) {
              shown.append(value.charAt(++i)); // never half a character
            }
          }
        }
      }
      if (shown.length() > MAX) {
        return shown.substring(0, cut) + "...";
      }
    }
    return shown.toString();
  }
}
