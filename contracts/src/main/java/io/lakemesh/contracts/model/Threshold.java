package io.lakemesh.contracts.model;

import java.math.BigDecimal;

/** The ODCS comparison of a quality metric: {@code mustBe}, {@code mustBeBetween}, … */
public record Threshold(Operator operator, BigDecimal value, BigDecimal upper) {

  public enum Operator {
    MUST_BE, MUST_NOT_BE, GREATER_THAN, GREATER_OR_EQUAL, LESS_THAN, LESS_OR_EQUAL, BETWEEN, NOT_BETWEEN
  }

  /** The default of a library metric without an operator: no offending value at all. */
  public static final Threshold ZERO = new Threshold(Operator.MUST_BE, BigDecimal.ZERO, null);

  /**
   * True when this threshold refuses a measurement that {@code before} accepted: it is stricter somewhere. A change
   * of operator counts as stricter (conservative: the evolution gate would rather ask for a review).
   */
  public boolean refusesMoreThan(Threshold before) {
    if (before.operator != operator) {
      return true;
    }
    return switch (operator) {
      case MUST_BE, MUST_NOT_BE -> value.compareTo(before.value) != 0;
      case GREATER_THAN, GREATER_OR_EQUAL -> value.compareTo(before.value) > 0;
      case LESS_THAN, LESS_OR_EQUAL -> value.compareTo(before.value) < 0;
      case BETWEEN -> value.compareTo(before.value) > 0 || upper.compareTo(before.upper) < 0;
      case NOT_BETWEEN -> value.compareTo(before.value) < 0 || upper.compareTo(before.upper) > 0;
    };
  }

  public boolean accepts(BigDecimal measured) {
    return switch (operator) {
      case MUST_BE -> measured.compareTo(value) == 0;
      case MUST_NOT_BE -> measured.compareTo(value) != 0;
      case GREATER_THAN -> measured.compareTo(value) > 0;
      case GREATER_OR_EQUAL -> measured.compareTo(value) >= 0;
      case LESS_THAN -> measured.compareTo(value) < 0;
      case LESS_OR_EQUAL -> measured.compareTo(value) <= 0;
      case BETWEEN -> measured.compareTo(value) >= 0 && measured.compareTo(upper) <= 0;
      case NOT_BETWEEN -> measured.compareTo(value) < 0 || measured.compareTo(upper) > 0;
    };
  }

  /** True when a single offending row already breaks the rule (e.g. {@code mustBe: 0}). */
  public boolean rejectsAnyOffender() {
    return (operator == Operator.MUST_BE && value.signum() == 0)
        || (operator == Operator.LESS_THAN && value.compareTo(BigDecimal.ONE) <= 0)
        || (operator == Operator.LESS_OR_EQUAL && value.signum() == 0);
  }
}
