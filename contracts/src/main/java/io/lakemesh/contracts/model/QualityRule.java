package io.lakemesh.contracts.model;

import java.util.List;

/** An ODCS quality rule, attached to a schema object or to one property ({@link #field()} non-null). */
public sealed interface QualityRule {

  /** The rule's name: the reason code a quarantined row carries. */
  String name();

  Severity severity();

  /** Dotted path of the property the rule is attached to, or null for object-level rules. */
  String field();

  /**
   * A predefined ODCS metric ({@code nullValues}, {@code missingValues}, {@code invalidValues},
   * {@code duplicateValues}, {@code rowCount}) compared with an operator.
   */
  /**
   * @param missingValues for {@code missingValues}: the texts that count as missing besides null
   *     ({@code arguments.missingValues}); empty means null or a blank string
   */
  record Library(
      String name, Severity severity, String field, String metric, List<String> validValues, String pattern,
      Threshold threshold, boolean percent, List<String> missingValues, List<String> properties)
      implements QualityRule {
    public Library {
      validValues = List.copyOf(validValues);
      missingValues = List.copyOf(missingValues);
      properties = List.copyOf(properties);
    }

    /**
     * The columns a {@code duplicateValues} rule judges together: its property's, else its
     * {@code arguments.properties}; empty for an object-level rule without them (the primary key).
     */
    public List<String> columns() {
      return field != null ? List.of(field) : properties;
    }

    /**
     * True when a single offending row already breaks the rule, so the row validator refuses the row itself: a count
     * that must stay 0 ({@code mustBe: 0}, {@code mustBeLessThan: 1}, {@code mustBeLessOrEqualTo: 0}), or a share
     * that must be 0 %. Any other share ({@code mustBeLessThan: 1} with {@code unit: percent}) tolerates some
     * offenders, so it is judged over the batch.
     */
    public boolean rejectsAnyOffender() {
      return threshold.rejectsAnyOffender(percent);
    }

    /** Whether this {@code missingValues} rule counts a present value with this text as missing. */
    public boolean countsAsMissing(String text) {
      return missingValues.isEmpty() ? text.isBlank() : missingValues.contains(text);
    }
  }

  /** A row-level CEL expression over the row; true means the row passes. */
  record Cel(String name, Severity severity, String field, String expression, String description)
      implements QualityRule {}

  /** An SQL rule over a committed batch or table (evaluated by the runtime's SQL engine). */
  record Sql(String name, Severity severity, String field, String query, Threshold threshold)
      implements QualityRule {}

  /** Human-readable text only; never evaluated. */
  record Text(String name, Severity severity, String field, String description) implements QualityRule {}
}
