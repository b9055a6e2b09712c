package io.lakemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.log.EmbeddedKafka;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Scale-out benchmark: how fast 1, 2 and 3 nodes (child JVMs) turn a preloaded raw topic into committed silver,
 * the 1-node run being the baseline of the same run (ratios 2/1 and 3/1).
 *
 * <p>Each run gets a fresh home (SQLite catalog, warehouse) and a fresh broker in this JVM. Untimed setup: the nodes
 * start, form a cluster and spread the workers (waiting until the placement is balanced and stable); then
 * {@code retail.transactions} is paused through the management port (its workers drain and stay stopped) and N
 * events are produced to its raw topic. The clock starts at the resume and stops when silver's committed Kafka
 * positions reach the end of every partition. See {@code ops/bench/README.md}.
 */
public final class ClusterIngestBenchmark {
  private static final String TRANSACTIONS = "retail.transactions";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Settings; every one has a default. */
  record Args(int events, List<Integer> nodeCounts, int rounds, List<String> nodeJvmOptions, long seed,
      boolean keep, double cpusPerNode, int warmupEvents) {
    static final String USAGE = """
        Usage: ClusterIngestBenchmark [options]
          --events N        events preloaded to retail.transactions.raw per run (default 200000)
          --nodes LIST      cluster sizes, in order (default 1,2,3); the first is the baseline
          --rounds N        runs per cluster size, reported as the median (default 1)
          --node-opts OPTS  JVM options of each node, space separated (default "-Xmx2g -XX:+UseParallelGC", as ./lakemesh)
          --seed N          random seed of the generated traffic (default 42)
          --warmup N        events every run commits before the timed part, so each node's JIT has warmed up
                            (default 20000; 0 for none)
          --cpus-per-node C give each node a CPU budget of C cores (a cgroup CFS quota, e.g. 0.5), standing in
                            for one machine per node; needs a writable cgroup CPU controller (root).
                            Default: no budget, every JVM shares all cores
          --keep            keep the temporary directories (logs, Kafka, warehouses)
        """;

    static Args parse(String[] argv) {
      int events = 200_000;
      List<Integer> nodes = List.of(1, 2, 3);
      int rounds = 1;
      List<String> opts = List.of("-Xmx2g", "-XX:+UseParallelGC"); // the launcher's defaults
      long seed = 42;
      boolean keep = false;
      double cpus = 0;
      int warmup = 20_000;
      for (int i = 0; i < argv.length; i++) {
        String a = argv[i];
        switch (a) {
          case "--events" -> events = Integer.parseInt(value(argv, ++i, a).replace("_", ""));
          case "--nodes" -> nodes = Stream.of(value(argv, ++i, a).split(",")).map(s -> Integer.parseInt(s.trim()))
              .toList();
          case "--rounds" -> rounds = Integer.parseInt(value(argv, ++i, a));
          case "--node-opts" -> opts = List.of(value(argv, ++i, a).trim().split("\\s+"));
          case "--seed" -> seed = Long.parseLong(value(argv, ++i, a));
          case "--keep" -> keep = true;
          case "--cpus-per-node" -> cpus = Double.parseDouble(value(argv, ++i, a));
          case "--warmup" -> warmup = Integer.parseInt(value(argv, ++i, a).replace("_", ""));
          case "--help", "-h" -> {
            System.out.print(USAGE);
            System.exit(0);
          }
          default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
        }
      }
      if (events < 1 || rounds < 1 || nodes.isEmpty() || nodes.stream().anyMatch(n -> n < 1)) {
        throw new IllegalArgumentException("--events, --rounds and every --nodes entry must be at least 1\n" + USAGE);
      }
      if (cpus < 0 || warmup < 0) {
        throw new IllegalArgumentException("--cpus-per-node and --warmup cannot be negative\n" + USAGE);
      }
      return new Args(events, nodes, rounds, opts, seed, keep, cpus, warmup);
    }

    private static String value(String[] argv, int i, String option) {
      if (i >= argv.length) {
        throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
      }
      return argv[i];
    }
  }

  /** One measured run. */
  record Run(int nodes, int round, long events, double seconds, String placement, long silverRows,
      long expectedSilverRows, List<Double> nodeCpuSeconds) {
    double eventsPerSecond() {
      return events / seconds;
    }

    /** CPU seconds of the node that did the most work: what bounds throughput when nodes do not share cores. */
    double busiestNodeCpuSeconds() {
      return nodeCpuSeconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    double totalCpuSeconds() {
      return nodeCpuSeconds.stream().mapToDouble(Double::doubleValue).sum();
    }
  }

  private ClusterIngestBenchmark() {}

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
      if (args.cpusPerNode() > 0) {
        // find out now, in one line, rather than after the first cluster has started
        CpuBudget.create("lakemesh-bench-probe-" + ProcessHandle.current().pid(), args.cpusPerNode()).close();
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("run-cluster-bench: " + e.getMessage());
      System.exit(2);
      return;
    }
    Path root = Files.createTempDirectory("lakemesh-cluster-bench-");
    System.out.printf("Lakemesh cluster ingest benchmark, %s%n",
        ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    System.out.printf("  %d cores shared by the broker, the bench and every node JVM; data in %s%n  %s%n%n",
        Runtime.getRuntime().availableProcessors(), root, args);
    ProductCatalog catalog = ProductCatalog.load(ClusterIngestBenchmark.class.getClassLoader(), List.of());
    Product transactions = catalog.find(TRANSACTIONS).orElseThrow(
        () -> new IllegalStateException(TRANSACTIONS + " is not on the classpath (lakemesh-domain-retail)"));
    List<Run> runs = new ArrayList<>();
    try {
      for (int round = 1; round <= args.rounds(); round++) {
        for (int nodes : args.nodeCounts()) {
          Run run = runOnce(root.resolve("run-" + nodes + "n-" + round), nodes, round, transactions, args);
          runs.add(run);
          System.out.printf("  %d node(s), round %d: %,d events in %.2f s = %,.0f events/s; silver %,d rows"
                  + " (expected %,d)%s; placement %s%n  node CPU seconds during the run: %s (all nodes %.1f)%n%n",
              nodes, round, run.events(), run.seconds(),
              run.eventsPerSecond(), run.silverRows(), run.expectedSilverRows(),
              run.silverRows() == run.expectedSilverRows() ? "" : "  MISMATCH", run.placement(),
              run.nodeCpuSeconds().stream().map(c -> String.format("%.1f", c)).toList(), run.totalCpuSeconds());
        }
      }
      printSummary(runs, args);
    } finally {
      if (args.keep()) {
        System.out.println("Kept " + root);
      } else {
        deleteRecursively(root);
      }
    }
  }

  private static Run runOnce(Path home, int size, int round, Product transactions, Args args) throws Exception {
    Files.createDirectories(home);
    System.out.printf("run: %d node(s), round %d%n", size, round);
    List<ChildNode> nodes = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start(home.resolve("kafka"), 0)) {
      String topic = Topics.rawTopic(TRANSACTIONS);
      int partitions = transactions.contract().settings().partitions();
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
        Topics.ensure(admin, topic, partitions);
      }
      long setup = System.nanoTime();
      ChildNode first = ChildNode.start("n1", home, kafka.bootstrapServers(), null, args.nodeJvmOptions(),
          budget(home, "n1", args));
      nodes.add(first);
      await("n1 answers /alive", Duration.ofSeconds(180), () -> status(first, "/alive", null) == 200);
      for (int i = 2; i <= size; i++) {
        nodes.add(ChildNode.start("n" + i, home, kafka.bootstrapServers(), first.address(), args.nodeJvmOptions(),
            budget(home, "n" + i, args)));
      }
      String token = Files.readString(home.resolve("dev-admin.jwt")).trim();
      String placement = awaitBalancedPlacement(first, nodes, token);
      System.out.printf("  cluster of %d up and balanced in %.1f s: %s%n", size, (System.nanoTime() - setup) / 1e9,
          placement);
      try (Warehouse warehouse = Warehouse.open(Map.of("uri", "jdbc:sqlite:" + home.resolve("catalog.db"),
          "warehouse", home.resolve("warehouse").toString()))) {
        Table silver = StageTables.served(warehouse, transactions);
        Map<Integer, Long> warm = Map.of();
        long warmRows = 0;
        if (args.warmupEvents() > 0) {
          // other ids than the timed events (another seed), so the timed events are all new to dedup
          RawTopicLoader.Loaded warmup = load(kafka.bootstrapServers(), topic, partitions, transactions,
              args.warmupEvents(), args.seed() + 1_000_003);
          warm = endOffsets(warmup, Map.of());
          long warmStart = System.nanoTime();
          awaitCommitted(silver, warm);
          warmRows = totalRecords(silver);
          System.out.printf("  warm-up: %,d events committed in %.1f s%n", warmup.events(),
              (System.nanoTime() - warmStart) / 1e9);
        }
        admin(first, token, "pause", "paused");
        RawTopicLoader.Loaded loaded = load(kafka.bootstrapServers(), topic, partitions, transactions, args.events(),
            args.seed());
        Map<Integer, Long> end = endOffsets(loaded, warm);
        System.out.printf("  produced %,d events (%,d valid, %,d invalid, %,d re-sends) in %.1f s; end offsets %s%n",
            loaded.events(), loaded.valid(), loaded.invalid(), loaded.duplicates(), loaded.seconds(), end);
        System.gc();
        silver.refresh();
        SourcePositions before = SourcePositions.committed(silver, end.keySet());
        if (before.total() != new SourcePositions(warm).total()) {
          throw new IllegalStateException("silver committed " + before.next() + " while the product was paused"
              + " (the warm-up ended at " + warm + ")");
        }
        List<Double> cpuBefore = nodes.stream().map(ChildNode::cpuSeconds).toList();
        long start = System.nanoTime();
        admin(first, token, "resume", "running");
        awaitCommitted(silver, end);
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
          cpu.add(nodes.get(i).cpuSeconds() - cpuBefore.get(i));
        }
        if (args.cpusPerNode() > 0) {
          System.out.printf("  CPU budget %.2f cores per node; since start: %s%n", args.cpusPerNode(),
              nodes.stream().map(n -> n.name + " " + n.throttling()).toList());
        }
        long rows = totalRecords(silver) - warmRows;
        return new Run(size, round, loaded.events(), seconds, placement, rows, loaded.valid(), cpu);
      }
    } catch (Exception | AssertionError e) {
      for (ChildNode n : nodes) {
        System.out.printf("===== %s%s, last lines of %s =====%n%s%n", n.name, n.alive() ? "" : " (dead)", n.log,
            n.logTail(40));
      }
      throw e;
    } finally {
      for (ChildNode n : nodes) {
        n.close();
      }
    }
  }

  private static CpuBudget budget(Path home, String node, Args args) {
    return args.cpusPerNode() > 0
        ? CpuBudget.create("lakemesh-bench-" + home.getFileName() + "-" + node + "-" + ProcessHandle.current().pid(),
            args.cpusPerNode())
        : null;
  }

  private static RawTopicLoader.Loaded load(String bootstrap, String topic, int partitions, Product product,
      int events, long seed) {
    return RawTopicLoader.load(bootstrap, topic, partitions, product.keyColumns().get(0), BenchArgs.parse(
        new String[] {"--events", Integer.toString(events), "--seed", Long.toString(seed)}));
  }

  /** Where each partition ends after {@code loaded}: a partition it did not write to ends where it did before. */
  private static Map<Integer, Long> endOffsets(RawTopicLoader.Loaded loaded, Map<Integer, Long> before) {
    Map<Integer, Long> end = new TreeMap<>(before);
    loaded.endOffsets().forEach((tp, offset) -> end.merge(tp.partition(), offset, Math::max));
    return end;
  }

  private static void awaitCommitted(Table silver, Map<Integer, Long> end) throws Exception {
    await("silver committed up to " + end, Duration.ofMinutes(15), () -> {
      silver.refresh();
      return SourcePositions.committed(silver, end.keySet()).next().equals(end);
    });
  }

  private static long totalRecords(Table silver) {
    silver.refresh();
    return silver.currentSnapshot() == null ? 0
        : Long.parseLong(silver.currentSnapshot().summary().get("total-records"));
  }

  /**
   * Waits until every member is Up, every worker runs, the workers are spread as evenly as sharding spreads them
   * (shard counts per node differ by at most one), and that placement held for two rebalance intervals.
   */
  private static String awaitBalancedPlacement(ChildNode via, List<ChildNode> nodes, String token) throws Exception {
    String[] stable = {null};
    long[] since = {0};
    await("a balanced, stable placement of every worker on " + nodes.size() + " node(s)", Duration.ofMinutes(4), () -> {
      JsonNode members = getJson(via, "/cluster/members", token).path("members");
      long up = 0;
      for (JsonNode m : members) {
        up += m.path("status").asText().equals("Up") ? 1 : 0;
      }
      Map<String, List<String>> byNode = new TreeMap<>();
      nodes.forEach(n -> byNode.put(n.name, new ArrayList<>()));
      boolean running = true;
      for (JsonNode product : getJson(via, "/lakemesh/products", token)) {
        for (JsonNode w : product.path("workers")) {
          running &= w.path("state").asText().equals("running");
          String node = w.path("node").asText();
          nodes.stream().filter(n -> n.address().equals(node)).findFirst()
              .ifPresent(n -> byNode.get(n.name).add(w.path("worker").asText()));
        }
      }
      int max = byNode.values().stream().mapToInt(List::size).max().orElse(0);
      int min = byNode.values().stream().mapToInt(List::size).min().orElse(0);
      String placement = byNode.toString();
      if (up != nodes.size() || !running || max - min > 1) {
        stable[0] = null;
        return false;
      }
      if (!placement.equals(stable[0])) {
        stable[0] = placement;
        since[0] = System.nanoTime();
        return false;
      }
      return System.nanoTime() - since[0] > Duration.ofSeconds(11).toNanos();
    });
    return stable[0];
  }

  /** Pauses or resumes retail.transactions through the management port and waits until every worker is there. */
  private static void admin(ChildNode via, String token, String action, String state) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.management("/lakemesh/products/" + TRANSACTIONS
        + "/" + action)).header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException(action + " answered " + r.statusCode() + ": " + r.body());
    }
    await(TRANSACTIONS + " " + state, Duration.ofSeconds(60), () -> {
      for (JsonNode product : getJson(via, "/lakemesh/products", token)) {
        if (product.path("id").asText().equals(TRANSACTIONS)) {
          for (JsonNode w : product.path("workers")) {
            if (!w.path("state").asText().equals(state)) {
              return false;
            }
          }
          return true;
        }
      }
      throw new IllegalStateException(TRANSACTIONS + " is not listed by /lakemesh/products");
    });
  }

  private static JsonNode getJson(ChildNode via, String path, String token) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(via.management(path))
        .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static int status(ChildNode via, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(via.api(path)).timeout(Duration.ofSeconds(5));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Polls until {@code check} holds; a check that throws is "not yet" and its last failure is reported. */
  private static void await(String what, Duration timeout, Callable<Boolean> check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(check.call())) {
          return;
        }
        last = null;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not within " + timeout.toSeconds() + " s: " + what, last);
      }
      Thread.sleep(100);
    }
  }

  private static void printSummary(List<Run> runs, Args args) {
    int baselineNodes = args.nodeCounts().get(0);
    double baseline = median(runs.stream().filter(r -> r.nodes() == baselineNodes).map(Run::eventsPerSecond)
        .toList());
    double baselineBusiest = median(runs.stream().filter(r -> r.nodes() == baselineNodes)
        .map(Run::busiestNodeCpuSeconds).toList());
    System.out.printf("%-8s %14s %18s %12s %16s %16s %14s  %s%n", "nodes", "median ev/s", "runs ev/s", "ratio",
        "all nodes cpu s", "busiest node s", "busiest ratio", "silver rows");
    for (int n : args.nodeCounts().stream().distinct().toList()) {
      List<Run> of = runs.stream().filter(r -> r.nodes() == n).toList();
      double median = median(of.stream().map(Run::eventsPerSecond).toList());
      double busiest = median(of.stream().map(Run::busiestNodeCpuSeconds).toList());
      boolean correct = of.stream().allMatch(r -> r.silverRows() == r.expectedSilverRows());
      System.out.printf("%-8d %,14.0f %18s %10.2fx %16.1f %16.1f %13.2fx  %s%n", n, median, String.join("/",
              of.stream().map(r -> String.format("%,.0f", r.eventsPerSecond())).toList()),
          median / baseline, median(of.stream().map(Run::totalCpuSeconds).toList()), busiest,
          baselineBusiest / busiest, correct ? "as expected" : "MISMATCH");
    }
    System.out.printf("(ratio = median events/s against the %d-node median of this run; %d cores for everything)%n",
        baselineNodes, Runtime.getRuntime().availableProcessors());
    System.out.printf("(busiest ratio = the %d-node run's busiest-node CPU seconds / this size's: how much less work"
        + " the most loaded node does for the same events, i.e. the throughput gain to expect when each node has"
        + " cores of its own and Kafka and the catalog keep up)%n", baselineNodes);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
