package io.lakemesh.runtime.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;

/**
 * The next Kafka offset to read per partition, as stored in an Iceberg snapshot summary: {@code 0:120,1:98}.
 * Written in the same commit as the data it covers. A product's partitions may be committed by different workers
 * (on different nodes), each recording only its own partitions, so a partition's position is the one in the newest
 * snapshot that mentions it.
 */
public record SourcePositions(Map<Integer, Long> next) {
  public static final String SUMMARY_KEY = "lakemesh.source.offsets";
  public static final String TOPIC_KEY = "lakemesh.source.topic";

  public SourcePositions {
    next = Map.copyOf(next);
  }

  public static SourcePositions empty() {
    return new SourcePositions(Map.of());
  }

  /**
   * The committed positions of {@code partitions} in a table, each from the newest snapshot that records it (see
   * {@link PartitionSnapshots}); a partition never committed is absent (read from offset 0).
   */
  public static SourcePositions committed(Table table, java.util.Set<Integer> partitions) {
    Map<Integer, Long> found = new TreeMap<>();
    PartitionSnapshots.newest(table, partitions).forEach((p, snapshot) ->
        found.put(p, parse(snapshot.summary().get(SUMMARY_KEY)).next(p)));
    return new SourcePositions(found);
  }

  /** The partitions these positions name. */
  public java.util.Set<Integer> partitions() {
    return next.keySet();
  }

  public static SourcePositions parse(String text) {
    Map<Integer, Long> next = new TreeMap<>();
    if (text != null && !text.isBlank()) {
      for (String part : text.split(",")) {
        String[] kv = part.split(":");
        if (kv.length != 2) {
          throw new IllegalArgumentException("corrupt source position '" + text + "'");
        }
        next.put(Integer.parseInt(kv[0].trim()), Long.parseLong(kv[1].trim()));
      }
    }
    return new SourcePositions(next);
  }

  /** The offset to read next in a partition; 0 when nothing of it was committed. */
  public long next(int partition) {
    return next.getOrDefault(partition, 0L);
  }

  /** These positions advanced by the offsets of a batch (positions never move back). */
  public SourcePositions advance(Map<Integer, Long> batchNext) {
    Map<Integer, Long> merged = new TreeMap<>(next);
    batchNext.forEach((p, o) -> merged.merge(p, o, Math::max));
    return new SourcePositions(merged);
  }

  /** The smaller position per partition: where to resume so that no table misses a record. */
  public SourcePositions min(SourcePositions other) {
    Map<Integer, Long> merged = new TreeMap<>();
    java.util.Set<Integer> partitions = new java.util.TreeSet<>(next.keySet());
    partitions.addAll(other.next.keySet());
    for (int p : partitions) {
      merged.put(p, Math.min(next(p), other.next(p)));
    }
    return new SourcePositions(merged);
  }

  public long total() {
    return next.values().stream().mapToLong(Long::longValue).sum();
  }

  public String encode() {
    return new TreeMap<>(next).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }
}
