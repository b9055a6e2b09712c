package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compaction on a real Iceberg table: the same rows in fewer files, and nothing a reader of appends sees twice. */
class CompactionTest {
  private static final TableIdentifier ORDERS = TableIdentifier.of("retail", "orders_silver");
  private static final int PARTITIONS = Orders.DAYS * Orders.REGIONS.size();
  private static final Compaction EVERYTHING_DUE = new Compaction(10, 32L << 20, 1L << 30);

  @TempDir Path home;

  /** Appends {@code batches} batches of 200 orders, each touching every partition; returns every row written. */
  private static List<Record> appendBatches(Table table, int firstBatch, int batches) {
    List<Record> all = new ArrayList<>();
    for (int b = firstBatch; b < firstBatch + batches; b++) {
      List<Record> batch = Orders.generate(table.schema(), b * 200L, 200, b);
      TableWriter.append(table, TableWriter.write(table, batch), Map.of("batch", Integer.toString(b)));
      all.addAll(batch);
    }
    return all;
  }

  private static int files(Table table) {
    table.refresh();
    int n = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /** The bytes of the table's current data files, as its metadata records them. */
  private static long dataBytes(Table table) {
    table.refresh();
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  private static long parquetFilesOnDisk(Path home) throws IOException {
    try (Stream<Path> files = Files.walk(home)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).count();
    }
  }

  @Test
  void rewritesEachPartitionsSmallFilesAsOneAndKeepsEveryRow() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> written = appendBatches(table, 0, 1);
      Snapshot first = table.currentSnapshot();
      written.addAll(appendBatches(table, 1, 11));
      Snapshot lastAppend = table.currentSnapshot();
      assertEquals(12 * PARTITIONS, files(table));
      long smallFilesBytes = dataBytes(table); // every file is due, so the run reads all of them

      Compaction.Result done = EVERYTHING_DUE.run(table);

      assertEquals(new Compaction.Result(PARTITIONS, 12 * PARTITIONS, PARTITIONS, smallFilesBytes, 2_400), done);
      assertEquals(PARTITIONS, files(table));
      assertEquals(Orders.sortedById(written), Orders.sortedById(TableReader.read(table)));
      Snapshot compacted = table.currentSnapshot();
      assertEquals("240 -> 20", compacted.summary().get(Compaction.SUMMARY_KEY), "one commit for the run");
      // a reader of appends (gold, live streams) gets every appended row once: the rewrite adds none
      assertEquals(Orders.sortedById(written.subList(200, written.size())), Orders.sortedById(
          TableReader.readAppended(table, first.snapshotId(), compacted.snapshotId(), Expressions.alwaysTrue(),
              List.of())));
      assertEquals(Compaction.Result.NONE, EVERYTHING_DUE.run(table), "nothing is due twice");
      assertEquals(lastAppend.snapshotId(), Compaction.newestData(table).snapshotId(),
          "a compaction is not new data: freshness counts from the last append");
    }
  }

  @Test
  void filesOfTwoLabelsInOnePartitionAreRewrittenApartAndCountedAsOnePartition() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      // as silver's workers write: each Kafka partition's rows in files labelled with it
      for (int b = 0; b < 10; b++) {
        for (String label : List.of("kp0", "kp1")) {
          TableWriter.append(table, TableWriter.write(table, Orders.generate(table.schema(), (2 * b + (label.equals(
              "kp0") ? 0 : 1)) * 200L, 200, b), label), Map.of());
        }
      }
      Compaction.Result done = EVERYTHING_DUE.run(table);
      assertEquals(PARTITIONS, done.partitions(), "table partitions, not label groups: " + done);
      assertEquals(2 * PARTITIONS, done.filesAdded(), "one file per label and partition: " + done);
      table.refresh();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          assertTrue(List.of("kp0", "kp1").contains(TableWriter.labelOf(task.file())), task.file().location());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void aPartitionWaitsForMinFilesAndARunStopsAtItsInputBudget() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      appendBatches(table, 0, 5);
      assertEquals(Compaction.Result.NONE, EVERYTHING_DUE.run(table));
      assertEquals(5 * PARTITIONS, files(table));

      Compaction onePartitionARun = new Compaction(5, 32L << 20, 1);
      assertEquals(1, onePartitionARun.run(table).partitions());
      assertEquals(5 * PARTITIONS - 5 + 1, files(table), "one partition's five files became one");
    }
  }

  @Test
  void aStoppedRunCommitsNothingAndLeavesNoFiles() throws IOException {
    // asked before each partition and at its second row: true at the fourth partition's start
    assertEquals(7, stoppedRunLeavesTheTableAsItWas(asked -> asked > 6), "stopped before the fourth partition");
  }

  @Test
  void aStopWhileAPartitionIsWrittenDeletesItsOpenFile() throws IOException {
    assertEquals(2, stoppedRunLeavesTheTableAsItWas(asked -> asked == 2), "stopped at the first partition's row 2");
  }

  /** Runs a compaction whose stop answers {@code stopAt(n)} on its n-th asking; returns how often it asked. */
  private int stoppedRunLeavesTheTableAsItWas(java.util.function.IntPredicate stopAt) throws IOException {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> written = appendBatches(table, 0, 10);
      long onDisk = parquetFilesOnDisk(home);
      int[] asked = {0};

      assertEquals(Compaction.Result.NONE, EVERYTHING_DUE.run(table, () -> stopAt.test(++asked[0])));
      assertEquals(onDisk, parquetFilesOnDisk(home), "what the run wrote is deleted, an open file too");
      assertEquals(10 * PARTITIONS, files(table));
      assertEquals(Orders.sortedById(written), Orders.sortedById(TableReader.read(table)));
      return asked[0];
    }
  }

  @Test
  void filesAnotherRunCompactedFirstAreLeftAloneAndTheNewOnesDeleted() throws IOException {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> written = appendBatches(table, 0, 10);
      Snapshot planned = table.currentSnapshot();
      List<List<DataFile>> stale = EVERYTHING_DUE.plan(table, planned);
      EVERYTHING_DUE.run(table); // another run got there first
      long onDisk = parquetFilesOnDisk(home);

      assertEquals(Compaction.Result.NONE, EVERYTHING_DUE.rewrite(table, stale, planned.snapshotId(), () -> false));
      assertEquals(onDisk, parquetFilesOnDisk(home), "the losing run's files are deleted");
      assertEquals(Orders.sortedById(written), Orders.sortedById(TableReader.read(table)));
    }
  }

  @Test
  void rowsAppendedWhileARunRewritesStayAndOldRowsGainEvolvedColumnsAsNull() {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> written = appendBatches(table, 0, 10);
      table.updateSchema().addColumn("note", Types.StringType.get()).commit();
      Record noted = Orders.order(table.schema(), 99_999, 0, "eu");
      noted.setField("note", "gift");
      Snapshot planned = table.currentSnapshot();
      List<List<DataFile>> plan = EVERYTHING_DUE.plan(table, planned);
      TableWriter.append(table, TableWriter.write(table, List.of(noted)), Map.of()); // lands during the run

      assertEquals(PARTITIONS, EVERYTHING_DUE.rewrite(table, plan, planned.snapshotId(), () -> false).partitions());

      List<Record> rows = Orders.sortedById(TableReader.read(table));
      assertEquals(written.size() + 1, rows.size());
      assertEquals("gift", rows.get(rows.size() - 1).getField("note"));
      assertNull(rows.get(0).getField("note"));
      assertTrue(files(table) <= PARTITIONS + 1, "one file per partition, plus the row appended meanwhile");
    }
  }
}
