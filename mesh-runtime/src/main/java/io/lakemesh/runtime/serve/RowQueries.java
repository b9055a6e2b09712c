package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
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

  /** A query that cannot run as asked. */
  public static final class BadQueryException extends Exception {
    private final String slug;

    public BadQueryException(String slug, String message) {
      super(message);
      this.slug = slug;
    }

    public String slug() {
      return slug;
    }
  }

  private final Warehouse warehouse;

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

  public ArrayNode rows(Product product, Query query) throws BadQueryException {
    Table table = StageTables.served(warehouse, product);
    for (String c : query.select()) {
      if (table.schema().findField(c) == null) {
        throw new BadQueryException("unknown-column", "select names '" + c + "', which " + product.id()
            + " does not have; columns: " + table.schema().columns().stream().map(f -> f.name()).toList());
      }
    }
    RowPredicate predicate = null;
    Expression pushdown = Expressions.alwaysTrue();
    if (query.filter() != null) {
      try {
        predicate = RowExpressions.forFields(product.contract().table().fields()).compile(query.filter());
      } catch (InvalidExpressionException e) {
        throw new BadQueryException("bad-filter", "the filter is not a valid CEL expression over " + product.id()
            + ": " + e.getMessage().replace('\n', ' '));
      }
      pushdown = IcebergFilters.toIceberg(predicate, table.schema());
    }
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    if (table.currentSnapshot() == null || query.limit() == 0) {
      return out;
    }
    Set<String> columns = new LinkedHashSet<>(query.select());
    Instant now = Instant.now();
    // all columns are read when filtering: the CEL predicate may use any of them
    try (CloseableIterable<Record> rows = TableReader.read(table, pushdown,
        predicate == null ? query.select() : List.of())) {
      for (Record r : rows) {
        if (predicate != null) {
          try {
            if (!predicate.test(r, now)) {
              continue;
            }
          } catch (CelEvaluationException e) {
            // a row the filter cannot evaluate (e.g. a missing optional value) does not match it
            continue;
          }
        }
        out.add(JsonRows.row(r, columns));
        if (out.size() >= query.limit()) {
          break;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The newest quarantined events of a source product, newest first. */
  public ArrayNode quarantine(Product product, int limit) {
    Table table = StageTables.quarantine(warehouse, product);
    ArrayNode out = JsonNodeFactory.instance.arrayNode();
    if (table.currentSnapshot() == null || limit == 0) {
      return out;
    }
    Comparator<Record> byTime = Comparator.comparing(r -> (OffsetDateTime) r.getField("received_at"));
    PriorityQueue<Record> newest = new PriorityQueue<>(byTime.thenComparing(r -> (Long) r.getField("kafka_offset")));
    try (CloseableIterable<Record> rows = TableReader.read(table)) {
      for (Record r : rows) {
        newest.add(r.copy());
        if (newest.size() > limit) {
          newest.poll();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Record> sorted = new ArrayList<>(newest);
    sorted.sort(byTime.reversed());
    sorted.forEach(r -> out.add(JsonRows.row(r, List.of())));
    return out;
  }
}
