package io.lakemesh.runtime.product;

import io.lakemesh.contracts.aggregate.AggregateExpression.GroupBy;
import io.lakemesh.contracts.aggregate.AggregateExpression.Measure;
import io.lakemesh.contracts.aggregate.AggregatePlan;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The aggregation of a gold product declared in its contract ({@link AggregatePlan}): no Java of the domain's own.
 * Each upstream row (or, when a column reads into an array, each element of that array) falls into the group its
 * key columns name; a row adds to each of its groups once, so {@code count(distinct <upstream key>)} counts rows.
 */
public final class DeclaredAggregation implements Aggregation {
  private static final List<Object> ONE_ROW = java.util.Collections.singletonList(null);

  private final String name;
  private final AggregatePlan plan;
  /** The exploded array's path up to it, or null. */
  private final List<String> arrayPath;

  public DeclaredAggregation(String goldId, AggregatePlan plan) {
    this.name = goldId;
    this.plan = plan;
    this.arrayPath = plan.array() == null ? null : List.of(plan.array().split("\\."));
  }

  @Override
  public String name() {
    return name;
  }

  public AggregatePlan plan() {
    return plan;
  }

  @Override
  public Combine combine(int measure) {
    return switch (((Measure) plan.measures().get(measure).expression()).function()) {
      case MIN -> Combine.MIN;
      case MAX -> Combine.MAX;
      default -> Combine.SUM;
    };
  }

  @Override
  public void contribute(Record upstream, Emitter out) {
    List<?> elements = ONE_ROW;
    if (arrayPath != null) {
      Object array = walk(upstream, arrayPath, 0, arrayPath.size());
      if (!(array instanceof List<?> list) || list.isEmpty()) {
        return; // no elements: the row belongs to no group
      }
      elements = list;
    }
    // the row's groups: usually one, or a few when an array's elements fall into different groups
    Map<List<Object>, Object[]> groups = new LinkedHashMap<>(4);
    for (Object element : elements) {
      Object[] key = new Object[plan.keys().size()];
      for (int i = 0; i < key.length; i++) {
        AggregatePlan.Column c = plan.keys().get(i);
        Object value = read(upstream, element, c);
        if (value == null) {
          throw new IllegalStateException(name + ": key column '" + c.name() + "' reads " + c.expression()
              + ", which is null in a row of the upstream; the contract requires it");
        }
        key[i] = keyValue((GroupBy) c.expression(), value, c.target());
      }
      Object[] acc = groups.computeIfAbsent(List.of(key), k -> new Object[plan.measures().size()]);
      for (int i = 0; i < acc.length; i++) {
        AggregatePlan.Column c = plan.measures().get(i);
        acc[i] = fold(i, (Measure) c.expression(), acc[i], c.path().isEmpty() ? null
            : read(upstream, element, c), c.target());
      }
    }
    groups.forEach(out::emit);
  }

  /** One row's or element's contribution folded into what this row already gives its group. */
  private Object fold(int measure, Measure m, Object acc, Object value, Type target) {
    return switch (m.function()) {
      case COUNT -> Combine.SUM.apply(acc, convert(m.path() == null || value != null ? 1L : 0L, target));
      // once per row and group, however many of its elements fall into it
      case COUNT_DISTINCT -> convert(1L, target);
      default -> value == null ? acc : combine(measure).apply(acc, convert(value, target));
    };
  }

  private static Object keyValue(GroupBy g, Object value, Type target) {
    return switch (g.function()) {
      case VALUE -> convert(value, target);
      case DAY -> date(value);
      case MONTH -> date(value).withDayOfMonth(1);
      case YEAR -> convert((long) date(value).getYear(), target);
      case HOUR -> ((OffsetDateTime) value).withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.HOURS);
    };
  }

  /** The UTC day of a timestamp, or a date itself. */
  private static LocalDate date(Object value) {
    if (value instanceof OffsetDateTime t) {
      return t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    }
    if (value instanceof LocalDateTime t) {
      return t.toLocalDate();
    }
    return (LocalDate) value;
  }

  /** An upstream value as the gold column stores it (the plan only pairs types that convert exactly). */
  private static Object convert(Object value, Type target) {
    return switch (target.typeId()) {
      case LONG -> ((Number) value).longValue();
      case INTEGER -> Math.toIntExact(((Number) value).longValue());
      case DOUBLE -> ((Number) value).doubleValue();
      case DECIMAL -> {
        int scale = ((Types.DecimalType) target).scale();
        BigDecimal d = value instanceof BigDecimal b ? b : BigDecimal.valueOf(((Number) value).longValue());
        yield d.setScale(scale, RoundingMode.UNNECESSARY);
      }
      default -> value;
    };
  }

  /** A column's value in the row, or in the current array element when its path goes through the array. */
  private Object read(Record row, Object element, AggregatePlan.Column c) {
    if (c.arrayDepth() == 0) {
      return walk(row, c.path(), 0, c.path().size());
    }
    if (c.arrayDepth() == c.path().size()) {
      return element; // an array of values: the element is the value
    }
    return element instanceof Record r ? walk(r, c.path(), c.arrayDepth(), c.path().size()) : null;
  }

  /** Follows {@code path[from..to)} through nested records; null when a step is absent. */
  private static Object walk(Record record, List<String> path, int from, int to) {
    Object at = record;
    for (int i = from; i < to; i++) {
      if (!(at instanceof Record r)) {
        return null;
      }
      at = r.getField(path.get(i));
    }
    return at;
  }
}
