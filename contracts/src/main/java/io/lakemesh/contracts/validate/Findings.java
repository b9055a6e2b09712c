package io.lakemesh.contracts.validate;

import io.lakemesh.contracts.model.Severity;
import java.util.ArrayList;
import java.util.List;

/** Collects the violations of one event, split by whether they reject it. Not thread-safe: one per event. */
final class Findings {
  /**
   * Findings for the streaming pass, which only handles events without any: the first finding sends the event to
   * the tree decoders, which then report it with its path. Stateless, so shared.
   */
  static final Findings TRIPWIRE = new Findings(true);

  private final boolean tripwire;
  private List<Violation> errors;
  private List<Violation> warnings;

  Findings() {
    this(false);
  }

  private Findings(boolean tripwire) {
    this.tripwire = tripwire;
  }

  void add(Severity severity, String code, String field, String rule, String message) {
    if (tripwire) {
      throw StreamDecoder.SlowPath.INSTANCE;
    }
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
    if (tripwire) {
      throw StreamDecoder.SlowPath.INSTANCE;
    }
    add(severity, code, field.toString(), rule, message);
  }

  void error(String code, FieldPath field, String rule, String message) {
    if (tripwire) {
      throw StreamDecoder.SlowPath.INSTANCE;
    }
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
