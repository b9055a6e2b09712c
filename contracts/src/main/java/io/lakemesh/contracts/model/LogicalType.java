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

  public String odcsName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
