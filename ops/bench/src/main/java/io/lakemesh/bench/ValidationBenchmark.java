package io.lakemesh.bench;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.retail.simulate.RetailTrafficSource;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.simulate.TrafficSource.EventKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Row validation of realistic retail transactions with the full {@code retail.transactions} contract (types,
 * options, library rules and both CEL rules), one event per operation on one thread, so the score is rows per
 * second per core.
 *
 * <p>Baselines measured in the same run on the same bytes: Jackson's {@code readTree} alone with a default mapper
 * (what any JSON consumer pays), the validator's own parse (exact decimals, duplicate-key detection), and
 * validation of an already parsed tree (the decoders and rules without parsing). The ratios say what validation
 * adds beyond parsing. Run it with {@code ops/bench/run-validation-bench.sh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ValidationBenchmark {
  static final double TARGET_ROWS_PER_SECOND = 1_000_000;

  @Param("10000")
  int events;

  @Param("0.05")
  double invalidShare;

  @Param("42")
  long seed;

  private byte[][] payloads;
  private JsonNode[] trees;
  private RowValidator validator;
  private final ObjectMapper plainJson = new ObjectMapper();
  private Instant now;
  private int next;

  @Setup
  public void generate() throws Exception {
    validator = ProductCatalog.load(ValidationBenchmark.class.getClassLoader(), List.of())
        .find("retail.transactions")
        .orElseThrow(() -> new IllegalStateException("retail.transactions is not on the classpath"))
        .validator();
    RetailTrafficSource source = new RetailTrafficSource();
    SplittableRandom random = new SplittableRandom(seed);
    payloads = new byte[events][];
    for (int i = 0; i < events; i++) {
      EventKind kind = random.nextDouble() < invalidShare ? EventKind.INVALID : EventKind.VALID;
      payloads[i] = source.nextEvent(random, kind).getBytes(StandardCharsets.UTF_8);
    }
    // the events are seconds old; validated against the time they were made, as the pipeline does
    now = Instant.now();
    trees = new JsonNode[events];
    int rejected = 0;
    long bytes = 0;
    for (int i = 0; i < events; i++) {
      trees[i] = RowValidator.parse(payloads[i]);
      rejected += validator.validate(payloads[i], now) instanceof Outcome.Rejected ? 1 : 0;
      bytes += payloads[i].length;
    }
    System.out.printf(Locale.ROOT, "%n%,d retail events, %,d rejected (%.1f%%), %,d bytes on average%n", events,
        rejected, 100.0 * rejected / events, bytes / events);
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == events ? 0 : i + 1;
    return i;
  }

  /** The whole check of one event: parse, decode to a typed Iceberg row, options, library and CEL rules. */
  @Benchmark
  public Outcome validate() {
    return validator.validate(payloads[nextIndex()], now);
  }

  /** Baseline: what any consumer pays to read the event as a JSON tree. */
  @Benchmark
  public JsonNode jacksonReadTree() throws IOException {
    return plainJson.readTree(payloads[nextIndex()]);
  }

  /**
   * Floor: Jackson's streaming parser stepping over every token of the event, materializing no value. Any validator
   * that reads the bytes with Jackson pays at least this, so it bounds what the per-core target can reach here.
   */
  @Benchmark
  public int jacksonTokens() throws IOException {
    int tokens = 0;
    try (JsonParser parser = plainJson.getFactory().createParser(payloads[nextIndex()])) {
      while (parser.nextToken() != null) {
        tokens++;
      }
    }
    return tokens;
  }

  /** The validator's parse alone: exact decimals, duplicate keys detected, limits on depth and sizes. */
  @Benchmark
  public JsonNode validatorParse() throws IOException {
    return RowValidator.parse(payloads[nextIndex()]);
  }

  /** Decoding and rules alone, on trees parsed in advance. */
  @Benchmark
  public Outcome validateParsedTree() {
    return validator.validate(trees[nextIndex()], now);
  }

  /**
   * Runs this benchmark: 1 fork, 3 warm-up and 5 measured iterations of 2 s, one thread, unless the command line
   * (JMH's own options, e.g. {@code -f 2 -i 10 -prof stack}) says otherwise; then prints rows/s and the ratios.
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--cpu-time")) {
      cpuTime(args.length > 1 ? Integer.parseInt(args[1]) : 60);
      return;
    }
    CommandLineOptions cli = new CommandLineOptions(args);
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include(ValidationBenchmark.class.getName());
    }
    if (!cli.getForkCount().hasValue()) {
      options.forks(1);
    }
    if (!cli.getWarmupIterations().hasValue()) {
      options.warmupIterations(3);
    }
    if (!cli.getWarmupTime().hasValue()) {
      options.warmupTime(TimeValue.seconds(2));
    }
    if (!cli.getMeasurementIterations().hasValue()) {
      options.measurementIterations(5);
    }
    if (!cli.getMeasurementTime().hasValue()) {
      options.measurementTime(TimeValue.seconds(2));
    }
    if (!cli.getThreads().hasValue()) {
      options.threads(1);
    }
    if (!cli.getJvmArgs().hasValue()) {
      options.jvmArgs("-Xms1g", "-Xmx1g");
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    summarize(results);
  }

  /**
   * The same comparison in thread CPU time, for a machine shared with other work, where JMH's wall-clock scores of
   * one benchmark after the other see different loads: rounds of validating all events alternate with rounds of
   * readTree on the same events in one JVM, and the medians of the second half are compared.
   */
  static void cpuTime(int rounds) throws Exception {
    ValidationBenchmark b = new ValidationBenchmark();
    b.events = 10_000;
    b.invalidShare = 0.05;
    b.seed = 42;
    b.generate();
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    double[] validate = new double[rounds];
    double[] readTree = new double[rounds];
    double[] tokens = new double[rounds];
    long sink = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < b.events; i++) {
        sink += b.validate() instanceof Outcome.Accepted ? 1 : 0;
      }
      long t1 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < b.events; i++) {
        sink += b.jacksonReadTree().size();
      }
      long t2 = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < b.events; i++) {
        sink += b.jacksonTokens();
      }
      long t3 = threads.getCurrentThreadCpuTime();
      validate[r] = (t1 - t0) / (double) b.events;
      readTree[r] = (t2 - t1) / (double) b.events;
      tokens[r] = (t3 - t2) / (double) b.events;
    }
    double v = medianOfSecondHalf(validate);
    double t = medianOfSecondHalf(readTree);
    double k = medianOfSecondHalf(tokens);
    System.out.printf(Locale.ROOT, "%nThread CPU time, %d alternating rounds of %,d events (median of the second half;"
        + " checksum %d):%n  validate         %,9.0f ns/row  (%,.0f rows/s per core)%n  jacksonReadTree  %,9.0f ns/row"
        + "  (%,.0f rows/s per core)%n  jacksonTokens    %,9.0f ns/row  (%,.0f rows/s per core: the floor of a"
        + " Jackson-based validator)%n  validate / readTree: %.2f× the speed (validation costs %.2f× readTree)%n"
        + "  validate / tokens: %.2f× the speed%n",
        rounds, b.events, sink, v, 1e9 / v, t, 1e9 / t, k, 1e9 / k, t / v, v / t, k / v);
  }

  private static double medianOfSecondHalf(double[] values) {
    double[] half = java.util.Arrays.copyOfRange(values, values.length / 2, values.length);
    java.util.Arrays.sort(half);
    return half[half.length / 2];
  }

  private static void summarize(Collection<RunResult> results) {
    Map<String, double[]> scores = new HashMap<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String name = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      scores.put(name, new double[] {r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()});
    }
    double[] validate = scores.get("validate");
    double[] readTree = scores.get("jacksonReadTree");
    if (validate == null || readTree == null) {
      return;
    }
    System.out.println();
    System.out.println("Validation of retail.transactions, one thread (rows/s per core):");
    for (String name : List.of("validate", "jacksonReadTree", "jacksonTokens", "validatorParse",
        "validateParsedTree")) {
      double[] s = scores.get(name);
      if (s != null) {
        System.out.printf(Locale.ROOT, "  %-20s %,12.0f rows/s  ± %,.0f  (%.2f µs/row)%n", name, s[0], s[1],
            1e6 / s[0]);
      }
    }
    System.out.printf(Locale.ROOT, "  validate costs %.2f× readTree alone (validation adds %.2f µs/row beyond"
        + " parsing)%n", readTree[0] / validate[0], 1e6 / validate[0] - 1e6 / readTree[0]);
    double[] parsed = scores.get("validateParsedTree");
    double[] parse = scores.get("validatorParse");
    if (parsed != null && parse != null) {
      double total = 1e6 / parse[0] + 1e6 / parsed[0];
      System.out.printf(Locale.ROOT, "  of a validation: parse %.0f%%, decode + rules %.0f%%%n",
          100 * (1e6 / parse[0]) / total, 100 * (1e6 / parsed[0]) / total);
    }
    System.out.printf(Locale.ROOT, "  target %,.0f rows/s per core: %s%n", TARGET_ROWS_PER_SECOND,
        validate[0] >= TARGET_ROWS_PER_SECOND ? "met" : String.format(Locale.ROOT, "not met (%.0f%% of it)",
            100 * validate[0] / TARGET_ROWS_PER_SECOND));
  }
}
