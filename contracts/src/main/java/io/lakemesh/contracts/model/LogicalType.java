package io.lakemesh.contracts.model;

import java.util.Locale;
import java.util.Optional;

/** The ODCS v3.1 logical types. */
public enum LogicalType {
  STRING, DATE, TIMESTAMP, TIME, NUMBER, INTEGER, OBJECT, ARRAY, BOOLEAN;

  public static Optional<LogicalType> of(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** The names there are, for a message about one that is not: "string, date, ...". */
  /** The logical type a misspelt name most likely means: the one within two edits of it ({@code strng}), if any. */
  public static Optional<LogicalType> closest(String name) {
    if (name == null || name.isBlank()) {
      return Optional.empty();
    }
    String lower = name.trim().toLowerCase(Locale.ROOT);
    LogicalType closest = null;
    int best = 3;
    for (LogicalType t : values()) {
      int d = editDistance(lower, t.odcsName());
      if (d < best) {
        best = d;
        closest = t;
      }
    }
    return Optional.ofNullable(closest);
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  public static String known() {
    return String.join(", ", java.util.Arrays.stream(values()).map(LogicalType::odcsName).toList());
  }

  public String odcsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
