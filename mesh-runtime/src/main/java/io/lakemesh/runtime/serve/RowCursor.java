package io.lakemesh.runtime.serve;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of the rows API ends: the table snapshot the pages read (so rows committed meanwhile neither shift
 * nor repeat them) and how many visible rows came before. Opaque to clients; it belongs to one filter and select.
 *
 * @param nowMillis the {@code now} of the first page, which every page's filter reads
 * @param query a fingerprint of the filter and select the cursor was made for
 */
record RowCursor(long snapshotId, long skip, long nowMillis, String query) {

  /** The fingerprint of a query's filter and select, which a cursor must carry to be used with it. */
  static String fingerprint(RowQueries.Query q) {
    String text = (q.filter() == null ? "" : q.filter()) + "\u0000" + String.join(",", q.select());
    return Integer.toHexString(text.hashCode());
  }

  String encode() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("2:" + snapshotId + ":" + skip + ":" + nowMillis
        + ":" + query).getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor a client sent back, checked against the query it comes with. */
  static RowCursor decode(String text, RowQueries.Query q) throws RowQueries.BadQueryException {
    String[] parts;
    try {
      parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
    } catch (IllegalArgumentException e) {
      parts = new String[0];
    }
    RowCursor cursor;
    try {
      cursor = parts.length == 5 && parts[0].equals("2")
          ? new RowCursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]), parts[4])
          : null;
    } catch (NumberFormatException e) {
      cursor = null;
    }
    if (cursor == null || cursor.skip() < 0) {
      throw new RowQueries.BadQueryException("bad-cursor", "cursor is not one this API gave out: pass the value of"
          + " the 'next' link unchanged");
    }
    if (!cursor.query().equals(fingerprint(q))) {
      throw new RowQueries.BadQueryException("bad-cursor", "the cursor belongs to another filter or select: page"
          + " with the same filter and select as the first request");
    }
    return cursor;
  }
}
