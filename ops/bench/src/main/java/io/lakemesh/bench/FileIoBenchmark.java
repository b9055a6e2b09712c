package io.lakemesh.bench;

import static org.apache.iceberg.types.Types.NestedField.required;

import io.lakemesh.runtime.storage.LocalFileIO;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * Records/s to write and commit 100k rows (day x region partitions) through Lakemesh's {@link LocalFileIO}, with
 * and without fsync, against Hadoop's FileIO as the baseline measured in the same run (configurations interleave
 * round by round). Run: {@code java -cp <bench classpath> io.lakemesh.bench.FileIoBenchmark}.
 */
public final class FileIoBenchmark {
  private static final int ROWS = 100_000;
  private static final int RUNS = 3;
  private static final java.time.OffsetDateTime FIRST_DAY =
      java.time.OffsetDateTime.parse("2026-11-01T00:00:00Z");
  private static final List<String> REGIONS = List.of("NCR", "CAR", "Region I", "Region VII");
  private static final Schema SCHEMA =
      new Schema(
          required(1, "id", Types.LongType.get()),
          required(2, "ts", Types.TimestampType.withZone()),
          required(3, "region", Types.StringType.get()),
          required(4, "amount", Types.DecimalType.of(12, 2)));
  private static final PartitionSpec SPEC =
      PartitionSpec.builderFor(SCHEMA).day("ts").identity("region").build();

  private final Path home;

  private FileIoBenchmark(Path home) {
    this.home = home;
  }

  public static void main(String[] args) throws Exception {
    Path home = java.nio.file.Files.createTempDirectory("lakemesh-fileio-bench");
    new FileIoBenchmark(home).run();
  }

  private void run() {
    List<Config> configs =
        List.of(
            new Config("LocalFileIO fsync=on", local("true")),
            new Config("LocalFileIO fsync=off", local("false")),
            new Config(
                "HadoopFileIO (baseline)",
                Map.of(
                    "uri", "jdbc:sqlite:" + home.resolve("hadoop.db"),
                    "warehouse", "file:" + home.resolve("hadoop-warehouse"),
                    "io-impl", "org.apache.iceberg.hadoop.HadoopFileIO")));
    List<Warehouse> warehouses = new ArrayList<>();
    try {
      List<Table> tables = new ArrayList<>();
      for (Config config : configs) {
        Warehouse warehouse = Warehouse.open(config.catalogProperties());
        warehouses.add(warehouse);
        tables.add(
            warehouse.createOrLoad(
                TableIdentifier.of("bench", "t" + tables.size()), SCHEMA, SPEC, Map.of()));
      }
      List<Record> rows = rows(tables.get(0).schema());
      tables.forEach(table -> writeOnce(table, rows, 1)); // warm-up: JIT, class loading

      // Rounds interleave the configurations, so load from other processes on this machine
      // spreads over all of them rather than skewing one.
      double[][] oneCommit = new double[configs.size()][RUNS];
      double[][] tenCommits = new double[configs.size()][RUNS];
      for (int run = 0; run < RUNS; run++) {
        for (int c = 0; c < configs.size(); c++) {
          oneCommit[c][run] = writeOnce(tables.get(c), rows, 1);
          tenCommits[c][run] = writeOnce(tables.get(c), rows, 10);
        }
      }
      for (int c = 0; c < configs.size(); c++) {
        System.out.printf(
            Locale.ROOT,
            "[storage-throughput] %-24s 100k rows, 20 partitions: 1 commit %,9.0f rec/s;"
                + " 10 commits of 10k %,9.0f rec/s (median of %d)%n",
            configs.get(c).label(), median(oneCommit[c]), median(tenCommits[c]), RUNS);
        long committed = Long.parseLong(tables.get(c).currentSnapshot().summary().get("total-records"));
        if (committed != (long) ROWS * (1 + 2 * RUNS)) {
          throw new IllegalStateException(configs.get(c).label() + " committed " + committed + " rows");
        }
      }
    } finally {
      warehouses.forEach(Warehouse::close);
    }
  }

  private record Config(String label, Map<String, String> catalogProperties) {}

  private Map<String, String> local(String fsync) {
    return Map.of(
        "uri", "jdbc:sqlite:" + home.resolve("local-" + fsync + ".db"),
        "warehouse", "file:" + home.resolve("local-" + fsync + "-warehouse"),
        LocalFileIO.FSYNC, fsync);
  }

  private static double writeOnce(Table table, List<Record> rows, int commits) {
    int perCommit = rows.size() / commits;
    long start = System.nanoTime();
    for (int c = 0; c < commits; c++) {
      List<Record> batch = rows.subList(c * perCommit, (c + 1) * perCommit);
      TableWriter.append(table, TableWriter.write(table, batch), Map.of("lakemesh.bench", "" + c));
    }
    return rows.size() / ((System.nanoTime() - start) / 1e9);
  }

  /** Rows in arrival order: timestamps rise, regions interleave, so 20 partitions are open. */
  private static List<Record> rows(Schema schema) {
    List<Record> rows = new ArrayList<>(ROWS);
    for (int i = 0; i < ROWS; i++) {
      Record r = GenericRecord.create(schema);
      r.setField("id", (long) i);
      r.setField("ts", FIRST_DAY.plus((long) i * 5 * 86_400_000_000L / ROWS, ChronoUnit.MICROS));
      r.setField("region", REGIONS.get(i % 4));
      r.setField("amount", BigDecimal.valueOf(i % 100_000, 2));
      rows.add(r);
    }
    return rows;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
