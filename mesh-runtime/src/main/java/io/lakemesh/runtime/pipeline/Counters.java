package io.lakemesh.runtime.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cumulative counts of a stage (duplicates dropped, failures per rule, …), carried forward in every snapshot
 * summary as {@code lakemesh.count.<name>} so they survive restarts exactly like the data. The counts of a snapshot
 * cover the Kafka partitions its source positions name: each worker counts its own partitions.
 */
public final class Counters {
  public static final String PREFIX = "lakemesh.count.";
  private final Map<String, Long> counts = new HashMap<>();

  public static Counters fromSummary(Map<String, String> summary) {
    Counters c = new Counters();
    if (summary != null) {
      summary.forEach((k, v) -> {
        if (k.startsWith(PREFIX)) {
          c.counts.put(k.substring(PREFIX.length()), Long.parseLong(v));
        }
      });
    }
    return c;
  }

  /**
   * The counts of {@code partitions} committed to a table: the sum over the newest snapshots of disjoint partition
   * sets that together cover them (one per worker that committed them).
   */
  public static Counters committed(org.apache.iceberg.Table table, java.util.Set<Integer> partitions) {
    Counters total = new Counters();
    java.util.Set<Integer> covered = new java.util.HashSet<>();
    for (org.apache.iceberg.Snapshot snapshot : new java.util.LinkedHashSet<>(
        PartitionSnapshots.newest(table, partitions).values())) {
      java.util.Set<Integer> parts =
          SourcePositions.parse(snapshot.summary().get(SourcePositions.SUMMARY_KEY)).partitions();
      // a snapshot of a wider worker, or overlapping counts already taken, cannot be split: only disjoint ones add
      if (partitions.containsAll(parts) && parts.stream().noneMatch(covered::contains)) {
        fromSummary(snapshot.summary()).counts.forEach(total::add);
        covered.addAll(parts);
      }
    }
    return total;
  }

  public void add(String name, long n) {
    counts.merge(name, n, Long::sum);
  }

  public long get(String name) {
    return counts.getOrDefault(name, 0L);
  }

  public Counters copy() {
    Counters c = new Counters();
    c.counts.putAll(counts);
    return c;
  }

  public Map<String, Long> asMap() {
    return new TreeMap<>(counts);
  }

  public void writeTo(Map<String, String> summary) {
    counts.forEach((k, v) -> summary.put(PREFIX + k, Long.toString(v)));
  }
}
