package io.lakemesh.contracts.validate;

/**
 * A value as a reason's message shows it: line breaks and other control characters written as escapes (a store id
 * {@code "S-1234\n"} must read so, not end the line), and so are characters a reader cannot see or that change
 * what follows (a no-break space, a zero-width space, a right-to-left override); a long value is cut with an
 * ellipsis.
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
          if (Character.isISOControl(c) || invisible(c)) {
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

  private static boolean invisible(char c) {
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || (type == Character.SPACE_SEPARATOR && c != ' ');
  }
}
