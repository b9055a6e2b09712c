package io.lakemesh.runtime.security.audit;

import io.lakemesh.runtime.storage.SnapshotPositions;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The Iceberg table {@code lakemesh.audit} that holds the chain, one row per entry. Each commit of the audit log
 * records the chain head (seq and hash of its newest entry) in its snapshot summary, which is where a restarted
 * log continues and what a verifier compares the rows against.
 */
public final class AuditTable {
  public static final TableIdentifier ID = TableIdentifier.of("lakemesh", "audit");
  public static final String HEAD_SEQ = "lakemesh.audit.head-seq";
  public static final String HEAD_HASH = "lakemesh.audit.head-hash";

  static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "seq", Types.LongType.get()),
      Types.NestedField.required(2, "time", Types.TimestampType.withZone()),
      Types.NestedField.required(3, "principal", Types.StringType.get()),
      Types.NestedField.required(4, "action", Types.StringType.get()),
      Types.NestedField.optional(5, "product", Types.StringType.get()),
      Types.NestedField.required(6, "detail", Types.StringType.get()),
      Types.NestedField.required(7, "outcome", Types.StringType.get()),
      Types.NestedField.required(8, "prev_hash", Types.StringType.get()),
      Types.NestedField.required(9, "hash", Types.StringType.get()));

  private final Table table;

  private AuditTable(Table table) {
    this.table = table;
  }

  /** Opens the audit table, creating it on first use. */
  public static AuditTable open(Warehouse warehouse) {
    return new AuditTable(warehouse.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned(), Map.of()));
  }

  /** Opens the audit table if it exists (a verifier must not create one). */
  public static Optional<AuditTable> openExisting(Warehouse warehouse) {
    if (!warehouse.catalog().tableExists(ID)) {
      return Optional.empty();
    }
    return Optional.of(new AuditTable(warehouse.catalog().loadTable(ID)));
  }

  public Table table() {
    return table;
  }

  /** The chain head the newest audit commit recorded; empty before the first. */
  public Optional<AuditChain.Head> head() {
    table.refresh();
    return committedHead();
  }

  /**
   * Verifies the chain of the current snapshot: its rows against the head its commits recorded, both read from
   * the same table state, so a node committing meanwhile does not confuse the verdict.
   */
  public AuditChain.Verdict verify() {
    return verify(Optional.empty());
  }

  /** Verifies the chain, and that it still reaches {@code recorded}, a head written down elsewhere, if given. */
  public AuditChain.Verdict verify(Optional<AuditChain.Head> recorded) {
    table.refresh();
    List<AuditEntry> entries = rows();
    AuditChain.Verdict verdict = AuditChain.notRolledBack(AuditChain.verify(entries, committedHead()), rollback());
    return recorded.map(head -> AuditChain.reaches(verdict, entries, head)).orElse(verdict);
  }

  /**
   * Whether the table was rolled back past commits of the log (as {@code audit verify} finds it): then the entries
   * after {@code keptSeq} are gone, and a log that goes on writes new entries under their sequence numbers.
   */
  public Optional<AuditChain.Rollback> rolledBack() {
    table.refresh();
    return rollback();
  }

  /**
   * A commit of the audit log that is not in the table's current history: the table was rolled back past it (the
   * log only appends, so its history is one line; a lost commit is kept in the metadata until the snapshot
   * retention expires it, an hour by default).
   */
  private Optional<AuditChain.Rollback> rollback() {
    java.util.Set<Long> history = new java.util.HashSet<>();
    SnapshotPositions.lineage(table).forEach(s -> history.add(s.snapshotId()));
    Snapshot lost = null;
    long lostSeq = 0;
    for (Snapshot s : table.snapshots()) {
      String seq = s.summary().get(HEAD_SEQ);
      if (!history.contains(s.snapshotId()) && seq != null && Long.parseLong(seq) > lostSeq) {
        lost = s;
        lostSeq = Long.parseLong(seq);
      }
    }
    if (lost == null) {
      return Optional.empty();
    }
    // where the histories part: the newest ancestor of the lost commit that is still in the current history
    Long kept = lost.parentId();
    while (kept != null && !history.contains(kept)) {
      Snapshot parent = table.snapshot(kept);
      kept = parent == null ? null : parent.parentId();
    }
    return Optional.of(new AuditChain.Rollback(headAtOrBefore(kept), lostSeq));
  }

  /** The chain head recorded by snapshot {@code id} or the newest of its ancestors that recorded one; 0 for none. */
  private long headAtOrBefore(Long id) {
    for (Snapshot s = id == null ? null : table.snapshot(id); s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      String seq = s.summary().get(HEAD_SEQ);
      if (seq != null) {
        return Long.parseLong(seq);
      }
    }
    return 0;
  }

  private Optional<AuditChain.Head> committedHead() {
    Optional<String> seq = SnapshotPositions.latest(table, HEAD_SEQ);
    Optional<String> hash = SnapshotPositions.latest(table, HEAD_HASH);
    if (seq.isEmpty() || hash.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new AuditChain.Head(Long.parseLong(seq.get()), hash.get()));
  }

  /** The tag on the newest commit that recorded the chain head: see {@link #keepHead()}. */
  static final String HEAD_TAG = "lakemesh-audit-head";

  /**
   * Tags the newest commit of the current history that recorded the chain head, so that expiring old snapshots
   * never loses it: a compaction's commit records none, and a node that found no head would number its entries
   * from the start again.
   */
  void keepHead() {
    table.refresh();
    for (Snapshot s : SnapshotPositions.lineage(table)) {
      if (s.summary().containsKey(HEAD_SEQ)) {
        org.apache.iceberg.SnapshotRef ref = table.refs().get(HEAD_TAG);
        if (ref == null) {
          table.manageSnapshots().createTag(HEAD_TAG, s.snapshotId()).commit();
        } else if (ref.snapshotId() != s.snapshotId()) {
          table.manageSnapshots().replaceTag(HEAD_TAG, s.snapshotId()).commit();
        }
        return;
      }
    }
  }

  /** The id of the current snapshot, or null for an empty table (read with {@link #head()} for a commit). */
  Long currentSnapshotId() {
    Snapshot s = table.currentSnapshot();
    return s == null ? null : s.snapshotId();
  }

  /**
   * Commits entries in one snapshot that records the new head, only if nobody committed since {@code
   * expectedSnapshot} (another node sharing the catalog): then it throws Iceberg's {@code ValidationException}
   * and the caller re-chains after the new head. An overwrite that deletes nothing is an append that validates.
   */
  void commit(List<AuditEntry> entries, Long expectedSnapshot) {
    List<Record> records = new ArrayList<>(entries.size());
    for (AuditEntry e : entries) {
      records.add(toRecord(e));
    }
    List<DataFile> files = TableWriter.write(table, records);
    OverwriteFiles overwrite = table.newOverwrite();
    files.forEach(overwrite::addFile);
    if (expectedSnapshot != null) {
      overwrite.validateFromSnapshot(expectedSnapshot);
    }
    overwrite.conflictDetectionFilter(Expressions.alwaysTrue()).validateNoConflictingData();
    AuditEntry last = entries.get(entries.size() - 1);
    overwrite.set(HEAD_SEQ, Long.toString(last.seq()));
    overwrite.set(HEAD_HASH, last.hash());
    overwrite.set("lakemesh.audit.entries", Integer.toString(entries.size()));
    overwrite.commit();
  }

  /** Every entry in the current snapshot (unordered). */
  public List<AuditEntry> readAll() {
    table.refresh();
    return rows();
  }

  private List<AuditEntry> rows() {
    List<AuditEntry> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = TableReader.read(table)) {
      for (Record r : rows) {
        out.add(fromRecord(r));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The newest {@code limit} entries, newest first. */
  public List<AuditEntry> newest(int limit) {
    List<AuditEntry> all = readAll();
    all.sort((a, b) -> Long.compare(b.seq(), a.seq()));
    return all.subList(0, Math.min(limit, all.size()));
  }

  public static Record toRecord(Table table, AuditEntry e) {
    Record r = GenericRecord.create(table.schema());
    r.setField("seq", e.seq());
    r.setField("time", OffsetDateTime.ofInstant(e.time(), ZoneOffset.UTC));
    r.setField("principal", e.principal());
    r.setField("action", e.action());
    r.setField("product", e.product());
    r.setField("detail", e.detail());
    r.setField("outcome", e.outcome());
    r.setField("prev_hash", e.prevHash());
    r.setField("hash", e.hash());
    return r;
  }

  private Record toRecord(AuditEntry e) {
    return toRecord(table, e);
  }

  public static AuditEntry fromRecord(Record r) {
    return new AuditEntry((Long) r.getField("seq"), ((OffsetDateTime) r.getField("time")).toInstant(),
        (String) r.getField("principal"), (String) r.getField("action"), (String) r.getField("product"),
        (String) r.getField("detail"), (String) r.getField("outcome"), (String) r.getField("prev_hash"),
        (String) r.getField("hash"));
  }
}
