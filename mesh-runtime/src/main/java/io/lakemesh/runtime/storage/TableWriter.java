package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.PendingUpdate;
import org.apache.iceberg.ReplacePartitions;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericFileWriterFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.events.CreateSnapshotEvent;
import org.apache.iceberg.io.ClusteredDataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Puts records into a table in two steps: {@link #write} turns a batch into data files (invisible
 * to readers), then one atomic commit publishes them together with the source position that
 * produced them ({@link #append}, or {@link #replacePartitions} for recomputed aggregates).
 *
 * <p>Keeping the position in the same commit as the data is what makes a stage exactly-once: on
 * restart it resumes from {@link SnapshotPositions#latest}. If a commit fails with {@code
 * CommitStateUnknownException}, it may or may not have landed; read the position back to know.
 * Files of a commit that failed are not deleted here (the caller may retry with them); orphan-file
 * cleanup removes them otherwise.
 */
public final class TableWriter {
  private TableWriter() {}

  /**
   * Writes records as data files in the table's default format, one or more files per partition of
   * the table's current spec. Records may arrive in any partition order: they are grouped by
   * partition first and each partition's file is written whole, one file open at a time (a
   * micro-batch of a day x region table spans ~50 partitions; interleaving their writers thrashes
   * the caches and holds every writer's buffers at once).
   *
   * @param records records built from {@code table.schema()} (e.g. {@code
   *     GenericRecord.create(table.schema())}): writers map values by position, so a record of
   *     another schema would be written into the wrong columns
   * @return the files written, not yet part of the table; an empty list for no records
   */
  public static List<DataFile> write(Table table, Iterable<? extends Record> records) {
    return write(table, records, null);
  }

  /**
   * {@link #write(Table, Iterable)} with {@code label} in the name of every file written (null for none): what all
   * of the files' rows have in common that the table's columns do not say, for a reader to pick files by
   * ({@link #labelOf}) without opening them.
   *
   * @param label letters and digits, at most 32
   */
  public static List<DataFile> write(Table table, Iterable<? extends Record> records, String label) {
    Schema schema = table.schema();
    PartitionSpec spec = table.spec();
    // Partition transforms (day(ts), bucket) take Iceberg's internal values (micros, days), not
    // the java.time objects a generic Record holds: the wrapper converts on access.
    InternalRecordWrapper internal = new InternalRecordWrapper(schema.asStruct());
    PartitionKey partition = new PartitionKey(spec, schema);
    Types.StructType checked = schema.asStruct();
    Map<PartitionKey, List<Record>> byPartition = new LinkedHashMap<>();
    for (Record record : records) {
      if (record.struct() != checked && !record.struct().equals(schema.asStruct())) {
        throw new IllegalArgumentException(
            "Record does not match the schema of table " + table.name()
                + ": build records from table.schema(). Record: " + record.struct()
                + "; table: " + schema.asStruct());
      }
      checked = record.struct();
      partition.partition(internal.wrap(record));
      List<Record> rows = byPartition.get(partition);
      if (rows == null) {
        rows = new ArrayList<>();
        byPartition.put(partition.copy(), rows);
      }
      rows.add(record);
    }
    return writeGroups(table, byPartition, label);
  }

  /**
   * Writes the rows of one partition as they are read from {@code rows}, none held in memory: for rewriting
   * files (compaction), whose rows need not fit in memory at once.
   *
   * @param partition the partition tuple as the table's data files hold it ({@link DataFile#partition()})
   * @param rows records of {@code table.schema()}'s struct, all in {@code partition}; a reader may reuse one
   *     record for every row, since each is written before the next is read
   */
  public static List<DataFile> writePartition(Table table, StructLike partition, Iterable<? extends Record> rows,
      String label) {
    return writeGroups(table, Map.of(partition, rows), label);
  }

  /** How a file's name carries its label: after Iceberg's part, before the extension. */
  private static final java.util.regex.Pattern LABELLED =
      java.util.regex.Pattern.compile("^\\d{5}-\\d+-[0-9a-f-]{36}-\\d{5,}-([A-Za-z0-9]{1,32})\\.[a-z]+$");

  /** The label a file was written with ({@link #write(Table, Iterable, String)}), or null for none. */
  public static String labelOf(org.apache.iceberg.ContentFile<?> file) {
    String location = file.location();
    java.util.regex.Matcher m = LABELLED.matcher(location.substring(location.lastIndexOf('/') + 1));
    return m.matches() ? m.group(1) : null;
  }

  /** Writes each partition's rows as files of that partition, one file open at a time. */
  private static List<DataFile> writeGroups(
      Table table, Map<? extends StructLike, ? extends Iterable<? extends Record>> byPartition, String label) {
    if (label != null && !label.matches("[A-Za-z0-9]{1,32}")) {
      throw new IllegalArgumentException("a file label is 1 to 32 letters and digits, not '" + label + "'");
    }
    PartitionSpec spec = table.spec();
    FileFormat format =
        FileFormat.fromString(
            table.properties().getOrDefault(
                TableProperties.DEFAULT_FILE_FORMAT, TableProperties.DEFAULT_FILE_FORMAT_DEFAULT));
    long targetFileSize =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    GenericFileWriterFactory writerFactory =
        new GenericFileWriterFactory.Builder(table).dataFileFormat(format).build();
    // Each factory names its files with a fresh random operation id, so concurrent writers (and
    // retried batches) never collide on a file name.
    OutputFileFactory.Builder naming = OutputFileFactory.builderFor(table, 0, 0).format(format);
    OutputFileFactory files = (label == null ? naming : naming.suffix(label)).build();
    ClusteredDataWriter<Record> writer =
        new ClusteredDataWriter<>(writerFactory, files, table.io(), targetFileSize);
    try {
      // each file's fsync runs while the next one is written; the files are returned once all are durable
      DeferredSyncs.collect(() -> {
        try {
          for (Map.Entry<? extends StructLike, ? extends Iterable<? extends Record>> group : byPartition.entrySet()) {
            for (Record record : group.getValue()) {
              writer.write(record, spec, group.getKey());
            }
          }
          writer.close();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return null;
      });
    } catch (RuntimeException e) {
      throw abort(table, writer, e.getCause() instanceof IOException io ? io : e);
    }
    return writer.result().dataFiles();
  }

  /**
   * Publishes data files in one append commit, with {@code summary} in the snapshot summary.
   * An empty {@code files} list still commits: a batch whose records were all rejected must
   * still move the source position forward.
   *
   * @return the committed snapshot
   */
  public static Snapshot append(Table table, List<DataFile> files, Map<String, String> summary) {
    // A merging append (not newFastAppend): it compacts manifests as commits pile up, so a table
    // with a commit every few seconds needs no separate manifest maintenance to stay fast to plan.
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    return commit(table, append, summary);
  }

  /**
   * Replaces every partition that {@code files} touch with exactly those files, in one commit with
   * {@code summary} in the snapshot summary; other partitions are untouched. For aggregates that
   * recompute whole partitions (a day of a gold table). A partition that has no rows any more
   * has no file here and so keeps its old rows.
   *
   * <p>No conflict validation: a row appended concurrently to a replaced partition is dropped.
   * That suits tables with one writer (a product's gold stage), not shared ones.
   *
   * @return the committed snapshot
   */
  public static Snapshot replacePartitions(
      Table table, List<DataFile> files, Map<String, String> summary) {
    ReplacePartitions replace = table.newReplacePartitions();
    files.forEach(replace::addFile);
    return commit(table, replace, summary);
  }

  /**
   * Replaces {@code removed} data files by {@code added}, which hold the same rows, in one commit with {@code summary}
   * in the snapshot summary. Fails (Iceberg's {@code ValidationException}) when a removed file has left the table
   * since {@code fromSnapshotId}; files appended meanwhile stay. Readers of appends skip this commit: it adds no rows.
   *
   * @return the committed snapshot
   */
  public static Snapshot rewrite(Table table, Set<DataFile> removed, Set<DataFile> added, long fromSnapshotId,
      Map<String, String> summary) {
    RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(fromSnapshotId);
    removed.forEach(rewrite::deleteFile);
    added.forEach(rewrite::addFile);
    return commit(table, rewrite, summary);
  }

  /**
   * One lock per table name in this JVM. Workers of one node that commit to the same table (a product's partition
   * workers) take turns instead of racing: a lost optimistic commit costs a back-off sleep and a second round of
   * manifest writes, a wait costs neither. Commits from other nodes still race and retry as Iceberg does.
   */
  private static final java.util.concurrent.ConcurrentHashMap<String, Object> COMMIT_LOCKS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static <T extends SnapshotUpdate<T>> Snapshot commit(
      Table table, SnapshotUpdate<T> update, Map<String, String> summary) {
    summary.forEach(update::set);
    synchronized (COMMIT_LOCKS.computeIfAbsent(table.name(), name -> new Object())) {
      update.commit(); // refreshes the table's metadata first, so it starts from the commit it waited for
    }
    long snapshotId = committedSnapshotId(table, update);
    // The table refreshed itself while committing; if another writer committed right after us,
    // our snapshot is still found by id.
    Snapshot snapshot = table.snapshot(snapshotId);
    if (snapshot == null) {
      table.refresh();
      snapshot = table.snapshot(snapshotId);
    }
    if (snapshot == null) {
      throw new IllegalStateException(
          "Committed snapshot " + snapshotId + " of " + table.name() + " is not in its metadata");
    }
    return snapshot;
  }

  /**
   * Iceberg's commit returns nothing, and the table's current snapshot may already be someone
   * else's; the commit event is the public way to learn the id of the snapshot this commit made.
   */
  private static long committedSnapshotId(Table table, PendingUpdate<?> update) {
    Object event = update.updateEvent();
    if (event instanceof CreateSnapshotEvent created) {
      return created.snapshotId();
    }
    throw new IllegalStateException(
        "Commit to " + table.name() + " reported no snapshot (event: " + event + ")");
  }

  /**
   * Closes what is open and deletes the files written so far, so a failed batch leaves no litter
   * behind in the common case; returns the failure to throw.
   */
  private static RuntimeException abort(
      Table table, ClusteredDataWriter<Record> writer, Exception cause) {
    try {
      writer.close();
      for (DataFile file : writer.result().dataFiles()) {
        table.io().deleteFile(file.location());
      }
    } catch (IOException | RuntimeException cleanup) {
      cause.addSuppressed(cleanup);
    }
    if (cause instanceof IOException io) {
      return new UncheckedIOException("Failed to write data files for " + table.name(), io);
    }
    return (RuntimeException) cause;
  }
}
