package io.lakemesh.runtime.security.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit chain on a real Iceberg table: entries survive a restart and continue the chain, and every kind of
 * tampering with the table's data files (rewritten through Iceberg's own {@code OverwriteFiles}, as someone with
 * write access to the catalog could) is found and named by sequence number.
 */
class AuditLogTest {
  private static final AuditLog.Settings FAST =
      new AuditLog.Settings(Duration.ofMillis(100), 1000, 1000, Duration.ofSeconds(1));

  @TempDir
  Path home;
  Warehouse warehouse;

  @BeforeEach
  void open() {
    warehouse = Warehouse.openLocal(home);
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  private void recordSome(int n, String principal) {
    try (AuditLog log = AuditLog.open(warehouse, FAST)) {
      for (int i = 0; i < n; i++) {
        log.record(AuditEvent.read(principal, "retail.transactions", "region == \"NCR\"", i));
      }
    }
  }

  private AuditChain.Verdict verify() {
    return AuditTable.openExisting(warehouse).orElseThrow().verify();
  }

  /** Replaces every row of the audit table with {@code edit} applied to the entries in seq order. */
  private void tamper(UnaryOperator<List<AuditEntry>> edit) {
    Table table = AuditTable.openExisting(warehouse).orElseThrow().table();
    List<AuditEntry> entries = new ArrayList<>(AuditTable.openExisting(warehouse).orElseThrow().readAll());
    entries.sort(Comparator.comparingLong(AuditEntry::seq));
    List<Record> records = edit.apply(entries).stream().map(e -> AuditTable.toRecord(table, e)).toList();
    List<DataFile> files = TableWriter.write(table, records);
    OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(Expressions.alwaysTrue());
    files.forEach(overwrite::addFile);
    overwrite.commit();
  }

  private static AuditEntry with(AuditEntry e, long seq, String detail) {
    return new AuditEntry(seq, e.time(), e.principal(), e.action(), e.product(), detail, e.outcome(), e.prevHash(),
        e.hash());
  }

  @Test
  void theTrailsTableIsCompactedAndItsOldSnapshotsExpiredWhileTheChainGoesOn() {
    io.lakemesh.runtime.storage.Compaction compaction = new io.lakemesh.runtime.storage.Compaction(2, 1 << 20,
        1 << 30);
    java.util.concurrent.atomic.AtomicInteger upkeeps = new java.util.concurrent.atomic.AtomicInteger();
    AuditLog.Upkeep upkeep = new AuditLog.Upkeep(Duration.ZERO, table -> {
      upkeeps.incrementAndGet();
      compaction.run(table);
      table.expireSnapshots().expireOlderThan(System.currentTimeMillis() + 1).retainLast(1).commit();
    });
    int entries = 0;
    try (AuditLog log = AuditLog.open(warehouse, FAST, upkeep)) {
      for (int commit = 0; commit < 6; commit++) {
        log.record(AuditEvent.ingest("alice", "p", commit));
        entries++;
        assertTrue(log.flush(Duration.ofSeconds(30)));
      }
    }
    assertTrue(upkeeps.get() >= 5, upkeeps + " upkeeps, one after each commit");
    Table table = AuditTable.openExisting(warehouse).orElseThrow().table();
    int snapshots = 0;
    for (org.apache.iceberg.Snapshot ignored : table.snapshots()) {
      snapshots++;
    }
    assertTrue(snapshots <= 2, snapshots + " snapshots kept of 6 commits and their compactions");
    long files = 0;
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        table.newScan().planFiles()) {
      for (org.apache.iceberg.FileScanTask ignored : tasks) {
        files++;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertTrue(files <= 2, files + " data files for 6 commits");
    // a node starting on the kept table continues the chain after the head it recorded
    recordSome(2, "bob");
    AuditChain.Verdict chain = verify();
    assertTrue(chain.ok(), chain.toString());
    assertEquals(entries + 2, chain.entries(), chain.toString());
  }

  @Test
  void intactChainVerifiesAndContinuesAcrossRestarts() {
    recordSome(5, "alice");
    recordSome(3, "bob");
    AuditChain.Verdict verdict = verify();
    assertTrue(verdict.ok(), verdict.line());
    assertEquals(8, verdict.entries());
    List<AuditEntry> entries = new ArrayList<>(AuditTable.openExisting(warehouse).orElseThrow().readAll());
    entries.sort(Comparator.comparingLong(AuditEntry::seq));
    assertEquals(entries.get(4).hash(), entries.get(5).prevHash(), "seq 6 continues after seq 5");
    assertEquals("bob", entries.get(5).principal());
    assertTrue(verdict.line().startsWith("OK audit chain intact: 8 entries"), verdict.line());
  }

  @Test
  void aTableCutBackToAnOlderStateIsFound() throws Exception {
    recordSome(5, "alice");
    AuditTable audit = AuditTable.openExisting(warehouse).orElseThrow();
    Table table = audit.table();
    long fiveEntries = table.currentSnapshot().snapshotId();
    String fiveMetadata = ((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation();
    recordSome(3, "bob");
    AuditChain.Verdict eight = verify();
    assertTrue(eight.ok(), eight.line());
    String hash8 = eight.headHash().substring(0, 16);
    AuditChain.Head recorded = new AuditChain.Head(8, hash8);
    assertTrue(eight.line().contains("head " + hash8), eight.line());

    // Iceberg's own rollback keeps the newer snapshots in the metadata: seen without any recorded head
    table.refresh();
    table.manageSnapshots().rollbackTo(fiveEntries).commit();
    AuditChain.Verdict rolledBack = verify();
    assertFalse(rolledBack.ok(), rolledBack.line());
    assertEquals(6, rolledBack.badSeq(), rolledBack.line());
    assertTrue(rolledBack.reason().contains("rolled back to its commit of seq 5; a later commit recorded seq 8"),
        rolledBack.line());
    // what a node opening the log warns of at start
    assertEquals(java.util.Optional.of(new AuditChain.Rollback(5, 8)),
        AuditTable.openExisting(warehouse).orElseThrow().rolledBack());
    // a node goes on writing after the rollback: seq 6.. are other entries now, and the loss still shows
    recordSome(4, "carol");
    AuditChain.Verdict wentOn = verify();
    assertFalse(wentOn.ok(), wentOn.line());
    assertEquals(6, wentOn.badSeq(), wentOn.line());
    assertTrue(wentOn.reason().contains("the chain went on from seq 6 after the rollback"), wentOn.line());

    // the catalog pointed at the metadata of that older state: intact by itself, cut against the recorded head
    TableIdentifier id = AuditTable.ID;
    warehouse.catalog().dropTable(id, false);
    ((org.apache.iceberg.catalog.Catalog) warehouse.catalog()).registerTable(id, fiveMetadata);
    assertTrue(verify().ok(), "no trace left in the table itself: " + verify().line());
    AuditChain.Verdict cut = AuditTable.openExisting(warehouse).orElseThrow().verify(java.util.Optional.of(recorded));
    assertFalse(cut.ok(), cut.line());
    assertTrue(cut.line().startsWith("TAMPERED audit chain broken at seq 6: entries missing (deleted) at the end: the"
        + " head you recorded is seq 8 but the chain ends at seq 5"), cut.line());
    AuditChain.Verdict other = AuditTable.openExisting(warehouse).orElseThrow().verify(java.util.Optional.of(
        new AuditChain.Head(5, "0123456789abcdef")));
    assertFalse(other.ok(), other.line());
    assertTrue(other.reason().contains("not the 0123456789abcdef you recorded"), other.line());
  }

  @Test
  void flushCommitsBeforeClose() {
    try (AuditLog log = AuditLog.open(warehouse, new AuditLog.Settings(Duration.ofHours(1), 1000, 100,
        Duration.ofSeconds(1)))) {
      log.record(AuditEvent.ingest("anonymous", "retail.transactions", 42));
      assertTrue(log.flush(Duration.ofSeconds(30)));
      List<AuditEntry> entries = log.table().readAll();
      assertEquals(1, entries.size());
      assertEquals("events=42", entries.get(0).detail());
      assertEquals("ingest", entries.get(0).action());
    }
  }

  @Test
  void editedEntryIsNamed() {
    recordSome(6, "alice");
    tamper(entries -> {
      entries.set(2, with(entries.get(2), 3, "filter=; rows=0"));
      return entries;
    });
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(3, verdict.badSeq(), verdict.line());
    assertTrue(verdict.reason().contains("edited"), verdict.line());
  }

  @Test
  void deletedEntryIsNamed() {
    recordSome(6, "alice");
    tamper(entries -> {
      entries.remove(3); // seq 4
      return entries;
    });
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(4, verdict.badSeq(), verdict.line());
    assertTrue(verdict.reason().contains("deleted"), verdict.line());
  }

  @Test
  void deletedNewestEntriesAreFoundThroughTheCommittedHead() {
    recordSome(6, "alice");
    tamper(entries -> entries.subList(0, 4));
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(5, verdict.badSeq(), verdict.line());
    assertTrue(verdict.reason().contains("deleted"), verdict.line());
  }

  @Test
  void insertedEntryIsNamed() {
    recordSome(6, "alice");
    // a forged entry, correctly hashed after seq 2, pushed in as seq 3; the originals from 3 on are renumbered
    tamper(entries -> {
      AuditEntry forged = AuditEntry.chain(3, entries.get(2).time(),
          AuditEvent.ingest("mallory", "retail.transactions", 1), entries.get(1).hash());
      List<AuditEntry> out = new ArrayList<>(entries.subList(0, 2));
      out.add(forged);
      for (AuditEntry e : entries.subList(2, entries.size())) {
        out.add(with(e, e.seq() + 1, e.detail()));
      }
      return out;
    });
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(4, verdict.badSeq(), verdict.line());
  }

  @Test
  void insertedDuplicateIsNamed() {
    recordSome(4, "alice");
    tamper(entries -> {
      List<AuditEntry> out = new ArrayList<>(entries);
      out.add(with(entries.get(1), 2, entries.get(1).detail()));
      return out;
    });
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(2, verdict.badSeq(), verdict.line());
    assertTrue(verdict.reason().contains("more than once"), verdict.line());
  }

  @Test
  void reorderedEntriesAreNamed() {
    recordSome(6, "alice");
    tamper(entries -> {
      AuditEntry second = entries.get(1);
      AuditEntry third = entries.get(2);
      entries.set(1, with(third, 2, third.detail()));
      entries.set(2, with(second, 3, second.detail()));
      return entries;
    });
    AuditChain.Verdict verdict = verify();
    assertFalse(verdict.ok());
    assertEquals(2, verdict.badSeq(), verdict.line());
  }

  @Test
  void verifyCommandSaysOkOrNamesTheFirstBadEntry() {
    recordSome(5, "alice");
    warehouse.close();
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cli = new picocli.CommandLine(new io.lakemesh.runtime.cli.AuditCommand())
        .setOut(new java.io.PrintWriter(out, true)).setErr(new java.io.PrintWriter(err, true));
    assertEquals(0, cli.execute("verify", "--home", home.toString()), err.toString());
    assertTrue(out.toString().startsWith("OK audit chain intact: 5 entries"), out.toString());
    warehouse = Warehouse.openLocal(home);
    tamper(entries -> {
      entries.set(1, with(entries.get(1), 2, "nothing to see"));
      return entries;
    });
    assertEquals(1, cli.execute("verify", "--home", home.toString()));
    assertTrue(err.toString().startsWith("TAMPERED audit chain broken at seq 2: "), err.toString());
    assertEquals(2, cli.execute("verify", "--home", home.resolve("nowhere").toString()));
    err.getBuffer().setLength(0);
    assertEquals(2, cli.execute("verify", "--home", home.toString(), "--expect-head", "5"));
    assertTrue(err.toString().contains("--expect-head takes SEQ:HASH"), err.toString());

    // files the metadata names are gone (a catalog restored without its warehouse): no verdict, one clear line
    deleteAuditFiles(".parquet");
    err.getBuffer().setLength(0);
    assertEquals(2, cli.execute("verify", "--home", home.toString()), err.toString());
    assertTrue(err.toString().startsWith("lakemesh: the audit table cannot be read, so it is not verified: "),
        err.toString());

    // the metadata file the catalog names is gone too (a node deleted it after the catalog copy was taken)
    deleteAuditFiles(".metadata.json");
    err.getBuffer().setLength(0);
    assertEquals(2, cli.execute("verify", "--home", home.toString()), err.toString());
    assertTrue(err.toString().startsWith("lakemesh: the audit table cannot be read, so it is not verified: "),
        err.toString());
  }

  /** Deletes the audit table's files whose names end so, as a catalog copy outliving them would find them. */
  private void deleteAuditFiles(String ending) {
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(home.resolve("warehouse"))) {
      for (java.nio.file.Path f : files.filter(f -> f.toString().contains("audit")
          && f.toString().endsWith(ending)).toList()) {
        java.nio.file.Files.delete(f);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aTrailThatCannotBeWrittenRefusesNewEntriesAfterAMomentAndTakesThemAgainOnceItCan() throws Exception {
    AuditTable table = AuditTable.open(warehouse);
    try (AuditLog log = AuditLog.open(warehouse, FAST)) {
      log.record(AuditEvent.ingest("alice", "p", 1));
      assertTrue(log.flush(Duration.ofSeconds(30)));
      // the storage fails: the data folder is a file now, so no data file can be written (root or not)
      Path data = Path.of(java.net.URI.create(table.table().location().replaceFirst("^/", "file:/") + "/data"));
      Path aside = data.resolveSibling("data-aside");
      java.nio.file.Files.move(data, aside);
      java.nio.file.Files.writeString(data, "not a folder");
      int accepted = 1;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      AuditLog.AuditUnavailableException refused = null;
      while (refused == null && System.nanoTime() < deadline) {
        try {
          log.record(AuditEvent.ingest("alice", "p", 2));
          accepted++;
          Thread.sleep(100);
        } catch (AuditLog.AuditUnavailableException e) {
          refused = e;
        }
      }
      assertTrue(refused != null, "an outage must not let answered requests pile up unrecorded for ever");
      assertTrue(refused.getMessage().startsWith("the audit trail cannot be written for "), refused.getMessage());
      assertTrue(log.unavailable().isPresent(), "what /ready says");
      assertTrue(accepted <= 1 + (AuditLog.FAIL_CLOSED_AFTER.toMillis() + 2_000) / 100, accepted + " taken meanwhile");
      // what has happened already (events Kafka acknowledged) is still taken, to be written once the trail is back
      log.recordDone(AuditEvent.ingest("bob", "p", 7));
      accepted++;

      java.nio.file.Files.delete(data);
      java.nio.file.Files.move(aside, data);
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (log.unavailable().isPresent() && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(log.unavailable().isEmpty(), "written again once the storage is back");
      log.record(AuditEvent.ingest("alice", "p", 3));
      accepted++;
      assertTrue(log.flush(Duration.ofSeconds(30)));
      assertEquals(accepted, table.readAll().size(), "every entry it took is in the trail");
      AuditChain.Verdict chain = verify();
      assertTrue(chain.ok(), chain.toString());
      assertEquals(accepted, chain.entries(), chain.toString());
      assertTrue(table.readAll().stream().anyMatch(e -> e.principal().equals("bob") && e.detail().equals("events=7")),
          "the entry taken during the outage is in the trail");
    }
  }

  @Test
  void aFullQueueBlocksAndThenRefusesInsteadOfDropping() {
    AuditTable table = AuditTable.open(warehouse);
    try (AuditLog log = AuditLog.open(warehouse, new AuditLog.Settings(Duration.ofHours(1), 1000, 2,
        Duration.ofMillis(50)))) {
      // the writer takes queued events into its batch, so more than the capacity fit; keep going until refused
      int accepted = 0;
      boolean refused = false;
      long refusedAfterNanos = -1;
      for (int i = 0; i < 5000 && !refused; i++) {
        long start = System.nanoTime();
        try {
          log.record(AuditEvent.ingest("anonymous", "p", i));
          accepted++;
        } catch (AuditLog.AuditUnavailableException e) {
          refusedAfterNanos = System.nanoTime() - start;
          assertTrue(e.getMessage().contains("not keeping up"), e.getMessage());
          refused = true;
        }
      }
      assertTrue(refused, "a full queue refuses loudly");
      // "blocks": the refused call waited its 50 ms for room before giving up; and it gave up rather than wait
      // for the writer, whose next flush is an hour away
      assertTrue(refusedAfterNanos >= Duration.ofMillis(50).toNanos(),
          "refused after " + Duration.ofNanos(refusedAfterNanos) + ", without waiting 50 ms for room");
      assertTrue(refusedAfterNanos < Duration.ofSeconds(30).toNanos(),
          "refused only after " + Duration.ofNanos(refusedAfterNanos));
      assertTrue(log.flush(Duration.ofSeconds(30)));
      assertEquals(accepted, table.readAll().size(), "every accepted event is committed");
    }
  }
}
