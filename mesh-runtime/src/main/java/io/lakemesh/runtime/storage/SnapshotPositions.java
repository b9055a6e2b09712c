package io.lakemesh.runtime.storage;

import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Reads back the source positions that stages commit in snapshot summaries (see {@link
 * TableWriter#append}), so a restarted stage resumes exactly where its last commit ended.
 */
public final class SnapshotPositions {
  /** Summary key of the Kafka offsets a stage consumed up to (its format is the stage's own). */
  public static final String SOURCE_OFFSETS = "lakemesh.source.offsets";

  private SnapshotPositions() {}

  /**
   * The value of {@code key} in the newest snapshot that has it, walking from the current snapshot
   * back through its parents. Snapshots without the key (compaction, another stage writing the
   * same table with its own key) are passed over.
   *
   * <p>Reads the table's metadata as loaded; call {@code table.refresh()} first to see commits
   * made since. The walk stops at the oldest snapshot not yet expired: expire snapshots so that at
   * least one carrying each key survives, or the position is lost.
   *
   * @return empty if no snapshot in the current lineage has the key, or the table has no snapshot
   */
  public static Optional<String> latest(Table table, String key) {
    for (Snapshot snapshot : lineage(table)) {
      String value = snapshot.summary().get(key);
      if (value != null) {
        return Optional.of(value);
      }
    }
    return Optional.empty();
  }

  /**
   * The current snapshot and its ancestors, newest first, as far as they are not expired. Lazy: a caller that
   * stops early reads no further.
   */
  public static Iterable<Snapshot> lineage(Table table) {
    return () -> new java.util.Iterator<>() {
      private Snapshot next = table.currentSnapshot();

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Snapshot next() {
        if (next == null) {
          throw new java.util.NoSuchElementException();
        }
        Snapshot current = next;
        Long parent = current.parentId();
        next = parent == null ? null : table.snapshot(parent);
        return current;
      }
    };
  }
}
