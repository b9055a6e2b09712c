package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers of different partitions commit to the same tables side by side, each recording only its partitions;
 * positions and counters add up per partition; a stale worker of a partition is fenced off.
 */
class PartitionWorkersTest {
  private static final Executor DIRECT = Runnable::run;

  @TempDir
  Path home;

  @Test
  void partitionWorkersShareTablesAndAStaleOneIsFencedOff() throws Exception {
    Product product = Product.of(ContractParser.parse(Path.of(getClass().getResource(
        "/contracts/orders.odcs.yaml").toURI())));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      SourceBatchCommitter p0 = committer(warehouse, product, 0);
      SourceBatchCommitter staleP0 = committer(warehouse, product, 0); // e.g. on a node downed while running
      SourceBatchCommitter p1 = committer(warehouse, product, 1);

      // invalid events: they reach bronze and quarantine, each counted under its rule
      p0.commit(records(0, 0, 3));
      p1.commit(records(1, 0, 2));
      p0.commit(records(0, 3, 1));

      var bronze = StageTables.bronze(warehouse, product);
      var quarantine = StageTables.quarantine(warehouse, product);
      assertEquals(Map.of(0, 4L, 1, 2L), SourcePositions.committed(bronze, Set.of(0, 1)).next(),
          "each partition's position comes from the newest snapshot that records it");
      long failures = Counters.committed(quarantine, Set.of(0, 1)).asMap().values().stream()
          .mapToLong(Long::longValue).sum();
      long p0Failures = Counters.committed(quarantine, Set.of(0)).asMap().values().stream()
          .mapToLong(Long::longValue).sum();
      assertTrue(failures > p0Failures && p0Failures > 0, failures + " vs " + p0Failures);

      IllegalStateException fenced = assertThrows(IllegalStateException.class,
          () -> staleP0.commit(records(0, 0, 1)));
      assertTrue(fenced.getMessage().contains("another worker"), fenced.getMessage());
      assertEquals(6, Long.parseLong(bronze.currentSnapshot().summary().get("total-records")),
          "the fenced batch wrote nothing");

      // a worker started now resumes where the partition's last commit ended
      assertEquals(4, committer(warehouse, product, 0).resumeFrom().next(0));
    }
  }

  @Test
  void expiringOldSnapshotsKeepsEveryPartitionsPositionAndCounts() throws Exception {
    Product product = Product.of(ContractParser.parse(Path.of(getClass().getResource(
        "/contracts/orders.odcs.yaml").toURI())));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      committer(warehouse, product, 0).commit(records(0, 0, 3)); // then partition 0 goes quiet
      SourceBatchCommitter p1 = committer(warehouse, product, 1);
      for (int batch = 0; batch < 5; batch++) {
        p1.commit(records(1, batch, 1));
      }
      var bronze = StageTables.bronze(warehouse, product);
      var quarantine = StageTables.quarantine(warehouse, product);
      Set<Integer> all = Set.of(0, 1);
      Map<String, Long> countsBefore = Counters.committed(quarantine, all).asMap();
      assertEquals(6, count(bronze.snapshots()));

      SnapshotRetention expireAll = new SnapshotRetention(java.time.Duration.ZERO, 1, java.time.Duration.ZERO);
      Thread.sleep(5); // every snapshot is now older than max-age 0
      expireAll.applyToSource(bronze, all);
      expireAll.applyToSource(quarantine, all);
      bronze.refresh();
      quarantine.refresh();

      assertEquals(2, count(bronze.snapshots()),
          "the newest snapshot and partition 0's, kept by its tag");
      assertEquals(Map.of(0, 3L, 1, 5L), SourcePositions.committed(bronze, all).next());
      assertEquals(countsBefore, Counters.committed(quarantine, all).asMap());
      assertEquals(3, committer(warehouse, product, 0).resumeFrom().next(0),
          "a restarted worker of the quiet partition resumes where it was");
    }
  }

  @Test
  void theLowestPartitionStillCommittingExpiresSnapshotsWhenPartitionZeroIsQuiet() throws Exception {
    Product product = Product.of(ContractParser.parse(Path.of(getClass().getResource(
        "/contracts/orders.odcs.yaml").toURI())));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      SourceBatchCommitter p0 = committer(warehouse, product, 0);
      p0.commit(records(0, 0, 1));
      long quietSince = System.currentTimeMillis();
      Thread.sleep(300);
      SourceBatchCommitter p1 = committer(warehouse, product, 1);
      SourceBatchCommitter p2 = committer(warehouse, product, 2);
      for (int batch = 0; batch < 3; batch++) {
        p1.commit(records(1, batch, 1));
        p2.commit(records(2, batch, 1));
      }
      Set<Integer> all = SourceBatchCommitter.allPartitions(product);
      // a window that partition 0's commit is older than, and every commit of 1 and 2 newer
      java.time.Duration window = java.time.Duration.ofMillis(System.currentTimeMillis() - quietSince - 150);
      assertEquals(1, p1.retainingPartition(all, window));
      assertEquals(1, p2.retainingPartition(all, window), "every worker agrees on one");
      assertEquals(0, p0.retainingPartition(all, java.time.Duration.ofHours(1)), "all busy: partition 0 does it");
    }
  }

  private static int count(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }

  private static SourceBatchCommitter committer(Warehouse warehouse, Product product, int partition) {
    return new SourceBatchCommitter(product, Set.of(partition), StageTables.bronze(warehouse, product),
        StageTables.served(warehouse, product), StageTables.quarantine(warehouse, product), DIRECT, null);
  }

  private static List<ConsumerRecord<byte[], byte[]>> records(int partition, long firstOffset, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      records.add(new ConsumerRecord<>("shop.orders.raw", partition, firstOffset + i, System.currentTimeMillis(),
          TimestampType.CREATE_TIME, 0, 0, null, "{\"order_id\":42}".getBytes(StandardCharsets.UTF_8),
          new RecordHeaders(), Optional.empty()));
    }
    return records;
  }
}
