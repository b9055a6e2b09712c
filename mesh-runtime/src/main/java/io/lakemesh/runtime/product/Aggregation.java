package io.lakemesh.runtime.product;

import java.util.List;
import org.apache.iceberg.data.Record;

/**
 * The logic of a gold product that keeps additive aggregates of an upstream product, supplied by a domain module
 * (found with {@link java.util.ServiceLoader}) and named by the gold contract's {@code lakemeshTransform}.
 *
 * <p>The runtime owns everything else: it reads the upstream rows committed since the last run, folds their
 * contributions into the aggregate state, rewrites the affected partitions and records the upstream snapshot in
 * the same commit. The group key is the gold contract's primary key (in key order); the measures are its other
 * columns, in contract order, and must be additive ({@link java.math.BigDecimal}, {@link Long}, {@link Integer},
 * {@link Double}) or, per {@link #combine}, kept as a minimum or maximum.
 *
 * <p>A gold contract that names no transformation declares its columns instead ({@code transformLogic}, see
 * {@link DeclaredAggregation}); most gold products need no Java.
 */
public interface Aggregation {

  /** The name a gold contract refers to in {@code lakemeshTransform}. */
  String name();

  /** Emits what one upstream row adds to the aggregates. */
  void contribute(Record upstream, Emitter out);

  /** How a measure folds a contribution into its aggregate; sums unless the aggregation says otherwise. */
  default Combine combine(int measure) {
    return Combine.SUM;
  }

  /** The ways a measure is kept incrementally over an append-only upstream. */
  enum Combine {
    SUM, MIN, MAX;

    /**
     * An aggregate with one more contribution folded in; null counts as nothing. Sums are exact for decimals and
     * whole numbers, whose overflow throws rather than wrapping around; a sum of doubles that overflows throws too.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Object apply(Object acc, Object delta) {
      if (delta == null) {
        return acc;
      }
      if (acc == null) {
        return delta;
      }
      if (this != SUM) {
        int order = ((Comparable) delta).compareTo(acc);
        return (this == MIN ? order < 0 : order > 0) ? delta : acc;
      }
      if (acc instanceof java.math.BigDecimal a) {
        return a.add((java.math.BigDecimal) delta);
      }
      if (acc instanceof Long a) {
        return Math.addExact(a, ((Number) delta).longValue());
      }
      if (acc instanceof Integer a) {
        return Math.addExact(a, ((Number) delta).intValue());
      }
      if (acc instanceof Double a) {
        double sum = a + ((Number) delta).doubleValue();
        if (Double.isInfinite(sum) && !Double.isInfinite(a)) {
          // a column of finite doubles (silver refuses others) must not turn into Infinity, which no JSON number
          // writes: like a whole-number overflow, it stops the stage with the reason rather than store it
          throw new ArithmeticException("a sum of doubles overflows (" + a + " + " + delta + ")");
        }
        return sum;
      }
      throw new IllegalStateException("measure of type " + acc.getClass().getSimpleName() + " is not additive");
    }
  }

  /** Receives contributions: key values in primary-key order, measures in the order of the measure columns. */
  @FunctionalInterface
  interface Emitter {
    void emit(List<Object> key, Object... measures);
  }
}
