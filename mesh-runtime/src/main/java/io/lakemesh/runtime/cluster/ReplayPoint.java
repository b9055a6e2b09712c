package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.storage.SnapshotPositions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/** Where a replay starts in an upstream table: after a snapshot, after the last commit before a time, or at the start. */
final class ReplayPoint {
  private ReplayPoint() {}

  /**
   * @param from {@code beginning}, {@code snapshot:<id>} or an ISO-8601 time
   * @return the upstream snapshot to replay after, or null for the whole history
   * @throws IllegalArgumentException when {@code from} is malformed or names a snapshot not in the table's history
   */
  static Long resolve(String from, Table upstream) {
    if (from == null || from.isBlank() || from.equals("beginning")) {
      return null;
    }
    if (from.startsWith("snapshot:")) {
      long id;
      try {
        id = Long.parseLong(from.substring("snapshot:".length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("from=snapshot:<id> needs a numeric snapshot id, not '" + from + "'");
      }
      for (Snapshot s : SnapshotPositions.lineage(upstream)) {
        if (s.snapshotId() == id) {
          return id;
        }
      }
      throw new IllegalArgumentException("snapshot " + id + " is not in " + upstream.name() + "'s history");
    }
    Instant time;
    try {
      time = Instant.parse(from);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("from must be 'beginning', 'snapshot:<id>' or an ISO-8601 time such as"
          + " 2026-11-25T08:00:00Z, not '" + from + "'"
          + io.lakemesh.contracts.validate.Timestamps.plusReadAsSpaceHint(from));
    }
    for (Snapshot s : SnapshotPositions.lineage(upstream)) {
      if (s.timestampMillis() < time.toEpochMilli()) {
        return s.snapshotId();
      }
    }
    return null; // the time is before the first commit: the whole history
  }
}
