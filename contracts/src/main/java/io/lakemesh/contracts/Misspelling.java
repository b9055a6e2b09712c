package io.lakemesh.contracts;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** The name a misspelt one most likely means, for a "did you mean ...?" in a message. */
public final class Misspelling {
  private Misspelling() {}

  /**
   * The known name nearest to {@code written} (case aside) within {@code maxEdits} insertions, deletions and
   * substitutions, if any; the first of equally near ones.
   */
  public static Optional<String> closest(String written, Collection<String> known, int maxEdits) {
    if (written == null || written.isBlank()) {
      return Optional.empty();
    }
    String lower = written.trim().toLowerCase(Locale.ROOT);
    String closest = null;
    int best = maxEdits + 1;
    for (String name : known) {
      int d = editDistance(lower, name.toLowerCase(Locale.ROOT));
      if (d < best) {
        best = d;
        closest = name;
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
}
