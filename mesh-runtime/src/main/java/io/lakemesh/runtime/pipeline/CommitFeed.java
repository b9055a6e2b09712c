package io.lakemesh.runtime.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.data.Record;

/**
 * The rows of a table's most recent commits, kept in memory by the stage that wrote them so that a downstream stage
 * in the same process can fold them in without reading the files back. Bounded: only the last few commits are kept;
 * a reader that needs older ones reads the table as usual. Thread-safe.
 */
public final class CommitFeed implements CommitListener {
  private record Commit(Long parentId, List<Record> rows) {}

  private final int capacity;
  private final Map<Long, Commit> commits = new LinkedHashMap<>();

  public CommitFeed(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public void committed(String productId, org.apache.iceberg.Snapshot snapshot, List<Record> rows) {
    publish(snapshot.snapshotId(), snapshot.parentId(), rows);
  }

  /** Publishes a commit's rows; the rows must not be changed afterwards. */
  public synchronized void publish(long snapshotId, Long parentId, List<Record> rows) {
    commits.put(snapshotId, new Commit(parentId, List.copyOf(rows)));
    while (commits.size() > capacity) {
      Long oldest = commits.keySet().iterator().next();
      commits.remove(oldest);
    }
  }

  /**
   * The rows appended after {@code fromExclusive} up to {@code toInclusive}, oldest commit first, when every commit
   * between them is still held; empty when any is missing (the caller then reads the table).
   */
  public synchronized Optional<List<Record>> between(Long fromExclusive, long toInclusive) {
    List<List<Record>> chain = new ArrayList<>();
    Long at = toInclusive;
    while (at != null && !at.equals(fromExclusive)) {
      Commit c = commits.get(at);
      if (c == null) {
        return Optional.empty();
      }
      chain.add(c.rows());
      at = c.parentId();
    }
    if (fromExclusive != null && at == null) {
      return Optional.empty(); // walked past the start without meeting it
    }
    List<Record> rows = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      rows.addAll(chain.get(i));
    }
    return Optional.of(rows);
  }
}
