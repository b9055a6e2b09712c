package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.policy.ColumnMask;
import io.lakemesh.runtime.security.JsonMasks;
import io.lakemesh.runtime.security.ReadScope;
import java.util.Map;
import java.util.Optional;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.cel.IcebergFilters;
import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.cel.RowPredicate;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Reads a product's rows for consumers: a CEL filter (pushed down to Iceberg as far as it translates exactly, and
 * evaluated on every returned row), a column selection and a row limit.
 */
public final class RowQueries {
  public static final int MAX_LIMIT = 10_000;

  /** A query a consumer sent; the message of a refused query says what to fix. */
  public record Query(String filter, List<String> select, int limit) {}

  /** One page of rows, and the cursor of the next page (null when there is none). */
  public record Page(ArrayNode rows, String next) {}

  /** A query that cannot run as asked. */
  public static final class BadQueryException extends Exception {
    private final String slug;
    private final int status;

    public BadQueryException(String slug, String message) {
      this(400, slug, message);
    }

    public BadQueryException(int status, String slug, String message) {
      super(message);
      this.slug = slug;
      this.status = status;
    }

    public String slug() {
      return slug;
    }

    /** 400 for a query that is wrong, 403 for one the caller may not ask. */
    public int status() {
      return status;
    }
  }

  private final Warehouse warehouse;

  private java.time.Duration timeout = java.time.Duration.ofDays(1);

  /**
   * Reads stop at this budget (checked as rows are scanned), so a query that times out for its caller does not
   * keep a thread busy afterwards.
   */
  public RowQueries withTimeout(java.time.Duration queryTimeout) {
    this.timeout = queryTimeout;
    return this;
  }

  private void checkDeadline(long deadline) {
    if (System.nanoTime() > deadline) {
      throw new QueryTimeoutException("the read ran past the query timeout of " + timeout.toSeconds()
          + " s; narrow the filter or lower the limit");
    }
  }

  /** A read stopped at the query timeout. */
  public static final class QueryTimeoutException extends RuntimeException {
    public QueryTimeoutException(String message) {
      super(message);
    }
  }

  public RowQueries(Warehouse warehouse) {
    this.warehouse = warehouse;
  }

  public static Query parse(String filter, String select, String limit) throws BadQueryException {
    int n = 100;
    if (limit != null) {
      try {
        n = Integer.parseInt(limit.trim());
      } catch (NumberFormatException e) {
        throw new BadQueryException("bad-limit", "limit must be a whole number, got '" + limit + "'");
      }
      if (n < 0 || n > MAX_LIMIT) {
        throw new BadQueryException("bad-limit", "limit must be between 0 and " + MAX_LIMIT);
      }
    }
    List<String> columns = new ArrayList<>();
    if (select != null && !select.isBlank()) {
      for (String c : select.split(",")) {
        if (!c.isBlank()) {
          columns.add(c.trim());
        }
      }
    }
    return new Query(filter == null || filter.isBlank() ? null : filter, columns, n);
  }

  /**
   * The rows of a product the caller may see, masked for the caller: the caller's filter narrows the rows its
   * scope shows, and the limit counts visible rows only.
   */
  public ArrayNode rows(Product product, Query query, ReadScope scope) throws BadQueryException {
    return page(product, query, scope, null).rows();
  }

  /**
   * A page of {@link #rows}: the first (no {@code cursor}), or the one after the page whose {@link Page#next} the
   * caller sends back. Every page of one query reads the snapshot the first read, so rows committed meanwhile
   * neither shift nor repeat them; each page scans past the rows before it.
   */
  public Page page(Product product, Query query, ReadScope scope, String cursorText) throws BadQueryException {
    Table table = StageTables.served(warehouse, product);
    RowCursor cursor = cursorText == null ? null : RowCursor.decode(cursorText, table, query);
    for (String c : query.select()) {
      if (c.contains(".") && table.schema().asStruct().field(c) == null && table.schema().findField(c) != null) {
        throw new BadQueryException("unknown-column", "select takes top-level columns; '" + c + "' is inside '"
            + c.substring(0, c.indexOf('.')) + "': select that column");
      }
      if (table.schema().asStruct().field(c) == null) {
        throw new BadQueryException("unknown-column", "select names '" + c + "', which " + product.id()
            + " does not have; columns: " + table.schema().columns().stream().map(f -> f.name()).toList());
      }
      if (scope.masksWhole(c)) {
        throw new BadQueryException(403, "masked-column", "select names '" + c + "', which is masked for your"
            + " roles; leave it out (it is returned masked when no select is given)");
      }
    }
    RowPredicate predicate = null;
    Expression pushdown = Expressions.alwaysTrue();
    if (query.filter() != null) {
      try {
        predicate = RowExpressions.forFields(product.contract().table().fields()).compile(query.filter());
      } catch (InvalidExpressionException e) {
        throw new BadQueryException("bad-filter", "the filter cannot be used on " + product.id()
            + ": " + e.getMessage().replace('\n', ' '));
      }
      Optional<String> refusal = scope.filterRefusal(predicate);
      if (refusal.isPresent()) {
        throw new BadQueryException(403, "masked-column", refusal.get());
      }
      pushdown = IcebergFilters.toIceberg(predicate, table.schema());
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    if (table.currentSnapshot() == null || query.limit() == 0) {
      return new Page(out, null);
    }
    long snapshotId = PageCursors.snapshot(table, cursor == null ? null : cursor.snapshotId());
    long skip = cursor == null ? 0 : cursor.skip();
    long visible = 0;
    boolean more = false;
    Set<String> columns = new LinkedHashSet<>(query.select());
    // every page filters as the first did: `now - duration("1h")` must not move between pages
    Instant now = cursor == null ? Instant.now() : Instant.ofEpochMilli(cursor.nowMillis());
    long deadline = System.nanoTime() + timeout.toNanos();
    int scanned = 0;
    long evaluated = 0;
    long failed = 0;
    String firstFailure = null;
    // all columns are read when filtering or under a row filter: the CEL predicates may use any of them
    try (CloseableIterable<Record> rows = TableReader.readInOrder(table, snapshotId, pushdown,
        predicate == null && scope.unrestricted() ? query.select() : List.of())) {
      for (Record r : rows) {
        if (++scanned % 1024 == 0) {
          checkDeadline(deadline);
        }
        // the caller's row filters first: the caller's own filter (its failures, their count and messages) may only
        // ever see rows the caller may read
        Optional<Map<String, ColumnMask>> masks = scope.masks(r);
        if (masks.isEmpty()) {
          continue;
        }
        if (predicate != null) {
          evaluated++;
          try {
            if (!predicate.test(r, now)) {
              continue;
            }
          } catch (CelEvaluationException e) {
            // a row the filter cannot evaluate does not match it; one that lacks a value the filter reads (a
            // missing optional member, CEL having no null-safe navigation) is no failure of the filter either
            if (predicate.absentBehind(e, r).isEmpty()) {
              failed++;
              if (firstFailure == null) {
                firstFailure = predicate.describe(e);
              }
            }
            continue;
          }
        }
        if (visible++ < skip) {
          continue; // on an earlier page
        }
        if (out.size() == query.limit()) {
          more = true; // one visible row beyond the page: there is a next one
          break;
        }
        ObjectNode row = JsonRows.row(r, columns);
        JsonMasks.apply(row, masks.get());
        out.add(row);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (failed > 0 && failed == evaluated) {
      // not "no row matches": the filter could not be evaluated on any row, which an empty answer would hide
      throw new BadQueryException("bad-filter", "the filter failed on every row it was evaluated on (" + failed
          + "): " + String.valueOf(firstFailure).replace('\n', ' '));
    }
    return new Page(out, more ? new RowCursor(snapshotId, skip + out.size(), now.toEpochMilli(),
        RowCursor.fingerprint(table, query)).encode() : null);
  }

  /**
   * A page of the quarantined events of a source product the caller may see, newest first (see {@link
   * QuarantinePages}). The payload is the raw event: a caller with a restricted scope sees it only when it parses as
   * a JSON object its row filters show, with the classified fields masked inside it and the values of members the
   * contract does not declare redacted.
   */
  public Page quarantine(Product product, QuarantinePages.Query query, ReadScope scope, String cursor)
      throws BadQueryException {
    long deadline = System.nanoTime() + timeout.toNanos();
    return QuarantinePages.read(StageTables.quarantine(warehouse, product), product, query, scope, cursor,
        () -> checkDeadline(deadline));
  }
}
