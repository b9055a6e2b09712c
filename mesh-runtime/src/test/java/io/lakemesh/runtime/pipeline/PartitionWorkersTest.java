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

  /**
   * A worker loads only its own partition's keys on start: the silver files another partition's worker wrote are
   * named for that partition and not opened (a busy table has thousands of them before compaction), and compaction
   * keeps the names, so a restarted worker still finds every key of its own and drops their re-sends.
   */
  @Test
  void aStartingWorkerReadsOnlyItsOwnPartitionsSilverFiles() throws Exception {
    Product product = Product.of(ContractParser.parse(Path.of(getClass().getResource(
        "/contracts/orders.odcs.yaml").toURI())));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Map<Integer, List<String>> keys = keysByPartition(product, 2, 12);
      for (int batch = 0; batch < 3; batch++) {
        committer(warehouse, product, 0).commit(orders(0, batch * 4L, keys.get(0).subList(batch * 4, batch * 4 + 4)));
        committer(warehouse, product, 1).commit(orders(1, batch * 4L, keys.get(1).subList(batch * 4, batch * 4 + 4)));
      }
      var silver = StageTables.served(warehouse, product);
      silver.refresh();
      // three ts days per commit, as orders(..) spreads them: compaction has partitions of several files to merge
      io.lakemesh.runtime.storage.Compaction.Result compacted =
          new io.lakemesh.runtime.storage.Compaction(2, 1L << 30, 1L << 30).run(silver);
      assertTrue(compacted.filesRemoved() > compacted.filesAdded(), compacted.toString());
      silver.refresh();
      List<org.apache.iceberg.DataFile> files = new ArrayList<>();
      try (var tasks = silver.newScan().planFiles()) {
        tasks.forEach(t -> files.add(t.file()));
      }
      Map<String, Long> byLabel = files.stream().collect(java.util.stream.Collectors.groupingBy(
          f -> String.valueOf(io.lakemesh.runtime.storage.TableWriter.labelOf(f)),
          java.util.stream.Collectors.counting()));
      assertEquals(Set.of("kp0", "kp1"), byLabel.keySet(), "every file, compacted or not, names its partition");

      // partition 1's files gone from the disk: a worker of partition 0 that opened them would fail to start
      files.stream().filter(f -> "kp1".equals(io.lakemesh.runtime.storage.TableWriter.labelOf(f)))
          .forEach(f -> silver.io().deleteFile(f.location()));
      SourceBatchCommitter restarted = committer(warehouse, product, 0);
      var again = restarted.commit(orders(0, 12, List.of(keys.get(0).get(0), keys.get(0).get(11))));
      assertEquals(2, again.duplicates(), "re-sends of keys committed before the restart (and compaction)");
      assertEquals(0, again.silverRows());
      assertThrows(RuntimeException.class, () -> committer(warehouse, product, 1),
          "partition 1's worker does read its own files");
    }
  }

  /** Order ids that the ingest endpoint routes to each partition of the product's topic. */
  private static Map<Integer, List<String>> keysByPartition(Product product, int partitions, int each) {
    int count = product.contract().settings().partitions();
    Map<Integer, List<String>> keys = new java.util.HashMap<>();
    for (int i = 0; keys.size() < partitions || keys.values().stream().anyMatch(k -> k.size() < each); i++) {
      int p = io.lakemesh.runtime.product.RoutingKey.partitionOf("o-" + i, count);
      if (p < partitions && keys.computeIfAbsent(p, x -> new ArrayList<>()).size() < each) {
        keys.get(p).add("o-" + i);
      }
    }
    return keys;
  }

  /** Valid orders of these ids at consecutive offsets, over three days. */
  private static List<ConsumerRecord<byte[], byte[]>> orders(int partition, long firstOffset, List<String> ids) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String event = "{\"order_id\":\"" + ids.get(i) + "\",\"ts\":\"2026-11-2" + (4 + i % 3)
          + "T10:00:00Z\",\"quantity\":1,\"status\":\"paid\"}";
      records.add(new ConsumerRecord<>("shop.orders.raw", partition, firstOffset + i, System.currentTimeMillis(),
          TimestampType.CREATE_TIME, 0, 0, ids.get(i).getBytes(StandardCharsets.UTF_8),
          event.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty()));
    }
    return records;
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
