package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.storage.Compaction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Table;

/**
 * When one worker compacts its product's bronze, silver and quarantine: when due (a minute after it starts, then
 * every {@code every}), on the compaction thread, never two runs at once; a failure is logged and retried at the next
 * interval. Compaction keeps every row, so it may run beside the worker's commits.
 */
final class CompactionSchedule {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CompactionSchedule.class);
  /** A worker's first compaction comes this soon after it starts (or the interval, if shorter). */
  private static final Duration FIRST_AFTER = Duration.ofMinutes(1);

  private final String productId;
  private final List<Table> tables;
  private final long startedNanos = System.nanoTime();
  /** When the last run started; {@link Long#MIN_VALUE} before the first (workers restart: it comes soon). */
  private long last = Long.MIN_VALUE;
  private final OrphanSweepCadence sweeps = new OrphanSweepCadence();
  private final AtomicBoolean running = new AtomicBoolean();
  /** Whether the queued run has begun: a stop waits only for one that has. */
  private volatile boolean begun;
  private volatile boolean stopping;
  private volatile CompletableFuture<Void> run = CompletableFuture.completedFuture(null);

  CompactionSchedule(String productId, List<Table> tables) {
    this.productId = productId;
    this.tables = List.copyOf(tables);
  }

  /** Starts a run when one is due. */
  synchronized void whenDue(CompactionSettings settings) {
    long now = System.nanoTime();
    boolean due = last == Long.MIN_VALUE
        ? now - startedNanos >= Math.min(settings.every().toNanos(), FIRST_AFTER.toNanos())
        : now - last >= settings.every().toNanos();
    if (!settings.enabled() || !due || !running.compareAndSet(false, true)) {
      return;
    }
    last = now;
    boolean sweep = sweeps.claim(settings.orphans());
    begun = false;
    run = CompletableFuture.runAsync(() -> {
      begun = true;
      try {
        for (Table table : tables) {
          if (!stopping) {
            compact(settings.compaction(), table);
          }
          if (sweep && !stopping) {
            settings.orphans().sweep(productId, table);
          }
        }
      } finally {
        running.set(false);
      }
    }, CompactionSettings.THREAD);
  }

  /**
   * Stops a run in flight (it then commits nothing and deletes what it wrote); completes once it has. A run still
   * queued behind another product's finds the stop when its turn comes: nothing to wait for.
   */
  CompletableFuture<Void> stop() {
    stopping = true;
    return begun ? run.exceptionally(e -> null) : CompletableFuture.completedFuture(null);
  }

  private void compact(Compaction compaction, Table table) {
    long start = System.nanoTime();
    try {
      Compaction.Result done = compaction.run(table, () -> stopping);
      if (done.filesRemoved() > 0) {
        LOG.info("{}: compacted {} small files of {} into {} (in {} table partitions,"
            + " {} rows, {} KB) in {} ms", productId,
            done.filesRemoved(), table.name(), done.filesAdded(), done.partitions(), done.rows(),
            done.bytesRead() / 1024, (System.nanoTime() - start) / 1_000_000);
      }
    } catch (org.apache.iceberg.exceptions.CommitStateUnknownException e) {
      LOG.warn("{}: compacting {}: whether its commit landed is unknown (the table says, and the next run"
          + " starts from it): {}", productId, table.name(), e.toString());
    } catch (RuntimeException e) {
      LOG.warn("{}: compacting {} failed; its files are as they were, retrying at the next interval: {}",
          productId, table.name(), e.toString());
    }
  }
}
