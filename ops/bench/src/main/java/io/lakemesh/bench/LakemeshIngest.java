package io.lakemesh.bench;

import io.lakemesh.bench.BenchArgs.GoldMode;
import io.lakemesh.runtime.pipeline.CommitFeed;
import io.lakemesh.runtime.pipeline.CommitListener;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.Table;
import org.apache.kafka.common.TopicPartition;

/**
 * The contender: the real source stage ({@link SourceBatchCommitter}: bronze, silver and quarantine with
 * validation and dedup, exactly-once positions) fed by the shared consumer loop, and the real gold stage
 * ({@link GoldAggregator} for retail.daily_sales) run inline after each silver commit, once at the end, or on its
 * own thread every gold-interval as {@code GoldPipeline} does. Timed until gold has folded in silver's last
 * snapshot.
 */
final class LakemeshIngest {

  /** lakemesh.pipeline.gold-interval */
  static final Duration GOLD_INTERVAL = Duration.ofSeconds(1);

  private LakemeshIngest() {}

  static RunResult run(Warehouse warehouse, ProductCatalog catalog, String bootstrap, RawTopicLoader.Loaded loaded,
      BenchArgs args, GoldMode mode, Executor io, int round, boolean warmup) {
    Product source = catalog.find("retail.transactions").orElseThrow();
    Product goldProduct = catalog.find("retail.daily_sales").orElseThrow();
    // tables and stage state are prepared before the clock starts, as a running node has them
    Table bronze = StageTables.bronze(warehouse, source);
    Table silver = StageTables.served(warehouse, source);
    Table quarantine = StageTables.quarantine(warehouse, source);
    // as on a node: silver's recent commits are handed to gold in memory (the same CommitFeed wiring)
    CommitFeed feed = new CommitFeed(4);
    SourceBatchCommitter committer = new SourceBatchCommitter(source, bronze, silver, quarantine, io, feed);
    // gold has its own table objects, as its DataProduct entity does
    GoldAggregator gold = new GoldAggregator(goldProduct, catalog.aggregation(goldProduct),
        StageTables.served(warehouse, goldProduct), StageTables.served(warehouse, source), feed,
        CommitListener.NONE);
    Map<TopicPartition, Long> from = new HashMap<>();
    loaded.endOffsets().keySet().forEach(tp -> from.put(tp, committer.resumeFrom().next(tp.partition())));

    long[] counts = new long[4]; // bronze, silver, quarantine, duplicates
    double[] sourceSeconds = {0};
    AtomicLong goldNanos = new AtomicLong();
    AtomicInteger goldRuns = new AtomicInteger();
    AtomicReference<Throwable> goldFailure = new AtomicReference<>();
    Runnable runGold = () -> {
      long t0 = System.nanoTime();
      gold.run();
      goldNanos.addAndGet(System.nanoTime() - t0);
      goldRuns.incrementAndGet();
    };

    @SuppressWarnings("unchecked")
    java.util.concurrent.CompletableFuture<SourceBatchCommitter.BatchResult>[] inFlight =
        new java.util.concurrent.CompletableFuture[1];
    ExecutorService commitThread = Executors.newSingleThreadExecutor();
    Meter meter = Meter.start();
    ScheduledExecutorService ticker = null;
    if (mode == GoldMode.CONCURRENT) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-gold");
        t.setDaemon(true);
        return t;
      });
      // fixed rate without overlap: a tick that comes while a run is in progress waits, like GoldPipeline's
      ticker.scheduleAtFixedRate(() -> {
        if (goldFailure.get() == null) {
          try {
            runGold.run();
          } catch (RuntimeException | Error e) {
            goldFailure.set(e);
          }
        }
      }, 0, GOLD_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
    BatchLoop.Stats stats = BatchLoop.run(bootstrap, from, loaded.endOffsets(), args.batchSize(),
        args.maxPollRecords(), batch -> {
          // as SourcePipeline does: prepare (validate, convert) batch N+1 while batch N writes and commits
          long t0 = System.nanoTime();
          SourceBatchCommitter.Prepared prepared = committer.prepare(batch);
          SourceBatchCommitter.BatchResult r = inFlight[0] == null ? null : inFlight[0].join();
          inFlight[0] = java.util.concurrent.CompletableFuture.supplyAsync(() -> committer.commit(prepared),
              commitThread);
          sourceSeconds[0] += (System.nanoTime() - t0) / 1e9;
          if (r != null) {
            count(r, counts);
            if (mode == GoldMode.INLINE) {
              runGold.run();
            }
          }
        });
    if (inFlight[0] != null) {
      count(inFlight[0].join(), counts);
      if (mode == GoldMode.INLINE) {
        runGold.run();
      }
    }
    commitThread.shutdown();
    if (ticker != null) {
      ticker.shutdown();
      awaitQuietly(ticker);
      if (goldFailure.get() != null) {
        throw new IllegalStateException("gold failed on its own thread", goldFailure.get());
      }
    }
    // whatever the mode, the run ends when gold has folded in silver's last snapshot
    silver.refresh();
    long lastSilver = silver.currentSnapshot().snapshotId();
    for (int i = 0; i < 3 && !caughtUp(gold, lastSilver); i++) {
      runGold.run();
    }
    Meter.Reading m = meter.stop();

    bronze.refresh();
    quarantine.refresh();
    RunResult.Counts c = new RunResult.Counts(counts[0], counts[1], counts[2], counts[3], totalRecords(silver),
        totalRecords(quarantine), totalRecords(bronze), caughtUp(gold, lastSilver));
    return new RunResult(mode.label(), round, warmup, loaded.events(), m.seconds(), m.cpuSeconds(), m.gcSeconds(),
        stats.pollSeconds(), sourceSeconds[0], goldNanos.get() / 1e9, stats.batches(), goldRuns.get(),
        c.silver() + c.quarantine() + c.duplicates(), c);
  }

  private static boolean caughtUp(GoldAggregator gold, long lastSilver) {
    return gold.upstreamSnapshot().map(s -> Objects.equals(s, lastSilver)).orElse(false);
  }

  static long totalRecords(Table table) {
    return table.currentSnapshot() == null ? 0
        : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
  }

  private static void awaitQuietly(ScheduledExecutorService ticker) {
    try {
      if (!ticker.awaitTermination(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the gold thread did not finish its run");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the gold thread", e);
    }
  }

  private static void count(SourceBatchCommitter.BatchResult r, long[] counts) {
    counts[0] += r.bronzeRows();
    counts[1] += r.silverRows();
    counts[2] += r.quarantined();
    counts[3] += r.duplicates();
  }
}
