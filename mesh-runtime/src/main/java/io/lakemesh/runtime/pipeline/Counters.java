package io.lakemesh.runtime.pipeline;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Cumulative counts of a stage (duplicates dropped, failures per rule, …), carried forward in every snapshot
 * summary as {@code lakemesh.count.<name>} so they survive restarts exactly like the data.
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
