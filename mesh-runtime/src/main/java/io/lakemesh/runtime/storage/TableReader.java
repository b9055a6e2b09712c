package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.IncrementalAppendScan;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.formats.ReadBuilder;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.PartitionUtil;

/**
 * Reads table rows as generic {@link Record}s: a snapshot's rows, or the rows appended between two
 * snapshots (what a downstream stage consumes from its upstream table).
 *
 * <p>Results are lazy and hold files open while iterated: close them (try-with-resources).
 */
public final class TableReader {
  private TableReader() {}

  /** Every row of the table's current snapshot, all columns. */
  public static CloseableIterable<Record> read(Table table) {
    return read(table, Expressions.alwaysTrue(), List.of());
  }

  /**
   * Rows of the current snapshot that match {@code filter} (row by row, not just the files it
   * prunes), with only {@code columns}; columns the filter uses come along too.
   *
   * @param columns top-level or dotted nested column names; empty for all columns
   */
  public static CloseableIterable<Record> read(
      Table table, Expression filter, Collection<String> columns) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table).where(filter);
    if (!columns.isEmpty()) {
      scan = scan.select(columns);
    }
    return scan.build();
  }

  /**
   * {@link #read(Table, Expression, Collection)} of only the data files {@code files} accepts: for a reader that
   * knows from a file's name ({@link TableWriter#labelOf}) that it holds none of the rows it wants.
   */
  public static CloseableIterable<Record> read(Table table, Expression filter, Collection<String> columns,
      java.util.function.Predicate<org.apache.iceberg.DataFile> files) {
    org.apache.iceberg.TableScan scan = table.newScan().filter(filter);
    if (!columns.isEmpty()) {
      scan = scan.select(columns);
    }
    return openAll(table, CloseableIterable.filter(scan.planFiles(), task -> files.test(task.file())), scan.schema(),
        null, null);
  }

  /**
   * {@link #read(Table, Expression, Collection)} of one snapshot, its files in a fixed order (by location): two
   * reads of the snapshot return its rows in the same order, so a reader can page through them by counting.
   */
  public static CloseableIterable<Record> readInOrder(
      Table table, long snapshotId, Expression filter, Collection<String> columns) {
    // planning reads manifests in parallel, so the tasks come in any order: sorted, they come in one
    java.util.Comparator<FileScanTask> byFile = java.util.Comparator.comparing(
        (FileScanTask t) -> t.file().location()).thenComparingLong(FileScanTask::start);
    org.apache.iceberg.Snapshot snapshot = table.snapshot(snapshotId);
    Schema current = table.schema();
    if (snapshot == null || snapshot.schemaId() == null || snapshot.schemaId() == current.schemaId()) {
      org.apache.iceberg.TableScan scan = table.newScan().useSnapshot(snapshotId).filter(filter);
      if (!columns.isEmpty()) {
        scan = scan.select(columns);
      }
      return openAll(table, scan.planFiles(), scan.schema(), byFile, null);
    }
    // The schema evolved (a compatible contract deployed) since the snapshot was committed. Iceberg reads a
    // snapshot with the schema it was written under, which lacks the columns added since: a select of them would
    // come back without them and a filter on them would not bind. Rows are read in the table's schema instead
    // (columns added since are null in the snapshot's files); the files are pruned only by a filter the older
    // schema can bind, and the filter is applied to every row.
    Schema older = table.schemas().get(snapshot.schemaId());
    org.apache.iceberg.TableScan scan = table.newScan().useSnapshot(snapshotId);
    if (binds(older, filter)) {
      scan = scan.filter(filter);
    }
    java.util.Set<String> wanted = new java.util.LinkedHashSet<>(columns);
    if (!wanted.isEmpty()) {
      for (Integer id : org.apache.iceberg.expressions.Binder.boundReferences(current.asStruct(), List.of(filter),
          true)) {
        wanted.add(current.findColumnName(id));
      }
    }
    Schema projection = wanted.isEmpty() ? current : current.select(wanted);
    return openAll(table, scan.planFiles(), projection, byFile, filter);
  }

  /** Whether {@code filter} names only columns {@code schema} has. */
  private static boolean binds(Schema schema, Expression filter) {
    try {
      org.apache.iceberg.expressions.Binder.bind(schema.asStruct(), filter, true);
      return true;
    } catch (org.apache.iceberg.exceptions.ValidationException missingColumn) {
      return false;
    }
  }

  /**
   * Every planned task's rows, one file after the other, in {@code order} (null: as planned); each task's rows
   * filtered by its residual, or by {@code filter} when given (rows read in another schema than they were planned in).
   */
  private static CloseableIterable<Record> openAll(Table table, CloseableIterable<FileScanTask> planned,
      Schema projection, java.util.Comparator<FileScanTask> order, Expression filter) {
    List<FileScanTask> tasks = new ArrayList<>();
    try (planned) {
      planned.forEach(tasks::add);
    } catch (IOException e) {
      throw new UncheckedIOException("Failed to plan the files of " + table.name(), e);
    }
    if (order != null) {
      tasks.sort(order);
    }
    List<CloseableIterable<Record>> perFile = new ArrayList<>(tasks.size());
    for (FileScanTask task : tasks) {
      perFile.add(open(table, task, projection, filter == null ? task.residual() : filter));
    }
    return CloseableIterable.concat(perFile);
  }

  /**
   * Rows added by the append commits after {@code fromSnapshotExclusive} up to and including
   * {@code toSnapshotInclusive}, matching {@code filter}, with only {@code columns}.
   *
   * <p>Only appends count: rows written by {@link TableWriter#replacePartitions} (an overwrite) or
   * rewritten by compaction are not returned, which is what a consumer of an append-only table
   * wants. Delete files are not applied; Lakemesh's append-only tables have none.
   *
   * @throws IllegalArgumentException if the first snapshot is not an ancestor of the second
   */
  public static CloseableIterable<Record> readAppended(
      Table table,
      long fromSnapshotExclusive,
      long toSnapshotInclusive,
      Expression filter,
      Collection<String> columns) {
    if (fromSnapshotExclusive == toSnapshotInclusive) {
      return CloseableIterable.empty();
    }
    // IcebergGenerics only reads through the deprecated TableScan.appendsBetween, so this plans
    // with the incremental append scan and opens the planned files itself.
    IncrementalAppendScan scan =
        table
            .newIncrementalAppendScan()
            .fromSnapshotExclusive(fromSnapshotExclusive)
            .toSnapshot(toSnapshotInclusive)
            .filter(filter);
    if (!columns.isEmpty()) {
      scan = scan.select(columns);
    }
    return openAll(table, scan.planFiles(), scan.schema(), null, null);
  }

  /**
   * The rows of the data files one snapshot added, whatever its operation (an append, or an overwrite that
   * replaced partitions): what that commit changed. Partition source columns are read from the files, where
   * Iceberg's writers keep them.
   */
  public static CloseableIterable<Record> readAdded(Table table, org.apache.iceberg.Snapshot snapshot) {
    // in the table's schema, not the snapshot's: a replay of commits from before a compatible deploy carries the
    // columns added since (null), as the rows API shows them
    List<CloseableIterable<Record>> perFile = new ArrayList<>();
    for (org.apache.iceberg.DataFile file : snapshot.addedDataFiles(table.io())) {
      perFile.add(FormatModelRegistry.readBuilder(file.format(), Record.class, table.io().newInputFile(file))
          .project(table.schema())
          .build());
    }
    return CloseableIterable.concat(perFile);
  }

  /**
   * The rows one snapshot changed: the rows of the files it added, less those equal to a row of a file it removed
   * (as a multiset). For an append that is every added row; for a commit that replaced whole partitions (a gold
   * day recomputed after one late event) it is only the rows whose values differ from before.
   */
  public static List<Record> changedRows(Table table, org.apache.iceberg.Snapshot snapshot) {
    Map<Record, Integer> removed = new java.util.HashMap<>();
    Schema schema = table.schema(); // as readAdded reads the added files: rows of both sides compare alike
    for (org.apache.iceberg.DataFile file : snapshot.removedDataFiles(table.io())) {
      try (CloseableIterable<Record> rows = FormatModelRegistry.readBuilder(file.format(), Record.class,
          table.io().newInputFile(file)).project(schema).build()) {
        for (Record r : rows) {
          removed.merge(r.copy(), 1, Integer::sum); // readers reuse their records
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file.location(), e);
      }
    }
    List<Record> changed = new ArrayList<>();
    try (CloseableIterable<Record> rows = readAdded(table, snapshot)) {
      for (Record r : rows) {
        Integer before = removed.get(r);
        if (before == null) {
          changed.add(r.copy());
        } else if (before == 1) {
          removed.remove(r);
        } else {
          removed.put(r, before - 1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the rows of snapshot " + snapshot.snapshotId(), e);
    }
    return changed;
  }

  private static CloseableIterable<Record> open(Table table, FileScanTask task, Schema projection,
      Expression residual) {
    // Constant columns (identity partition values kept only in metadata, metadata columns such
    // as _file) come from the task, as Iceberg's own generic reader does.
    Map<Integer, ?> constants =
        PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant);
    ReadBuilder<Record, Schema> builder =
        FormatModelRegistry.readBuilder(
            task.file().format(), Record.class, table.io().newInputFile(task.file()));
    CloseableIterable<Record> rows =
        builder
            .project(projection)
            .split(task.start(), task.length())
            .filter(residual)
            .idToConstant(constants)
            .build();
    // The file reader uses the filter only to skip row groups; rows that fall through it are
    // dropped here, on Iceberg's internal values (the wrapper converts java.time to micros/days).
    if (residual == null || residual.equals(Expressions.alwaysTrue())) {
      return rows;
    }
    Evaluator evaluator = new Evaluator(projection.asStruct(), residual, true);
    InternalRecordWrapper internal = new InternalRecordWrapper(projection.asStruct());
    return CloseableIterable.filter(rows, row -> evaluator.eval(internal.wrap(row)));
  }
}
