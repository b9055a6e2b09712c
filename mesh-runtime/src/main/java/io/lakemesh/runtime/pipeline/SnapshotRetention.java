package io.lakemesh.runtime.pipeline;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.ManageSnapshots;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotRef;
import org.apache.iceberg.Table;

/**
 * Keeps a streaming table's metadata small: every commit adds a snapshot, and Iceberg rewrites the list of all of
 * them at each commit, so snapshots older than {@code maxAge} are expired (time travel reaches that far back).
 *
 * <p>A source table's Kafka positions live in the snapshots: a partition that has been idle for longer than {@code
 * maxAge} would lose its only snapshot. So before expiring, the newest snapshot of each partition is tagged
 * ({@value #TAG_PREFIX}{@code <partition>}); tagged snapshots are kept, and {@link SourcePositions#committed} and
 * {@link Counters#committed} read them when the history no longer reaches them.
 *
 * @param maxAge snapshots older than this are expired
 * @param retainLast at least this many of the newest snapshots are kept, whatever their age
 * @param every how often a stage runs it
 */
public record SnapshotRetention(Duration maxAge, int retainLast, Duration every) {
  public static final String TAG_PREFIX = "lakemesh-partition-";

  /** Tags each partition's newest snapshot, then expires what is older than the retention. */
  public void applyToSource(Table table, Set<Integer> partitions) {
    table.refresh();
    Map<Integer, Long> newest = new HashMap<>();
    PartitionSnapshots.newest(table, partitions).forEach((p, s) -> newest.put(p, s.snapshotId()));
    ManageSnapshots tags = table.manageSnapshots();
    boolean changed = false;
    for (Map.Entry<Integer, Long> e : newest.entrySet()) {
      String tag = TAG_PREFIX + e.getKey();
      SnapshotRef ref = table.refs().get(tag);
      if (ref == null) {
        tags.createTag(tag, e.getValue());
        changed = true;
      } else if (ref.snapshotId() != e.getValue()) {
        tags.replaceTag(tag, e.getValue());
        changed = true;
      }
    }
    if (changed) {
      tags.commit();
    }
    expire(table);
  }

  /**
   * Logs a failed expiry that the next interval retries: a commit that lost the race with the stage's own commit
   * (Iceberg's optimistic concurrency) is expected and said at info; anything else is a warning.
   */
  void logRetry(org.slf4j.Logger log, String what, RuntimeException failure) {
    if (failure instanceof org.apache.iceberg.exceptions.CommitFailedException) {
      log.info("{}: expiring old snapshots met a concurrent commit; retrying in {}", what, every);
    } else {
      log.warn("{}: expiring old snapshots failed; retrying in {}: {}", what, every, failure.toString());
    }
  }

  /** Expires snapshots older than the retention (derived tables: their current snapshot holds their position). */
  public void expire(Table table) {
    table.expireSnapshots()
        .expireOlderThan(System.currentTimeMillis() - maxAge.toMillis())
        .retainLast(Math.max(1, retainLast))
        .cleanExpiredFiles(true) // replaced gold files; appended files stay referenced
        .commit();
  }

  /** The snapshot a partition's tag points at, or null. */
  static Snapshot tagged(Table table, int partition) {
    SnapshotRef ref = table.refs().get(TAG_PREFIX + partition);
    return ref == null ? null : table.snapshot(ref.snapshotId());
  }
}
