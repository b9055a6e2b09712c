package io.lakemesh.contracts.model;

import java.util.Locale;

/** What a failing quality rule does: an error quarantines the row, a warning keeps and counts it. */
public enum Severity {
  INFO, WARNING, ERROR, CRITICAL;

  /** The severities a contract may write, as a message lists them. */
  public static final String VALID = "info, warning, error, critical";

  /**
   * True for the four words a contract may write (in any case). Look-alikes such as {@code warn} or {@code fatal}
   * are refused rather than mapped: the README promises these four words only, and a guess could turn a rule meant
   * to stop the stage into one that merely counts.
   */
  public static boolean isKnown(String text) {
    return text != null && java.util.Set.of("info", "warning", "error", "critical")
        .contains(text.toLowerCase(Locale.ROOT));
  }

  /** The severity a contract writes; none means error. Unknown words are refused by the parser before this. */
  public static Severity of(String text) {
    if (text == null || text.isBlank()) {
      return ERROR;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "info" -> INFO;
      case "warning" -> WARNING;
      case "critical" -> CRITICAL;
      default -> ERROR;
    };
  }
}
