package io.lakemesh.contracts.validate;

import io.lakemesh.contracts.model.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects the violations of one event, split by whether they reject it. Not thread-safe: one per event. */
final class Findings {
  private List<Violation> errors;
  private List<Violation> warnings;

  void add(Severity severity, String code, String field, String rule, String message) {
    Violation v = new Violation(code, field, rule, message);
    if (severity == Severity.ERROR || severity == Severity.CRITICAL) {
      if (errors == null) {
        errors = new ArrayList<>(2);
      }
      errors.add(v);
    } else {
      if (warnings == null) {
        warnings = new ArrayList<>(2);
      }
      warnings.add(v);
    }
  }

  void add(Severity severity, String code, FieldPath field, String rule, String message) {
    add(severity, code, field.toString(), rule, message);
  }

  void error(String code, FieldPath field, String rule, String message) {
    add(Severity.ERROR, code, field.toString(), rule, message);
  }

  boolean hasErrors() {
    return errors != null;
  }

  List<Violation> errors() {
    return errors == null ? List.of() : errors;
  }

  List<Violation> warnings() {
    return warnings == null ? List.of() : warnings;
  }
}
