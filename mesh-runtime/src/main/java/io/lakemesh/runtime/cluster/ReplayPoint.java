package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.storage.SnapshotPositions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/** Where a replay starts in an upstream table: after a snapshot, after the last commit before a time, or at the start. */
public final class ReplayPoint {
  private ReplayPoint() {}

  /**
   * Refuses a {@code from} no replay of the product takes (a typo) with the message the replay itself would give,
   * so that no worker stops for it.
   *
   * @param source whether the product is a source product (it replays its raw log: beginning or a time)
   * @throws IllegalArgumentException naming what {@code from} may be
   */
  public static void checkForm(String from, boolean source) {
    if (source) {
      io.lakemesh.runtime.pipeline.SourceReprocessing.startOf(from);
    } else if (from != null && !from.isBlank() && !from.equals("beginning")) {
      if (from.startsWith("snapshot:")) {
        snapshotId(from);
      } else {
        time(from);
      }
    }
  }

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
      long id = snapshotId(from);
      for (Snapshot s : SnapshotPositions.lineage(upstream)) {
        if (s.snapshotId() == id) {
          return id;
        }
      }
      throw new IllegalArgumentException("snapshot " + id + " is not in " + upstream.name() + "'s history");
    }
    Instant time = time(from);
    for (Snapshot s : SnapshotPositions.lineage(upstream)) {
      if (s.timestampMillis() < time.toEpochMilli()) {
        return s.snapshotId();
      }
    }
    return null; // the time is before the first commit: the whole history
  }

  private static long snapshotId(String from) {
    try {
      return Long.parseLong(from.substring("snapshot:".length()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("from=snapshot:<id> needs a numeric snapshot id, not '" + from + "'");
    }
  }

  private static Instant time(String from) {
    try {
      return Instant.parse(from);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("from must be 'beginning', 'snapshot:<id>' or an ISO-8601 time such as"
          + " 2026-11-25T08:00:00Z, not '" + from + "'"
          + io.lakemesh.contracts.validate.Timestamps.plusReadAsSpaceHint(from));
    }
  }
}
