package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableWriterTest {
  private static final TableIdentifier ORDERS = TableIdentifier.of("retail", "orders_silver");

  @TempDir Path home;

  @Test
  void batchSurvivesRestartWithItsSourcePosition() {
    List<Record> written;
    Snapshot committed;
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      written = Orders.generate(table.schema(), 0, 10_000, 42);

      List<DataFile> files = TableWriter.write(table, written);
      // 5 days x 4 regions, all in one batch: one file per partition.
      assertEquals(20, files.size());
      assertEquals(10_000, files.stream().mapToLong(DataFile::recordCount).sum());
      assertTrue(files.stream().allMatch(f -> f.location().endsWith(".parquet")));

      committed =
          TableWriter.append(
              table, files, Map.of(SnapshotPositions.SOURCE_OFFSETS, "orders.raw:0=6000,1=4000"));
      assertEquals(DataOperations.APPEND, committed.operation());
      assertEquals("10000", committed.summary().get("added-records"));
    }

    // A new process: nothing but the directory is shared.
    try (Warehouse reopened = Warehouse.openLocal(home)) {
      Table table = reopened.catalog().loadTable(ORDERS);
      assertEquals(committed.snapshotId(), table.currentSnapshot().snapshotId());
      assertEquals(
          Optional.of("orders.raw:0=6000,1=4000"),
          SnapshotPositions.latest(table, SnapshotPositions.SOURCE_OFFSETS));

      List<Record> expected = Orders.sortedById(written);
      List<Record> actual = Orders.sortedById(TableReader.read(table));
      assertEquals(expected.size(), actual.size());
      for (int i = 0; i < expected.size(); i++) {
        assertEquals(expected.get(i), actual.get(i), "row " + i);
      }
      // Equality above would also hold for wrong-but-consistent types; pin the Java types down.
      Record first = actual.get(1);
      assertEquals(2, ((BigDecimal) first.getField("amount")).scale());
      assertTrue(first.getField("ts") instanceof OffsetDateTime);
      assertEquals("zstd", table.properties().get("write.parquet.compression-codec"));
    }
  }

  @Test
  void filteredProjectedReadReturnsOnlyMatchingRowsAndColumns() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> written = Orders.generate(table.schema(), 0, 2_000, 7);
      TableWriter.append(table, TableWriter.write(table, written), Map.of());

      var filter =
          Expressions.and(
              Expressions.equal("region", "eu"),
              Expressions.greaterThanOrEqual("ts", Orders.day(3).toString()),
              Expressions.greaterThan("amount", new BigDecimal("0.00")));
      List<Record> rows = Orders.sortedById(TableReader.read(table, filter, List.of("order_id")));

      List<Long> expected =
          Orders.sortedById(written).stream()
              .filter(r -> r.getField("region").equals("eu"))
              .filter(r -> !((OffsetDateTime) r.getField("ts")).toInstant().isBefore(Orders.day(3)))
              .filter(r -> ((BigDecimal) r.getField("amount")).signum() > 0)
              .map(r -> (Long) r.getField("order_id"))
              .toList();
      assertTrue(expected.size() > 10, "the filter should keep some rows");
      assertEquals(expected, rows.stream().map(r -> (Long) r.getField("order_id")).toList());
      // order_id was selected; the filter's columns come along; nothing else does.
      Set<String> columns = new HashSet<>();
      rows.get(0).struct().fields().forEach(f -> columns.add(f.name()));
      assertEquals(Set.of("order_id", "region", "ts", "amount"), columns);
    }
  }

  @Test
  void replacePartitionsSwapsOnlyTheDaysItWrites() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> original = Orders.generate(table.schema(), 0, 10_000, 1);
      TableWriter.append(table, TableWriter.write(table, original), Map.of());

      // Recompute day 2 for every region: 40 rows replace its 2,000.
      List<Record> recomputed = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        recomputed.add(Orders.order(table.schema(), 100_000 + i, 2, Orders.REGIONS.get(i % 4)));
      }
      Snapshot replaced =
          TableWriter.replacePartitions(
              table,
              TableWriter.write(table, recomputed),
              Map.of("lakemesh.source.snapshot", "1234"));
      assertEquals(DataOperations.OVERWRITE, replaced.operation());
      assertEquals("1234", replaced.summary().get("lakemesh.source.snapshot"));
      assertEquals("2000", replaced.summary().get("deleted-records"));

      List<Record> expected = new ArrayList<>();
      original.stream().filter(r -> !isDay(r, 2)).forEach(expected::add);
      expected.addAll(recomputed);
      List<Record> actual = Orders.sortedById(TableReader.read(table));
      assertEquals(Orders.sortedById(expected), actual);
    }
  }

  @Test
  void positionIsTheNewestOneAndSurvivesCommitsWithoutIt() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      String key = SnapshotPositions.SOURCE_OFFSETS;
      assertEquals(Optional.empty(), SnapshotPositions.latest(table, key));

      List<Record> batch = Orders.generate(table.schema(), 0, 100, 3);
      TableWriter.append(table, TableWriter.write(table, batch), Map.of(key, "p0=100"));
      // A batch whose records were all rejected still moves the position: an empty commit.
      Snapshot empty = TableWriter.append(table, List.of(), Map.of(key, "p0=150"));
      assertEquals("0", empty.summary().getOrDefault("added-records", "0"));
      // A commit by someone else (say, compaction) carries no position.
      TableWriter.append(
          table, TableWriter.write(table, Orders.generate(table.schema(), 100, 10, 4)), Map.of());

      assertEquals(Optional.of("p0=150"), SnapshotPositions.latest(table, key));
      assertEquals(Optional.empty(), SnapshotPositions.latest(table, "lakemesh.other"));
    }
  }

  @Test
  void recordsOfAnotherSchemaAreRefusedAndLeaveNoFiles() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> batch = new ArrayList<>(Orders.generate(table.schema(), 0, 50, 5));
      Record stranger =
          GenericRecord.create(
              new Schema(Types.NestedField.required(1, "order_id", Types.LongType.get())));
      stranger.setField("order_id", 1L);
      batch.add(stranger);

      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> TableWriter.write(table, batch));
      assertTrue(refused.getMessage().contains("table.schema()"), refused.getMessage());
      assertEquals(List.of(), dataFiles(table), "the aborted batch left files behind");
    }
  }

  @Test
  void aLabelIsInEveryFileNameAndReadBackFromIt() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> batch = Orders.generate(table.schema(), 0, 50, 5);
      List<DataFile> labelled = TableWriter.write(table, batch, "kp2");
      assertTrue(labelled.size() > 1, "one file per day partition");
      labelled.forEach(f -> assertEquals("kp2", TableWriter.labelOf(f), f.location()));
      TableWriter.write(table, batch).forEach(f -> assertEquals(null, TableWriter.labelOf(f), f.location()));
      assertThrows(IllegalArgumentException.class, () -> TableWriter.write(table, batch, "../kp2"));
    }
  }

  private static List<String> dataFiles(Table table) {
    List<String> files = new ArrayList<>();
    new LocalFileIO().listPrefix(table.location() + "/data").forEach(f -> files.add(f.location()));
    return files;
  }

  private static boolean isDay(Record order, int day) {
    OffsetDateTime ts = (OffsetDateTime) order.getField("ts");
    return !ts.toInstant().isBefore(Orders.day(day)) && ts.toInstant().isBefore(Orders.day(day + 1));
  }
}
