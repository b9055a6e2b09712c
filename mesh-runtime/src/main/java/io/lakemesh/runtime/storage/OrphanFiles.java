package io.lakemesh.runtime.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Deletes the files of a table's data folder that no snapshot lists, once they are older than {@code olderThan}: what
 * a node killed (kill -9, power loss) while it wrote a batch or a compaction leaves behind, unreferenced and never
 * read again. Snapshot expiry deletes only files some snapshot listed.
 *
 * <p>The age is what makes it safe: a file written a moment ago may belong to a commit in flight, on this node or
 * another, that has not landed yet. Lakemesh's writers commit within seconds (a compaction within minutes), so a day
 * leaves a wide margin. Data files only: metadata files left by an interrupted commit are small, and the catalog's
 * own clean-up ({@code write.metadata.delete-after-commit}) keeps the rest in check.
 *
 * @param olderThan files younger than this are left alone, referenced or not
 */
public record OrphanFiles(Duration olderThan) {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OrphanFiles.class);

  /** What one sweep did. */
  public record Result(int deleted, long bytes) {
    public static final Result NONE = new Result(0, 0);
  }

  public OrphanFiles {
    if (olderThan.compareTo(Duration.ofMinutes(10)) < 0) {
      // shorter than a compaction may write for: its files would be deleted before it commits them
      throw new IllegalArgumentException("orphan files must be at least 10 minutes old to be deleted (a write in"
          + " flight has files no snapshot lists yet), not "
          + io.lakemesh.contracts.sla.ServiceLevels.format(olderThan));
    }
  }

  /**
   * {@link #removeFrom} for a background run: what it deleted is logged, and a failure is logged as a warning (the
   * run after the next interval tries again) rather than thrown.
   */
  public void sweep(String owner, Table table) {
    try {
      Result done = removeFrom(table);
      if (done.deleted() > 0) {
        LOG.info("{}: deleted {} data files of {} that no snapshot lists ({} KB, older than {}: left by a write that"
            + " did not finish)", owner, done.deleted(), table.name(), done.bytes() / 1024,
            io.lakemesh.contracts.sla.ServiceLevels.format(olderThan));
      }
    } catch (RuntimeException e) {
      LOG.warn("{}: deleting orphaned files of {} failed; trying again at the next sweep: {}", owner, table.name(),
          e.toString());
    }
  }

  /** Deletes the table's orphaned data files; nothing when its FileIO cannot list folders. */
  public Result removeFrom(Table table) {
    if (!(table.io() instanceof SupportsPrefixOperations listing)) {
      return Result.NONE;
    }
    long cutoff = System.currentTimeMillis() - olderThan.toMillis();
    // listed before the snapshots are read: a file committed in between is then in the set read after it
    List<FileInfo> old = new ArrayList<>();
    String data = table.properties().getOrDefault(org.apache.iceberg.TableProperties.WRITE_DATA_LOCATION,
        table.location() + "/data");
    for (FileInfo file : listing.listPrefix(data)) {
      if (file.createdAtMillis() < cutoff) {
        old.add(file);
      }
    }
    if (old.isEmpty()) {
      return Result.NONE;
    }
    table.refresh();
    Set<String> referenced = referenced(table);
    int deleted = 0;
    long bytes = 0;
    for (FileInfo file : old) {
      if (!referenced.contains(normalized(file.location()))) {
        table.io().deleteFile(file.location());
        deleted++;
        bytes += file.size();
      }
    }
    return new Result(deleted, bytes);
  }

  /** Every data and delete file any snapshot of the table lists (tagged and expired-but-kept ones included). */
  private static Set<String> referenced(Table table) {
    Set<String> files = new HashSet<>();
    Set<String> manifestsRead = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(table.io())) {
        if (!manifestsRead.add(manifest.path())) {
          continue; // manifests are shared by the snapshots after the one that wrote them
        }
        try (CloseableIterable<? extends ContentFile<?>> entries = switch (manifest.content()) {
          case DATA -> ManifestFiles.read(manifest, table.io(), table.specs());
          case DELETES -> ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs());
        }) {
          for (ContentFile<?> file : entries) {
            files.add(normalized(file.location()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read manifest " + manifest.path() + " of " + table.name(), e);
        }
      }
    }
    return files;
  }

  /** One form of a local location ({@code file:/a}, {@code file:///a} and {@code /a} are one file). */
  static String normalized(String location) {
    if (location.startsWith("file:")) {
      String path = location.substring("file:".length());
      return "/" + path.replaceFirst("^/+", "");
    }
    return location;
  }
}
