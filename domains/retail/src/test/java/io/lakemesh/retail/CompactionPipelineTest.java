package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.pipeline.CompactionSettings;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Compaction;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction under retail's pipeline: started by the committer on its own thread, it leaves silver's rows, gold's
 * sums, the committed Kafka positions and deduplication after a restart exactly as they were.
 */
class CompactionPipelineTest {
  @TempDir
  Path home;

  @Test
  void compactedTablesKeepRowsGoldPositionsAndDedup() throws Exception {
    ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
    Product transactions = catalog.find("retail.transactions").orElseThrow();
    Product dailySales = catalog.find("retail.daily_sales").orElseThrow();
    CompactionSettings settings = new CompactionSettings(Duration.ofNanos(1), new Compaction(2, 32L << 20, 1L << 30),
        new io.lakemesh.runtime.storage.OrphanFiles(Duration.ofDays(1)));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      SilverFixture source = new SilverFixture(warehouse, transactions, 11);
      Table silver = source.silver;
      Table gold = StageTables.served(warehouse, dailySales);
      GoldAggregator aggregator = new GoldAggregator(dailySales, catalog.aggregation(dailySales), gold, silver);
      List<ConsumerRecord<byte[], byte[]>> sent = new ArrayList<>();
      long offset = 0;
      for (int batch = 0; batch < 4; batch++) {
        List<ConsumerRecord<byte[], byte[]>> sales = source.sales(offset, 150);
        source.committer.commit(sales);
        sent.addAll(sales);
        offset += 150;
        aggregator.run();
      }
      int filesBefore = files(silver);
      // what a worker killed before its commit leaves: a data file no snapshot lists, two days old by now
      java.nio.file.Path listed;
      try (CloseableIterable<FileScanTask> tasks = silver.newScan().planFiles()) {
        listed = java.nio.file.Path.of(java.net.URI.create(tasks.iterator().next().file().location()
            .replaceFirst("^/", "file:/")));
      }
      java.nio.file.Path orphan = listed.resolveSibling("orphan-" + listed.getFileName());
      java.nio.file.Files.copy(listed, orphan);
      java.nio.file.Files.setLastModifiedTime(orphan, java.nio.file.attribute.FileTime.from(
          java.time.Instant.now().minus(Duration.ofDays(2))));

      Thread.sleep(1);
      source.committer.compactWhenDue(settings);
      awaitCompaction(silver);
      long orphanDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (java.nio.file.Files.exists(orphan) && System.nanoTime() < orphanDeadline) {
        Thread.sleep(50);
      }
      assertTrue(!java.nio.file.Files.exists(orphan), "the run deletes the old orphaned file " + orphan);
      assertTrue(java.nio.file.Files.exists(listed), "and keeps the listed one it was copied from");
      assertTrue(files(silver) < filesBefore, files(silver) + " files after, " + filesBefore + " before");
      assertEquals(600, SilverFixture.rowCount(silver));
      assertEquals(600, SilverFixture.rowCount(StageTables.bronze(warehouse, transactions)));
      gold.refresh();
      long goldBefore = gold.currentSnapshot().snapshotId();
      assertEquals(0, aggregator.run().upstreamRows());
      gold.refresh();
      assertEquals(goldBefore, gold.currentSnapshot().snapshotId(),
          "a compaction changes no row, so gold makes no snapshot that would look like fresh data");

      // gold reads on across the rewrite: it adds no rows, so nothing is folded twice
      source.committer.commit(source.sales(offset, 150));
      offset += 150;
      aggregator.run();
      assertEquals(sum(silver, "total_amount"), sum(gold, "revenue"));

      // a restarted worker resumes after the last committed offset and still knows every key
      SourceBatchCommitter restarted = new SilverFixture(warehouse, transactions, 99).committer;
      ConsumerRecord<byte[], byte[]> first = sent.get(0);
      ConsumerRecord<byte[], byte[]> resent = new ConsumerRecord<>(first.topic(), 0, offset,
          System.currentTimeMillis(), first.timestampType(), 0, 0, first.key(), first.value(), first.headers(),
          java.util.Optional.empty());
      SourceBatchCommitter.BatchResult result = restarted.commit(List.of(resent));
      assertEquals(1, result.duplicates(), "a re-send of a sale in a compacted file is still a duplicate: " + result);
      assertEquals(750, SilverFixture.rowCount(silver));
      source.committer.stopCompaction().get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static void awaitCompaction(Table table) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      table.refresh();
      for (Snapshot s : table.snapshots()) {
        if (s.summary().containsKey(Compaction.SUMMARY_KEY)) {
          return; // the run may go on with other partitions: what follows runs beside it
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no compaction of " + table.name() + " within 30 s");
  }

  private static int files(Table table) throws Exception {
    table.refresh();
    int n = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask ignored : tasks) {
        n++;
      }
    }
    return n;
  }

  private static BigDecimal sum(Table table, String column) throws Exception {
    table.refresh();
    BigDecimal total = BigDecimal.ZERO;
    try (CloseableIterable<Record> rows = TableReader.read(table)) {
      for (Record r : rows) {
        total = total.add((BigDecimal) r.getField(column));
      }
    }
    return total;
  }
}
