package io.lakemesh.runtime.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** Folding contributions into a gold measure: exact, and never a value the column cannot hold. */
class AggregationCombineTest {
  @Test
  void sumsAreExactAndOverflowStopsRatherThanWrapsOrBecomesInfinity() {
    assertEquals(new BigDecimal("0.30"), Aggregation.Combine.SUM.apply(new BigDecimal("0.10"), new BigDecimal("0.20")));
    assertEquals(5L, Aggregation.Combine.SUM.apply(2L, 3L));
    assertEquals(2.5, Aggregation.Combine.SUM.apply(null, 2.5));
    assertEquals(2.5, Aggregation.Combine.SUM.apply(2.5, null));
    assertThrows(ArithmeticException.class, () -> Aggregation.Combine.SUM.apply(Long.MAX_VALUE, 1L));
    assertThrows(ArithmeticException.class, () -> Aggregation.Combine.SUM.apply(Integer.MAX_VALUE, 1));
    ArithmeticException doubles = assertThrows(ArithmeticException.class,
        () -> Aggregation.Combine.SUM.apply(Double.MAX_VALUE, Double.MAX_VALUE));
    assertTrue(doubles.getMessage().startsWith("a sum of doubles overflows"), doubles.getMessage());
    assertEquals(3, Aggregation.Combine.MAX.apply(3, 1));
    assertEquals(1, Aggregation.Combine.MIN.apply(3, 1));
  }
}
