package io.lakemesh.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Command-line settings of {@link IngestBenchmark}; every one has a default. */
record BenchArgs(
    int events,
    int batchSize,
    int maxPollRecords,
    int warmupRounds,
    int rounds,
    List<Baseline> baselines,
    List<GoldMode> goldModes,
    double invalidShare,
    double duplicateShare,
    int tsSpreadHours,
    long seed,
    boolean profile,
    int profileBatches,
    boolean keep) {

  /** What the baseline lands: see {@link BaselineIngest}. */
  enum Baseline {
    /** Each record as it came: (partition, offset, payload), unpartitioned. The baseline: target 0.5x. */
    PAYLOAD(0.5, "the issue's baseline"),
    /**
     * Each event coerced to the silver schema, partitioned as silver: what a sink without validation does. The
     * issue means to pass such a sink ("we mean to pass it"): 1.0x.
     */
    TYPED(1.0, "passing a sink");

    final double target;
    final String means;

    Baseline(double target, String means) {
      this.target = target;
      this.means = means;
    }

    String label() {
      return "baseline/" + name().toLowerCase(Locale.ROOT);
    }
  }

  /** When the gold stage runs relative to the source commits. */
  enum GoldMode {
    /** {@code GoldAggregator.run()} right after every silver commit, on the same thread. */
    INLINE,
    /** One {@code GoldAggregator.run()} after the last silver commit. */
    END,
    /** A separate thread runs the aggregator every second while the source commits, as GoldPipeline does. */
    CONCURRENT;

    String label() {
      return "lakemesh/gold-" + name().toLowerCase(Locale.ROOT);
    }
  }

  static final String USAGE = """
      Usage: IngestBenchmark [options]
        --events N            events pre-produced to retail.transactions.raw (default 300000)
        --batch-size N        micro-batch size of both pipelines (default 50000, lakemesh.pipeline.batch-size)
        --max-poll N          max.poll.records of both consumers (default 10000, lakemesh.pipeline.max-poll-records)
        --warmup N            warm-up rounds, run but not counted (default 1)
        --rounds N            measured rounds (default 3); a round runs the baseline then each lakemesh variant
        --baselines LIST      payload,typed (default both): each record's payload as it came, unpartitioned;
                              or each event coerced to silver's schema and partitioning, as a sink does
        --gold LIST           lakemesh variants: inline,end,concurrent (default inline,end)
        --invalid F           share of invalid events (default 0.05)
        --duplicates F        share of byte-identical re-sends (default 0.02)
        --ts-spread-hours N   valid events get a ts spread uniformly over the last N hours (default 48; 0 keeps
                              the generator's own timestamps: seconds old, 2% one to three days late)
        --seed N              random seed (default 42)
        --no-profile          skip the profiling run (stack sampling) and the per-phase replay
        --profile-batches N   batches timed phase by phase in the replay (default 5)
        --keep                keep the temporary directory (Kafka log, warehouses) for inspection
      """;

  static BenchArgs parse(String[] args) {
    int events = 300_000;
    int batchSize = 50_000;
    int maxPoll = 10_000;
    int warmup = 1;
    int rounds = 3;
    List<Baseline> baselines = List.of(Baseline.PAYLOAD, Baseline.TYPED);
    List<GoldMode> gold = List.of(GoldMode.INLINE, GoldMode.END);
    double invalid = 0.05;
    double duplicates = 0.02;
    int spread = 48;
    long seed = 42;
    boolean profile = true;
    int profileBatches = 5;
    boolean keep = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--events" -> events = positive(a, value(args, ++i, a));
        case "--batch-size" -> batchSize = positive(a, value(args, ++i, a));
        case "--max-poll" -> maxPoll = positive(a, value(args, ++i, a));
        case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, a));
        case "--rounds" -> rounds = positive(a, value(args, ++i, a));
        case "--baselines" -> {
          List<Baseline> kinds = new ArrayList<>();
          for (String k : value(args, ++i, a).split(",")) {
            kinds.add(Baseline.valueOf(k.trim().toUpperCase(Locale.ROOT)));
          }
          baselines = List.copyOf(kinds);
        }
        case "--gold" -> {
          List<GoldMode> modes = new ArrayList<>();
          for (String m : value(args, ++i, a).split(",")) {
            modes.add(GoldMode.valueOf(m.trim().toUpperCase(Locale.ROOT)));
          }
          gold = List.copyOf(modes);
        }
        case "--invalid" -> invalid = Double.parseDouble(value(args, ++i, a));
        case "--duplicates" -> duplicates = Double.parseDouble(value(args, ++i, a));
        case "--ts-spread-hours" -> spread = Integer.parseInt(value(args, ++i, a));
        case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
        case "--no-profile" -> profile = false;
        case "--profile-batches" -> profileBatches = positive(a, value(args, ++i, a));
        case "--keep" -> keep = true;
        case "--help", "-h" -> {
          System.out.print(USAGE);
          System.exit(0);
        }
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    if (invalid < 0 || duplicates < 0 || invalid + duplicates >= 1) {
      throw new IllegalArgumentException("--invalid and --duplicates must be >= 0 and add up to less than 1");
    }
    return new BenchArgs(events, batchSize, maxPoll, warmup, rounds, baselines, gold, invalid, duplicates, spread, seed,
        profile, profileBatches, keep);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value\n" + USAGE);
    }
    return args[i];
  }

  private static int positive(String option, String text) {
    int n = Integer.parseInt(text.replace("_", ""));
    if (n < 1) {
      throw new IllegalArgumentException(option + " must be at least 1, got " + n);
    }
    return n;
  }
}
