package io.lakemesh.contracts.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Threshold#refusesMoreThan} against the thresholds' own {@code accepts}, measured on a fine grid. */
class ThresholdPropertyTest {

  @Property(tries = 3000)
  void stricterExactlyWhenSomeMeasurementAcceptedBeforeIsRefusedNow(@ForAll("thresholds") Threshold before,
      @ForAll("thresholds") Threshold now) {
    // bounds are whole numbers in [-4, 4]; halves between them and beyond show every interval's inside and ends
    boolean refusedSomewhere = false;
    for (int halves = -12; halves <= 12; halves++) {
      BigDecimal m = BigDecimal.valueOf(halves).divide(BigDecimal.valueOf(2));
      refusedSomewhere |= before.accepts(m) && !now.accepts(m);
    }
    assertEquals(refusedSomewhere, now.refusesMoreThan(before), before + " -> " + now);
  }

  @Property(tries = 3000)
  void overAMetricsDomainOnlyMeasurementsItCanTakeCount(@ForAll("thresholds") Threshold before,
      @ForAll("thresholds") Threshold now, @ForAll("bounds") int low, @ForAll("bounds") int span,
      @ForAll boolean unboundedAbove) {
    // a metric's measurements lie in [low, high] (a count from 0, a percentage from 0 to 100): a measurement outside
    // it cannot be refused, whatever the thresholds say about it
    int high = low + Math.abs(span);
    boolean refusedSomewhere = false;
    for (int halves = -12; halves <= 12; halves++) {
      BigDecimal m = BigDecimal.valueOf(halves).divide(BigDecimal.valueOf(2));
      boolean possible = m.compareTo(BigDecimal.valueOf(low)) >= 0
          && (unboundedAbove || m.compareTo(BigDecimal.valueOf(high)) <= 0);
      refusedSomewhere |= possible && before.accepts(m) && !now.accepts(m);
    }
    assertEquals(refusedSomewhere, now.refusesMoreThan(before, BigDecimal.valueOf(low),
        unboundedAbove ? null : BigDecimal.valueOf(high)), before + " -> " + now + " over [" + low + ", "
        + (unboundedAbove ? "inf" : high) + "]");
  }

  @Provide
  Arbitrary<Integer> bounds() {
    return Arbitraries.integers().between(-4, 4);
  }

  @Provide
  Arbitrary<Threshold> thresholds() {
    Arbitrary<Integer> bound = Arbitraries.integers().between(-4, 4);
    return Combinators.combine(Arbitraries.of(Threshold.Operator.class), bound, bound).as((op, a, b) -> {
      boolean range = op == Threshold.Operator.BETWEEN || op == Threshold.Operator.NOT_BETWEEN;
      BigDecimal low = BigDecimal.valueOf(Math.min(a, b));
      BigDecimal high = BigDecimal.valueOf(Math.max(a, b));
      return range ? new Threshold(op, low, high) : new Threshold(op, BigDecimal.valueOf(a), null);
    });
  }
}
