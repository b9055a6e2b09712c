package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.storage.SnapshotPositions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Where a source table keeps each Kafka partition's state: the newest snapshot whose source positions name the
 * partition. Workers of different partitions commit to one table, each naming only its own partitions, so this
 * walks back from the current snapshot as far as needed; a partition idle for longer than the snapshot retention is
 * found through its tag ({@link SnapshotRetention}).
 */
public final class PartitionSnapshots {
  private PartitionSnapshots() {}

  /** The newest snapshot of each of {@code partitions} that has one, newest first. */
  public static Map<Integer, Snapshot> newest(Table table, Set<Integer> partitions) {
    Map<Integer, Snapshot> found = new LinkedHashMap<>();
    for (Snapshot snapshot : SnapshotPositions.lineage(table)) {
      String text = snapshot.summary().get(SourcePositions.SUMMARY_KEY);
      if (text == null) {
        continue;
      }
      for (int p : SourcePositions.parse(text).partitions()) {
        if (partitions.contains(p)) {
          found.putIfAbsent(p, snapshot);
        }
      }
      if (found.size() == partitions.size()) {
        return found;
      }
    }
    for (int p : partitions) {
      Snapshot tagged = found.containsKey(p) ? null : SnapshotRetention.tagged(table, p);
      String text = tagged == null ? null : tagged.summary().get(SourcePositions.SUMMARY_KEY);
      if (text != null && SourcePositions.parse(text).partitions().contains(p)) {
        found.put(p, tagged);
      }
    }
    return found;
  }
}
