package io.lakemesh.contracts.model;

import java.math.BigDecimal;
import java.util.List;

/** The ODCS comparison of a quality metric: {@code mustBe}, {@code mustBeBetween}, … */
public record Threshold(Operator operator, BigDecimal value, BigDecimal upper) {

  public enum Operator {
    MUST_BE, MUST_NOT_BE, GREATER_THAN, GREATER_OR_EQUAL, LESS_THAN, LESS_OR_EQUAL, BETWEEN, NOT_BETWEEN
  }

  /** The default of a library metric without an operator: no offending value at all. */
  public static final Threshold ZERO = new Threshold(Operator.MUST_BE, BigDecimal.ZERO, null);

  /**
   * True when this threshold refuses a measurement that {@code before} accepted: it is stricter somewhere
   * ({@code mustBe: 0} to {@code mustBeLessOrEqualTo: 3} is not; {@code mustBeLessThan: 10} to {@code 5} is).
   */
  public boolean refusesMoreThan(Threshold before) {
    return refusesMoreThan(before, new Interval(null, false, null, false));
  }

  /**
   * {@link #refusesMoreThan(Threshold)} over the measurements a metric can take, from {@code low} to {@code high}
   * (null: unbounded): a count is never below 0 and a percentage never above 100, so {@code mustBeLessThan: 50}
   * to {@code mustBeBetween: [0, 50]} refuses nothing more for them.
   */
  public boolean refusesMoreThan(Threshold before, BigDecimal low, BigDecimal high) {
    return refusesMoreThan(before, new Interval(low, low != null, high, high != null));
  }

  private boolean refusesMoreThan(Threshold before, Interval domain) {
    // each threshold accepts a union of intervals; stricter unless every interval before lies inside one now
    List<Interval> now = accepted().stream().flatMap(i -> i.within(domain).stream()).toList();
    return before.accepted().stream().flatMap(i -> i.within(domain).stream())
        .anyMatch(was -> now.stream().noneMatch(is -> is.contains(was)));
  }

  /**
   * This threshold over whole-number measurements (a count of rows): each bound moved to the nearest whole number it
   * admits, so {@code mustBeLessThan: 1000000} and {@code mustBeLessOrEqualTo: 999999} become the same threshold.
   */
  public Threshold onWholeNumbers() {
    java.math.RoundingMode up = java.math.RoundingMode.CEILING;
    java.math.RoundingMode down = java.math.RoundingMode.FLOOR;
    return switch (operator) {
      case LESS_THAN -> new Threshold(Operator.LESS_OR_EQUAL, value.setScale(0, up).subtract(BigDecimal.ONE), null);
      case LESS_OR_EQUAL -> new Threshold(Operator.LESS_OR_EQUAL, value.setScale(0, down), null);
      case GREATER_THAN -> new Threshold(Operator.GREATER_OR_EQUAL, value.setScale(0, down).add(BigDecimal.ONE), null);
      case GREATER_OR_EQUAL -> new Threshold(Operator.GREATER_OR_EQUAL, value.setScale(0, up), null);
      case BETWEEN -> new Threshold(Operator.BETWEEN, value.setScale(0, up), upper.setScale(0, down));
      case NOT_BETWEEN, MUST_BE, MUST_NOT_BE -> this;
    };
  }

  /** The measurements this threshold accepts, as disjoint intervals (null bounds are infinite). */
  private List<Interval> accepted() {
    return switch (operator) {
      case MUST_BE -> List.of(new Interval(value, true, value, true));
      case MUST_NOT_BE -> List.of(new Interval(null, false, value, false), new Interval(value, false, null, false));
      case GREATER_THAN -> List.of(new Interval(value, false, null, false));
      case GREATER_OR_EQUAL -> List.of(new Interval(value, true, null, false));
      case LESS_THAN -> List.of(new Interval(null, false, value, false));
      case LESS_OR_EQUAL -> List.of(new Interval(null, false, value, true));
      case BETWEEN -> List.of(new Interval(value, true, upper, true));
      case NOT_BETWEEN -> List.of(new Interval(null, false, value, false), new Interval(upper, false, null, false));
    };
  }

  /** An interval of measurements; a null bound is unbounded on that side. */
  private record Interval(BigDecimal low, boolean lowIncluded, BigDecimal high, boolean highIncluded) {
    /** This interval cut to {@code domain}; empty when they do not meet. */
    java.util.Optional<Interval> within(Interval domain) {
      boolean ownLow = domain.low == null || (low != null && low.compareTo(domain.low) > 0);
      boolean sameLow = low != null && domain.low != null && low.compareTo(domain.low) == 0;
      BigDecimal l = ownLow ? low : domain.low;
      boolean li = sameLow ? lowIncluded && domain.lowIncluded : ownLow ? lowIncluded : domain.lowIncluded;
      boolean ownHigh = domain.high == null || (high != null && high.compareTo(domain.high) < 0);
      boolean sameHigh = high != null && domain.high != null && high.compareTo(domain.high) == 0;
      BigDecimal h = ownHigh ? high : domain.high;
      boolean hi = sameHigh ? highIncluded && domain.highIncluded : ownHigh ? highIncluded : domain.highIncluded;
      if (l != null && h != null && (l.compareTo(h) > 0 || (l.compareTo(h) == 0 && !(li && hi)))) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(new Interval(l, li, h, hi));
    }

    boolean contains(Interval other) {
      return lowCovers(other) && highCovers(other);
    }

    private boolean lowCovers(Interval other) {
      if (low == null) {
        return true;
      }
      if (other.low == null) {
        return false;
      }
      int c = low.compareTo(other.low);
      return c < 0 || (c == 0 && (lowIncluded || !other.lowIncluded));
    }

    private boolean highCovers(Interval other) {
      if (high == null) {
        return true;
      }
      if (other.high == null) {
        return false;
      }
      int c = high.compareTo(other.high);
      return c > 0 || (c == 0 && (highIncluded || !other.highIncluded));
    }
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

  /**
   * True when a single offending row already breaks the rule (e.g. {@code mustBe: 0}). Of a count, "less than 1"
   * admits no offender; of a share ({@code percent}), one offender is some small share of its batch, so only a
   * share that must be 0 admits none.
   */
  public boolean rejectsAnyOffender(boolean percent) {
    if (percent) {
      return (operator == Operator.MUST_BE && value.signum() == 0)
          || (operator == Operator.LESS_THAN && value.signum() <= 0)
          || (operator == Operator.LESS_OR_EQUAL && value.signum() == 0);
    }
    // a count is a whole number: below 1, at most 0.5, between 0 and 0.9 all admit only 0
    return (operator == Operator.MUST_BE && value.signum() == 0)
        || (operator == Operator.LESS_THAN && value.compareTo(BigDecimal.ONE) <= 0)
        || (operator == Operator.LESS_OR_EQUAL && value.compareTo(BigDecimal.ONE) < 0)
        || (operator == Operator.BETWEEN && upper.compareTo(BigDecimal.ONE) < 0);
  }
}
