package io.lakemesh.runtime.serve;

import org.apache.iceberg.Table;

/**
 * Where a page of the rows API ends: the table snapshot the pages read (so rows committed meanwhile neither shift
 * nor repeat them) and how many visible rows came before. Opaque to clients; it belongs to one table, filter and
 * select.
 *
 * @param nowMillis the {@code now} of the first page, which every page's filter reads
 * @param query a fingerprint of the table, filter and select the cursor was made for
 */
record RowCursor(long snapshotId, long skip, long nowMillis, String query) {
  private static final String VERSION = "2";

  /** The fingerprint of a query on a table, which a cursor must carry to be used with it. */
  static String fingerprint(Table table, RowQueries.Query q) {
    return PageCursors.fingerprint(table, (q.filter() == null ? "" : q.filter()) + "\u0000"
        + String.join(",", q.select()));
  }

  String encode() {
    return PageCursors.encode(VERSION, snapshotId, skip, nowMillis, query);
  }

  /** The cursor a client sent back, checked against the table and query it comes with. */
  static RowCursor decode(String text, Table table, RowQueries.Query q) throws RowQueries.BadQueryException {
    String[] f = PageCursors.decode(text, VERSION, 4);
    RowCursor cursor;
    try {
      cursor = new RowCursor(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]);
    } catch (NumberFormatException e) {
      throw PageCursors.notOurs();
    }
    if (cursor.skip() < 0) {
      throw PageCursors.notOurs();
    }
    if (!cursor.query().equals(fingerprint(table, q))) {
      throw new RowQueries.BadQueryException("bad-cursor", "the cursor belongs to another product, filter or select:"
          + " page with the same ones as the first request");
    }
    return cursor;
  }
}
