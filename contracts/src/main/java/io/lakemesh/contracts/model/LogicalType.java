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

  /** The logical type a misspelt name most likely means: the one within two edits of it ({@code strng}), if any. */
  public static Optional<LogicalType> closest(String name) {
    return io.lakemesh.contracts.Misspelling.closest(name, java.util.Arrays.stream(values())
        .map(LogicalType::odcsName).toList(), 2).flatMap(LogicalType::of);
  }

  /** The names there are, for a message about one that is not: "string, date, ...". */
  public static String known() {
    return String.join(", ", java.util.Arrays.stream(values()).map(LogicalType::odcsName).toList());
  }

  public String odcsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
