package io.lakemesh.runtime.pipeline;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The next Kafka offset to read per partition, as stored in an Iceberg snapshot summary: {@code 0:120,1:98}.
 * Written in the same commit as the data it covers, so a table's last snapshot says exactly where to resume.
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
