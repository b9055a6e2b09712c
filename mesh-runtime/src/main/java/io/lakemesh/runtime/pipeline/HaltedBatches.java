package io.lakemesh.runtime.pipeline;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateProperties;

/**
 * Where the batch a partition halted on (a failing critical rule) ends, kept in silver's table properties
 * ({@value #PROPERTY_PREFIX}{@code <partition>}): the worker that runs the partition next, after a restart or on
 * another node, judges that batch alone again, so the events that arrived while it was halted cannot change its
 * measure.
 */
final class HaltedBatches {
  static final String PROPERTY_PREFIX = "lakemesh.halted-batch-end.";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HaltedBatches.class);

  private HaltedBatches() {}

  /** The ends (exclusive positions) of the halted batches of these partitions that silver has not passed yet. */
  static Map<Integer, Long> pending(Table silver, Set<Integer> partitions, SourcePositions silverAt) {
    Map<Integer, Long> halted = new HashMap<>();
    for (int p : partitions) {
      String end = silver.properties().get(PROPERTY_PREFIX + p);
      if (end != null && Long.parseLong(end) > silverAt.next(p)) {
        halted.put(p, Long.parseLong(end));
      }
    }
    return halted;
  }

  /** Keeps where a halted batch ends, per partition. */
  static void remember(Table silver, Map<Integer, Long> end, String productId) {
    try {
      UpdateProperties update = silver.updateProperties();
      end.forEach((p, next) -> update.set(PROPERTY_PREFIX + p, Long.toString(next)));
      update.commit();
    } catch (RuntimeException e) {
      // the halt holds in this worker; only a restart would judge the batch with what arrived since
      LOG.warn("{}: could not keep where the halted batch ends in {}'s properties: {}", productId, silver.name(),
          e.toString());
    }
  }

  /** Drops the ends of these partitions once their halted batch is committed. */
  static void forget(Table silver, Set<Integer> partitions, String productId) {
    List<String> kept = partitions.stream().map(p -> PROPERTY_PREFIX + p)
        .filter(silver.properties()::containsKey).toList();
    if (kept.isEmpty()) {
      return;
    }
    try {
      UpdateProperties update = silver.updateProperties();
      kept.forEach(update::remove);
      update.commit();
    } catch (RuntimeException e) {
      // harmless when left: an end silver has passed is not read as a halt
      LOG.warn("{}: could not clear where the halted batch ended in {}'s properties: {}", productId, silver.name(),
          e.toString());
    }
  }
}
