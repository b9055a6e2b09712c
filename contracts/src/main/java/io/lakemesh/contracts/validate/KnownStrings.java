package io.lakemesh.contracts.validate;

import java.util.List;

/**
 * The few values a property may take ({@code validValues}: regions, payment methods, categories), found by the
 * characters the parser holds, without making a {@code String} of them: a row then shares one instance of each
 * value instead of carrying copies, and the lookup replaces the hash set's. A handful of values, so a scan by
 * length and first character is all it takes.
 */
final class KnownStrings {
  private final String[] values;
  private final char[][] chars;

  KnownStrings(List<String> values) {
    this.values = values.stream().distinct().map(String::intern).toArray(String[]::new);
    this.chars = new char[this.values.length][];
    for (int i = 0; i < this.values.length; i++) {
      chars[i] = this.values[i].toCharArray();
    }
  }

  boolean isEmpty() {
    return values.length == 0;
  }

  /** The known value with exactly these characters, or null. */
  String find(char[] buffer, int offset, int length) {
    for (int i = 0; i < chars.length; i++) {
      char[] c = chars[i];
      if (c.length != length || (length > 0 && c[0] != buffer[offset])) {
        continue;
      }
      boolean same = true;
      for (int j = 1; j < length; j++) {
        if (c[j] != buffer[offset + j]) {
          same = false;
          break;
        }
      }
      if (same) {
        return values[i];
      }
    }
    return null;
  }
}
