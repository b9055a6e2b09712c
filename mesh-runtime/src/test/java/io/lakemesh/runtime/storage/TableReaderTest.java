package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableReaderTest {
  private static final TableIdentifier ORDERS = TableIdentifier.of("retail", "orders_bronze");

  @TempDir Path home;

  @Test
  void aSnapshotFromBeforeAnAddedColumnIsReadInTheTablesSchema() throws Exception {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      Snapshot before = TableWriter.append(table,
          TableWriter.write(table, Orders.generate(table.schema(), 0, 50, 3)), Map.of());
      table.updateSchema().addColumn("note", org.apache.iceberg.types.Types.StringType.get()).commit();
      table.refresh();

      // the last snapshot was written before 'note' existed: reads of it see the column, null, and filters bind
      List<Record> all = new java.util.ArrayList<>();
      try (var rows = TableReader.readInOrder(table, before.snapshotId(), Expressions.isNull("note"),
          List.of("note"))) {
        rows.forEach(r -> all.add(r.copy()));
      }
      assertEquals(50, all.size());
      assertTrue(all.stream().allMatch(r -> r.getField("note") == null));
      try (var rows = TableReader.readInOrder(table, before.snapshotId(), Expressions.equal("note", "x"),
          List.of())) {
        assertEquals(0, com.google.common.collect.Iterables.size(rows));
      }
      // a replay of that commit (live streams) carries the column too
      try (var rows = TableReader.readAdded(table, before)) {
        Record first = rows.iterator().next();
        assertTrue(first.struct().field("note") != null, first.struct().toString());
        assertEquals(null, first.getField("note"));
      }
    }
  }

  @Test
  void readsOnlyWhatWasAppendedBetweenTwoSnapshots() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> first = Orders.generate(table.schema(), 0, 3_000, 11);
      List<Record> second = Orders.generate(table.schema(), 3_000, 1_000, 12);
      Snapshot s1 = TableWriter.append(table, TableWriter.write(table, first), Map.of());
      Snapshot s2 = TableWriter.append(table, TableWriter.write(table, second), Map.of());

      List<Record> appended =
          Orders.sortedById(
              TableReader.readAppended(
                  table, s1.snapshotId(), s2.snapshotId(), Expressions.alwaysTrue(), List.of()));
      assertEquals(Orders.sortedById(second), appended);

      assertEquals(
          List.of(),
          Orders.sortedById(
              TableReader.readAppended(
                  table, s2.snapshotId(), s2.snapshotId(), Expressions.alwaysTrue(), List.of())));
    }
  }

  @Test
  void incrementalReadFiltersRowsAndProjectsColumns() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      Snapshot s1 =
          TableWriter.append(
              table, TableWriter.write(table, Orders.generate(table.schema(), 0, 500, 1)), Map.of());
      List<Record> second = Orders.generate(table.schema(), 500, 2_000, 2);
      Snapshot s2 = TableWriter.append(table, TableWriter.write(table, second), Map.of());

      // customer is not a partition column: the filter must act on rows, not only on files.
      var filter =
          Expressions.and(
              Expressions.equal("region", "apac"), Expressions.startsWith("customer", "customer-1"));
      List<Record> rows =
          Orders.sortedById(
              TableReader.readAppended(
                  table, s1.snapshotId(), s2.snapshotId(), filter, List.of("order_id", "lines")));

      List<Record> expected =
          Orders.sortedById(second).stream()
              .filter(r -> r.getField("region").equals("apac"))
              .filter(r -> r.getField("customer") != null)
              .filter(r -> ((String) r.getField("customer")).startsWith("customer-1"))
              .toList();
      assertTrue(expected.size() > 10, "the filter should keep some rows");
      assertEquals(expected.size(), rows.size());
      for (int i = 0; i < rows.size(); i++) {
        assertEquals(expected.get(i).getField("order_id"), rows.get(i).getField("order_id"));
        assertEquals(expected.get(i).getField("lines"), rows.get(i).getField("lines"));
        assertEquals(expected.get(i).getField("customer"), rows.get(i).getField("customer"));
      }
      assertEquals(
          List.of("order_id", "region", "customer", "lines"),
          rows.get(0).struct().fields().stream().map(f -> f.name()).toList());
    }
  }

  @Test
  void overwritesAreNotAppends() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      Snapshot s1 =
          TableWriter.append(
              table, TableWriter.write(table, Orders.generate(table.schema(), 0, 100, 1)), Map.of());
      Snapshot replaced =
          TableWriter.replacePartitions(
              table, TableWriter.write(table, Orders.generate(table.schema(), 100, 100, 2)), Map.of());
      List<Record> appended = Orders.generate(table.schema(), 200, 100, 3);
      Snapshot s3 = TableWriter.append(table, TableWriter.write(table, appended), Map.of());

      assertEquals(
          Orders.sortedById(appended),
          Orders.sortedById(
              TableReader.readAppended(
                  table, s1.snapshotId(), s3.snapshotId(), Expressions.alwaysTrue(), List.of())));
      assertTrue(replaced.snapshotId() != s3.snapshotId());
    }
  }

  @Test
  void refusesARangeThatIsNotOneLineage() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      Snapshot s1 =
          TableWriter.append(
              table, TableWriter.write(table, Orders.generate(table.schema(), 0, 10, 1)), Map.of());
      Snapshot s2 =
          TableWriter.append(
              table, TableWriter.write(table, Orders.generate(table.schema(), 10, 10, 2)), Map.of());

      assertThrows(
          IllegalArgumentException.class,
          () ->
              TableReader.readAppended(
                  table, s2.snapshotId(), s1.snapshotId(), Expressions.alwaysTrue(), List.of()));
    }
  }
}
