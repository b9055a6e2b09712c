package io.lakemesh.bench;

import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;

/**
 * What a table's snapshot history costs each commit. Iceberg writes the list of every kept snapshot into each new
 * metadata file, so a streaming table's commits get slower as snapshots pile up until retention expires them
 * ({@code lakemesh.pipeline.snapshot-retention}). The benchmark commits {@code commits} one-file appends, each with a
 * snapshot summary the size of a source stage's (Kafka positions and per-rule counters, ~1.5 KB), and prints the
 * mean commit time per block of 500 against the first block's, measured in the same run. Run: {@code java -cp <bench
 * classpath> io.lakemesh.bench.SnapshotHistoryBenchmark [commits, default 5000]}.
 */
public final class SnapshotHistoryBenchmark {
  private static final int BLOCK = 500;
  /** Per-rule counters, as a source stage with a dozen rules writes into every snapshot summary. */
  private static final int COUNTERS = 20;

  private SnapshotHistoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    int commits = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    Path home = java.nio.file.Files.createTempDirectory("lakemesh-snapshot-history");
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(TableIdentifier.of("bench", "history"),
          new Schema(Types.NestedField.required(1, "id", Types.LongType.get())), PartitionSpec.unpartitioned(),
          Map.of());
      double firstBlock = 0;
      long blockStart = System.nanoTime();
      for (int i = 1; i <= commits; i++) {
        DataFile file = DataFiles.builder(PartitionSpec.unpartitioned()).withPath(home.resolve("f" + i + ".parquet")
            .toString()).withFileSizeInBytes(4096).withRecordCount(10).withFormat(FileFormat.PARQUET).build();
        AppendFiles append = table.newFastAppend().appendFile(file);
        for (int k = 0; k < COUNTERS; k++) {
          append.set("lakemesh.count.rule.some_rule_of_the_contract_" + k, Integer.toString(i * 7 + k));
        }
        append.set("lakemesh.source.topic", "bench.history.raw").set("lakemesh.source.offsets", "0:" + i * 1000L);
        append.commit();
        if (i % BLOCK == 0) {
          double ms = (System.nanoTime() - blockStart) / 1e6 / BLOCK;
          if (firstBlock == 0) {
            firstBlock = ms;
          }
          System.out.printf(Locale.ROOT, "%6d snapshots kept: %6.1f ms per commit, %4.1fx the first %d%n", i, ms,
              ms / firstBlock, BLOCK);
          blockStart = System.nanoTime();
        }
      }
    } finally {
      try (var files = java.nio.file.Files.walk(home)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
