package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Orphaned data files on a real Iceberg table: deleted once old, never a file any snapshot lists. */
class OrphanFilesTest {
  private static final TableIdentifier ORDERS = TableIdentifier.of("retail", "orders_silver");
  private static final OrphanFiles A_DAY = new OrphanFiles(Duration.ofDays(1));

  @TempDir Path home;

  @Test
  void deletesOldFilesNoSnapshotListsAndKeepsEveryOtherFile() throws IOException {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(ORDERS, Orders.SCHEMA, Orders.SPEC, Map.of());
      List<Record> rows = new ArrayList<>();
      for (int b = 0; b < 10; b++) {
        List<Record> batch = Orders.generate(table.schema(), b * 50L, 50, b);
        TableWriter.append(table, TableWriter.write(table, batch), Map.of());
        rows.addAll(batch);
      }
      // compaction replaces them: the small files are listed only by older snapshots now, and still read by them
      new Compaction(2, 32L << 20, 1L << 30).run(table);
      // a batch written by a node killed before its commit: files no snapshot lists
      List<DataFile> lost = TableWriter.write(table, Orders.generate(table.schema(), 10_000, 50, 99));
      // and one written a moment ago: perhaps a commit in flight on another node
      List<DataFile> inFlight = TableWriter.write(table, Orders.generate(table.schema(), 20_000, 50, 98));
      List<Path> all = parquetFiles(home);
      Instant twoDaysAgo = Instant.now().minus(Duration.ofDays(2));
      for (Path file : all) {
        if (inFlight.stream().noneMatch(f -> OrphanFiles.normalized(f.location()).equals(file.toString()))) {
          Files.setLastModifiedTime(file, FileTime.from(twoDaysAgo));
        }
      }

      OrphanFiles.Result done = A_DAY.removeFrom(table);

      assertEquals(lost.size(), done.deleted(), done.toString());
      assertEquals(lost.stream().mapToLong(DataFile::fileSizeInBytes).sum(), done.bytes());
      List<Path> left = parquetFiles(home);
      assertEquals(all.size() - lost.size(), left.size());
      for (DataFile f : lost) {
        assertFalse(Files.exists(Path.of(OrphanFiles.normalized(f.location()))), f.location());
      }
      for (DataFile f : inFlight) {
        assertTrue(Files.exists(Path.of(OrphanFiles.normalized(f.location()))), "too young: " + f.location());
      }
      // every snapshot still reads whole: the current one and the one before the compaction
      table.refresh();
      assertEquals(Orders.sortedById(rows), Orders.sortedById(TableReader.read(table)));
      long beforeCompaction = table.currentSnapshot().parentId();
      assertEquals(Orders.sortedById(rows), Orders.sortedById(TableReader.readInOrder(table, beforeCompaction,
          org.apache.iceberg.expressions.Expressions.alwaysTrue(), List.of())));
      assertEquals(OrphanFiles.Result.NONE, A_DAY.removeFrom(table), "nothing twice");
    }
  }

  @Test
  void anAgeShorterThanAWriteMayTakeIsRefused() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new OrphanFiles(Duration.ofMinutes(1)));
    assertTrue(refused.getMessage().contains("at least 10 minutes"), refused.getMessage());
  }

  @Test
  void localLocationsOfOneFileAreOne() {
    for (String form : new String[] {"file:/a/b.parquet", "file:///a/b.parquet", "/a/b.parquet"}) {
      assertEquals("/a/b.parquet", OrphanFiles.normalized(form), form);
    }
    assertEquals("s3://bucket/a/b.parquet", OrphanFiles.normalized("s3://bucket/a/b.parquet"));
  }

  private static List<Path> parquetFiles(Path home) throws IOException {
    try (Stream<Path> files = Files.walk(home)) {
      return files.filter(f -> f.toString().endsWith(".parquet")).sorted().toList();
    }
  }
}
