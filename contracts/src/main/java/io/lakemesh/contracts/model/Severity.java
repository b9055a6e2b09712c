package io.lakemesh.contracts.model;

import java.util.Locale;

/** What a failing quality rule does: an error quarantines the row, a warning keeps and counts it. */
public enum Severity {
  INFO, WARNING, ERROR, CRITICAL;

  public static Severity of(String text) {
    if (text == null || text.isBlank()) {
      return ERROR;
    }
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "info" -> INFO;
      case "warn", "warning" -> WARNING;
      case "critical", "fatal" -> CRITICAL;
      default -> ERROR;
    };
  }
}
