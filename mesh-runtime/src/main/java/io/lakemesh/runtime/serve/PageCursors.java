package io.lakemesh.runtime.serve;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.iceberg.Table;

/**
 * What the API's page cursors (rows, quarantine) share: opaque text of a few fields, a fingerprint of the table and
 * parameters they were made for, and the table snapshot every page of one query reads.
 */
final class PageCursors {
  private PageCursors() {}

  /** The cursor text of {@code fields}, behind a {@code version} that tells one cursor kind from another. */
  static String encode(String version, Object... fields) {
    StringBuilder text = new StringBuilder(version);
    for (Object field : fields) {
      text.append(':').append(field);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The {@code count} fields of a cursor of {@code version}; a 400 {@code bad-cursor} for anything else. */
  static String[] decode(String text, String version, int count) throws RowQueries.BadQueryException {
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":", -1);
    } catch (IllegalArgumentException notBase64) {
      parts = new String[0];
    }
    if (parts.length != count + 1 || !parts[0].equals(version)) {
      throw notOurs();
    }
    return java.util.Arrays.copyOfRange(parts, 1, parts.length);
  }

  static RowQueries.BadQueryException notOurs() {
    return new RowQueries.BadQueryException("bad-cursor", "cursor is not one this API gave out: pass the value of"
        + " the 'next' link unchanged");
  }

  /** A fingerprint of the table and the parameters a cursor was made for: it is refused with any others. */
  static String fingerprint(Table table, String parameters) {
    return Integer.toHexString((table.name() + "\u0000" + parameters).hashCode());
  }

  /** The snapshot the pages read: the cursor's, or the current one for a first page; 410 once it has expired. */
  static long snapshot(Table table, Long cursorSnapshot) throws RowQueries.BadQueryException {
    long snapshotId = cursorSnapshot == null ? table.currentSnapshot().snapshotId() : cursorSnapshot;
    if (table.snapshot(snapshotId) == null) {
      throw new RowQueries.BadQueryException(410, "cursor-expired", "the snapshot this cursor pages through has"
          + " expired (the pipelines keep snapshots for lakemesh.pipeline.snapshot-retention.max-age): start again"
          + " without a cursor");
    }
    return snapshotId;
  }
}
