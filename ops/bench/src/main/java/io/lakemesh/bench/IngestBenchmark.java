package io.lakemesh.bench;

import io.lakemesh.bench.BenchArgs.Baseline;
import io.lakemesh.bench.BenchArgs.GoldMode;
import io.lakemesh.runtime.log.EmbeddedKafka;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * End-to-end ingest benchmark ("walking skeleton"): Kafka raw topic to Iceberg, Lakemesh's real source and gold
 * stages against a raw consume-and-append baseline measured in the same run on the same records.
 *
 * <p>One embedded Kafka broker and one pre-produced raw topic serve every run; each run gets a fresh warehouse.
 * Rounds alternate baseline and lakemesh variants; the first rounds are warm-up. The result is the ratio of
 * median throughputs, lakemesh / baseline, never an absolute time. See {@code ops/bench/README.md}.
 */
public final class IngestBenchmark {

  static final double TARGET_EVENTS_PER_SECOND = 20_000;

  private IngestBenchmark() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv);
    boolean correct;
    Thread.currentThread().setName("bench-main");
    Path home = Files.createTempDirectory("lakemesh-ingest-bench-");
    System.out.printf("Lakemesh ingest benchmark, %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    System.out.printf("  %d cores, max heap %d MiB, Java %s; data in %s%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.version"), home);
    System.out.printf("  %s%n%n", args);

    ProductCatalog catalog = ProductCatalog.load(IngestBenchmark.class.getClassLoader(), List.of());
    Product transactions = catalog.find("retail.transactions").orElseThrow(
        () -> new IllegalStateException("retail.transactions is not on the classpath (lakemesh-domain-retail)"));
    String topic = Topics.rawTopic(transactions.id());
    int partitions = transactions.contract().settings().partitions();
    AtomicInteger ioThreads = new AtomicInteger();
    // lakemesh-io-dispatcher: a fixed pool of 8 threads
    ExecutorService io = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "lakemesh-io-" + ioThreads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try (EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"), 0)) {
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
        Topics.ensure(admin, topic, partitions);
      }
      String keyField = transactions.keyColumns().get(0);
      RawTopicLoader.Loaded loaded = RawTopicLoader.load(bootstrap, topic, partitions, keyField, args);
      System.out.printf("Produced %,d events to %s (%d partitions) in %.1f s: %,d valid, %,d invalid,"
              + " %,d re-sends; end offsets %s%n%n", loaded.events(), topic, partitions, loaded.seconds(),
          loaded.valid(), loaded.invalid(), loaded.duplicates(), loaded.endOffsets());

      List<RunResult> results = new ArrayList<>();
      Map<GoldMode, RunResult> lastOfMode = new HashMap<>();
      Map<GoldMode, String> goldChecks = new HashMap<>();
      printHeader();
      int totalRounds = args.warmupRounds() + args.rounds();
      for (int round = 1; round <= totalRounds; round++) {
        boolean warmup = round <= args.warmupRounds();
        int r = round;
        for (Baseline kind : args.baselines()) {
          RunResult base = inFreshWarehouse(home, kind.name().toLowerCase() + "-" + round,
              wh -> BaselineIngest.run(wh, bootstrap, loaded, args, kind, transactions, r, warmup));
          results.add(base);
          printRow(base);
        }
        for (GoldMode mode : args.goldModes()) {
          boolean last = round == totalRounds;
          RunResult lm = inFreshWarehouse(home, mode.name().toLowerCase() + "-" + round, wh -> {
            RunResult res = LakemeshIngest.run(wh, catalog, bootstrap, loaded, args, mode, io, r, warmup);
            if (last) {
              goldChecks.put(mode, goldCheck(wh, catalog));
            }
            return res;
          });
          results.add(lm);
          lastOfMode.put(mode, lm);
          printRow(lm);
        }
      }
      printSummary(results, args);
      correct = printCorrectness(loaded, lastOfMode, goldChecks);

      if (args.profile()) {
        profile(home, catalog, bootstrap, loaded, args, io);
      }
    } finally {
      io.shutdownNow();
      if (args.keep()) {
        System.out.println("Kept " + home);
      } else {
        deleteRecursively(home);
      }
    }
    if (!correct) {
      System.err.println("IngestBenchmark: the tables do not hold what was produced (see Correctness above)");
      System.exit(1);
    }
  }

  private static RunResult inFreshWarehouse(Path home, String name, Function<Warehouse, RunResult> run) {
    // the previous run's garbage should not be collected on this run's clock
    System.gc();
    Path dir = home.resolve("wh-" + name);
    try (Warehouse warehouse = Warehouse.openLocal(dir)) {
      return run.apply(warehouse);
    } finally {
      deleteRecursively(dir);
    }
  }

  // ------------------------------------------------------------------------------------------------ reporting

  private static final String ROW = "%-6s %-22s %9s %8s %10s %7s %6s %7s %8s %7s %5s %5s %s%n";

  private static void printHeader() {
    System.out.printf(ROW, "round", "variant", "events", "wall s", "events/s", "cpu s", "gc s", "poll s",
        "source s", "gold s", "batch", "gold#", "check");
  }

  private static void printRow(RunResult r) {
    String check = r.counts() == null ? "rows=" + r.rows()
        : (r.counts().balanced(r.events()) ? "ok" : "MISMATCH " + r.counts());
    System.out.printf(ROW, r.round() + (r.warmup() ? "*" : ""), r.variant(), String.format("%,d", r.events()),
        String.format("%.2f", r.seconds()), String.format("%,.0f", r.eventsPerSecond()),
        String.format("%.1f", r.cpuSeconds()), String.format("%.1f", r.gcSeconds()),
        String.format("%.2f", r.pollSeconds()), String.format("%.2f", r.sourceSeconds()),
        String.format("%.2f", r.goldSeconds()), r.batches(), r.goldRuns(), check);
  }

  private static void printSummary(List<RunResult> results, BenchArgs args) {
    System.out.printf("%n(* = warm-up, not counted)  wall = first poll to last commit (lakemesh: silver and gold);"
        + " cpu = whole process incl. broker, max %d cores x wall%n%n", Runtime.getRuntime().availableProcessors());
    List<RunResult> measured = results.stream().filter(r -> !r.warmup()).toList();
    System.out.printf("%-22s %14s %14s %18s %20s  %s%n", "variant", "median ev/s", "runs ev/s", "ratio of medians",
        "median paired ratio", "targets (>= 0.5x the issue's baseline, >= 1.0x a sink, >= 20,000 ev/s)");
    for (Baseline kind : args.baselines()) {
      double baseline = medianRate(measured, kind.label());
      System.out.printf("%-22s %,14.0f %14s %18s %20s%n", kind.label(), baseline, runs(measured, kind.label()),
          "1.00", "");
    }
    for (GoldMode mode : args.goldModes()) {
      double median = medianRate(measured, mode.label());
      for (Baseline kind : args.baselines()) {
        // each lakemesh run against the baseline of its own round: robust to drift of the shared machine
        List<Double> paired = new ArrayList<>();
        for (RunResult r : measured.stream().filter(r -> r.variant().equals(mode.label())).toList()) {
          measured.stream().filter(b -> b.round() == r.round() && b.variant().equals(kind.label())).findFirst()
              .ifPresent(b -> paired.add(r.eventsPerSecond() / b.eventsPerSecond()));
        }
        double ratio = median / medianRate(measured, kind.label());
        boolean ok = ratio >= kind.target && median >= TARGET_EVENTS_PER_SECOND;
        System.out.printf("%-22s %,14.0f %14s %17.2fx %19.2fx  %s%n", mode.label(), median,
            runs(measured, mode.label()), ratio, median(paired), (ok ? "MET" : "MISSED") + String.format(
                " against %s, %s (ratio %s %.1f, %s 20,000 ev/s)", kind.label(), kind.means,
                ratio >= kind.target ? ">=" : "<", kind.target, median >= TARGET_EVENTS_PER_SECOND ? ">=" : "<"));
      }
    }
    System.out.println();
  }

  private static double medianRate(List<RunResult> measured, String variant) {
    return median(measured.stream().filter(r -> r.variant().equals(variant)).map(RunResult::eventsPerSecond)
        .toList());
  }

  private static String runs(List<RunResult> measured, String variant) {
    return String.join("/", measured.stream().filter(r -> r.variant().equals(variant))
        .map(r -> String.format("%.0fk", r.eventsPerSecond() / 1000)).toList());
  }

  /**
   * Prints the last round's counts against each other and against what the generator made (valid, invalid,
   * re-sent), and gold against silver; false when anything disagrees.
   */
  private static boolean printCorrectness(RawTopicLoader.Loaded loaded, Map<GoldMode, RunResult> lastOfMode,
      Map<GoldMode, String> goldChecks) {
    boolean[] correct = {true};
    System.out.println("Correctness (last round of each variant):");
    System.out.printf("  produced: %,d events = %,d valid + %,d invalid + %,d re-sends%n", loaded.events(),
        loaded.valid(), loaded.invalid(), loaded.duplicates());
    lastOfMode.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
      RunResult.Counts c = e.getValue().counts();
      long sum = c.silver() + c.quarantine() + c.duplicates();
      // balanced is not enough (accepting or refusing everything balances too): each count is the generator's
      boolean asGenerated = c.silver() == loaded.valid() && c.quarantine() == loaded.invalid()
          && c.duplicates() == loaded.duplicates();
      boolean ok = c.balanced(loaded.events()) && asGenerated;
      correct[0] &= ok;
      System.out.printf("  %s: silver %,d + quarantine %,d + duplicates %,d = %,d %s events %,d  [%s]%n",
          e.getKey().label(), c.silver(), c.quarantine(), c.duplicates(), sum, sum == loaded.events() ? "==" : "!=",
          loaded.events(), ok ? "OK" : asGenerated ? "MISMATCH" : "MISMATCH with the generator's counts");
      System.out.printf("      tables: bronze %,d rows, silver %,d, quarantine %,d; gold caught up with silver's"
              + " last snapshot: %s; expected from the generator: silver %,d, quarantine %,d, duplicates %,d%n",
          c.bronzeTableRows(), c.silverTableRows(), c.quarantineTableRows(), c.goldCaughtUp(), loaded.valid(),
          loaded.invalid(), loaded.duplicates());
      String gold = goldChecks.get(e.getKey());
      if (gold != null) {
        System.out.println("      " + gold);
        correct[0] &= !gold.endsWith("[MISMATCH]");
      }
    });
    System.out.println();
    return correct[0];
  }

  /** Gold revenue must equal the silver totals (each valid sale's lines add up to its total exactly). */
  private static String goldCheck(Warehouse warehouse, ProductCatalog catalog) {
    Product tx = catalog.find("retail.transactions").orElseThrow();
    Product daily = catalog.find("retail.daily_sales").orElseThrow();
    Table silver = warehouse.catalog().loadTable(tx.servedTable());
    Table gold = warehouse.catalog().loadTable(daily.servedTable());
    BigDecimal silverTotal = sum(silver, "total_amount");
    BigDecimal goldRevenue = sum(gold, "revenue");
    long goldRows = LakemeshIngest.totalRecords(gold);
    return String.format("gold: %,d rows; sum(revenue) %s %s sum(silver.total_amount) %s  [%s]", goldRows,
        goldRevenue.toPlainString(), goldRevenue.compareTo(silverTotal) == 0 ? "==" : "!=",
        silverTotal.toPlainString(), goldRevenue.compareTo(silverTotal) == 0 ? "OK" : "MISMATCH");
  }

  private static BigDecimal sum(Table table, String column) {
    BigDecimal total = BigDecimal.ZERO;
    try (CloseableIterable<Record> rows = TableReader.read(table, Expressions.alwaysTrue(), List.of(column))) {
      for (Record r : rows) {
        total = total.add((BigDecimal) r.getField(column));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  // ------------------------------------------------------------------------------------------------ profiling

  private static void profile(Path home, ProductCatalog catalog, String bootstrap, RawTopicLoader.Loaded loaded,
      BenchArgs args, ExecutorService io) {
    System.out.println("Profile 1: one extra lakemesh/gold-inline run with a stack sampler (not in the medians)");
    StackSampler[] sampler = new StackSampler[1];
    RunResult profiled = inFreshWarehouse(home, "profile", wh -> {
      sampler[0] = StackSampler.start(n -> n.equals("bench-main") || n.startsWith("lakemesh-io-"), 10);
      try {
        return LakemeshIngest.run(wh, catalog, bootstrap, loaded, args, GoldMode.INLINE, io, 0, true);
      } finally {
        sampler[0].close();
      }
    });
    System.out.printf("  run: %.2f s, %,.0f events/s (sampling costs a little), poll %.2f s, source commits %.2f s,"
            + " gold %.2f s%n", profiled.seconds(), profiled.eventsPerSecond(), profiled.pollSeconds(),
        profiled.sourceSeconds(), profiled.goldSeconds());
    System.out.print(sampler[0].report(22));
    System.out.println();

    System.out.printf("Profile 2: per-phase replay of the first %d batches (one thread, each phase timed alone)%n",
        args.profileBatches());
    List<List<ConsumerRecord<byte[], byte[]>>> batches = new ArrayList<>();
    try {
      BatchLoop.run(bootstrap, Map.of(), loaded.endOffsets(), args.batchSize(), args.maxPollRecords(), batch -> {
        if (batches.size() < args.profileBatches()) {
          batches.add(batch);
        } else {
          throw new StopConsuming();
        }
      });
    } catch (StopConsuming enough) {
      // we have what we need
    }
    System.gc();
    Path dir = home.resolve("wh-replay");
    Path scratchDir = home.resolve("wh-replay-nofsync");
    try (Warehouse warehouse = Warehouse.openLocal(dir); Warehouse scratch = openWithoutFsync(scratchDir)) {
      System.out.print(PhaseReplay.run(warehouse, scratch, catalog, batches));
    } finally {
      deleteRecursively(dir);
      deleteRecursively(scratchDir);
    }
    System.out.println();
  }

  /** The embedded warehouse's settings (see Warehouse.openLocal), but with LocalFileIO's fsync off. */
  private static Warehouse openWithoutFsync(Path home) {
    Path warehouse = home.resolve("warehouse");
    try {
      Files.createDirectories(warehouse);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Warehouse.open(Map.of(
        org.apache.iceberg.CatalogProperties.URI, "jdbc:sqlite:" + home.resolve("catalog.db"),
        org.apache.iceberg.CatalogProperties.WAREHOUSE_LOCATION, "file:" + warehouse,
        "jdbc.busy_timeout", "30000",
        "jdbc.journal_mode", "WAL",
        io.lakemesh.runtime.storage.LocalFileIO.FSYNC, "false"));
  }

  private static final class StopConsuming extends RuntimeException {
    StopConsuming() {
      super(null, null, false, false);
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
