package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.StructLikeMap;

/**
 * Rewrites the small files of an append-only table into fewer, larger ones, partition by partition. A streaming
 * stage commits every few seconds and writes one file per partition it touches, so a day × region table gains
 * thousands of small files a day; every scan opens them all.
 *
 * <p>A run takes the partitions with at least {@code minFiles} files smaller than {@code smallFileBytes}, most
 * files first, until {@code maxInputBytes} of input is planned; rewrites each partition's small files as one stream
 * of rows (none held in memory) and replaces them all in one commit. The rows are the same, so readers of
 * the table see no change; readers of appends skip the commit (it appends nothing); appends committed meanwhile are
 * kept. A file that another run removed first makes the commit fail: the new files are deleted and the next run
 * tries again. The replaced files stay readable by older snapshots and are deleted when those expire. A partition's
 * files of different labels ({@link TableWriter#labelOf}) are rewritten apart, each group keeping its label.
 *
 * @param minFiles a partition is rewritten once it has this many small files (at least 2)
 * @param smallFileBytes files smaller than this are small
 * @param maxInputBytes a run stops planning partitions once their small files add up to this
 */
public record Compaction(int minFiles, long smallFileBytes, long maxInputBytes) {
  /** The snapshot summary key of a compaction commit: how many files it replaced by how many. */
  public static final String SUMMARY_KEY = "lakemesh.compaction";

  public Compaction {
    if (minFiles < 2) {
      throw new IllegalArgumentException("compaction min-files must be at least 2, not " + minFiles);
    }
  }

  /** What one run did. */
  public record Result(int partitions, int filesRemoved, int filesAdded, long bytesRead, long rows) {
    public static final Result NONE = new Result(0, 0, 0, 0, 0);

    Result plus(Result o) {
      return new Result(partitions + o.partitions, filesRemoved + o.filesRemoved, filesAdded + o.filesAdded,
          bytesRead + o.bytesRead, rows + o.rows);
    }
  }

  /**
   * The newest snapshot that changed data, passing over compactions (and other rewrites): what freshness is measured
   * from. Null for a table without one.
   */
  public static Snapshot newestData(Table table) {
    Snapshot s = table.currentSnapshot();
    while (s != null && DataOperations.REPLACE.equals(s.operation())) {
      Snapshot parent = s.parentId() == null ? null : table.snapshot(s.parentId());
      if (parent == null) {
        return s; // the data commit before it has expired: the oldest rewrite known is the best left to go by
      }
      s = parent;
    }
    return s;
  }

  /** Compacts what is due in the table's current snapshot. */
  public Result run(Table table) {
    return run(table, () -> false);
  }

  /**
   * Compacts what is due in the table's current snapshot, in one commit.
   *
   * @param stop asked between partitions: when true, the run deletes what it wrote and commits nothing
   */
  public Result run(Table table, BooleanSupplier stop) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return Result.NONE;
    }
    return rewrite(table, plan(table, current), current.snapshotId(), stop);
  }

  /** The partitions due, each as its small files: the most files first, within the input budget. */
  List<List<DataFile>> plan(Table table, Snapshot snapshot) {
    int specId = table.spec().specId();
    // files of one label (TableWriter.labelOf) are compacted apart from other labels' and keep it: a label says
    // what all of a file's rows have in common (a source partition), which a merged file would no longer say
    StructLikeMap<Map<String, List<DataFile>>> small = StructLikeMap.create(table.spec().partitionType());
    try (CloseableIterable<FileScanTask> tasks = table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        // files of an older partition spec would need their rows re-partitioned; Lakemesh never evolves a spec
        if (file.specId() == specId && file.fileSizeInBytes() < smallFileBytes && task.deletes().isEmpty()) {
          String label = TableWriter.labelOf(file);
          small.computeIfAbsent(file.partition(), p -> new java.util.HashMap<>())
              .computeIfAbsent(label == null ? "" : label, l -> new ArrayList<>()).add(file);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot plan the files of " + table.name(), e);
    }
    List<List<DataFile>> due = new ArrayList<>(small.values().stream().flatMap(byLabel -> byLabel.values().stream())
        .filter(files -> files.size() >= minFiles)
        .sorted(Comparator.comparingInt((List<DataFile> files) -> files.size()).reversed()).toList());
    List<List<DataFile>> planned = new ArrayList<>();
    long budget = maxInputBytes;
    for (List<DataFile> files : due) {
      if (budget <= 0) {
        break;
      }
      planned.add(files);
      budget -= files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    }
    return planned;
  }

  /** Rewrites each planned partition's files as one stream of rows, then replaces them all in one commit. */
  Result rewrite(Table table, List<List<DataFile>> partitions, long fromSnapshotId, BooleanSupplier stop) {
    if (partitions.isEmpty()) {
      return Result.NONE;
    }
    Set<DataFile> removed = new LinkedHashSet<>();
    List<DataFile> written = new ArrayList<>();
    long rows = 0;
    try {
      for (List<DataFile> files : partitions) {
        if (stop.getAsBoolean()) {
          delete(table, written);
          return Result.NONE;
        }
        rows += rewritePartition(table, files, written, stop);
        removed.addAll(files);
      }
      TableWriter.rewrite(table, removed, Set.copyOf(written), fromSnapshotId,
          Map.of(SUMMARY_KEY, removed.size() + " -> " + written.size()));
    } catch (CommitStateUnknownException e) {
      throw e; // the commit may have landed: its new files may be the table's now, so they stay
    } catch (Stopped e) {
      delete(table, written); // the partition being written was deleted by the writer itself
      return Result.NONE;
    } catch (ValidationException e) {
      // another run (on another node) compacted some of these files first: nothing is lost, try again next time
      delete(table, written);
      return Result.NONE;
    } catch (RuntimeException e) {
      delete(table, written);
      throw e;
    }
    long bytes = removed.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    // the table partitions touched: a partition's files of several labels were rewritten apart, one group each
    Set<org.apache.iceberg.StructLike> touched = org.apache.iceberg.util.StructLikeSet.create(
        table.spec().partitionType());
    removed.forEach(f -> touched.add(f.partition()));
    return new Result(touched.size(), removed.size(), written.size(), bytes, rows);
  }

  /** A stop asked for while a partition was being rewritten. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super("compaction stopped", null, false, false);
    }
  }

  /**
   * Writes one partition's files as new ones (added to {@code written}); returns how many rows they hold. Asks
   * {@code stop} as it goes (at the second row, then every 10,000), so a stopping node does not wait for a large
   * partition.
   */
  private static long rewritePartition(Table table, List<DataFile> files, List<DataFile> written,
      BooleanSupplier stop) {
    long[] rows = {0};
    List<CloseableIterable<Record>> readers = new ArrayList<>();
    for (DataFile file : files) {
      readers.add(FormatModelRegistry.readBuilder(file.format(), Record.class, table.io().newInputFile(file))
          .project(table.schema()).build());
    }
    List<DataFile> out;
    try (CloseableIterable<Record> all = CloseableIterable.concat(readers)) {
      out = TableWriter.writePartition(table, files.get(0).partition(), CloseableIterable.transform(all, r -> {
        // once a file is open (the second row) and every 10,000 rows after
        if ((++rows[0] == 2 || rows[0] % 10_000 == 0) && stop.getAsBoolean()) {
          throw new Stopped(); // the writer deletes what it wrote of this partition
        }
        return r;
      }), TableWriter.labelOf(files.get(0)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the files of " + table.name() + " to compact", e);
    }
    written.addAll(out);
    long expected = files.stream().mapToLong(DataFile::recordCount).sum();
    if (rows[0] != expected) {
      // the files' own metadata disagrees with their rows: keep them, and say so rather than lose or double rows
      throw new IllegalStateException(table.name() + ": compaction read " + rows[0] + " rows from " + files.size()
          + " files whose metadata counts " + expected + "; the files are left as they are");
    }
    return rows[0];
  }

  private static void delete(Table table, List<DataFile> files) {
    files.forEach(f -> table.io().deleteFile(f.location()));
  }
}
