package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.storage.OrphanFiles;
import java.time.Duration;

/**
 * When a worker sweeps its tables' orphaned files ({@link OrphanFiles}): at its first chance, then at most once an
 * hour (listing a table's data folder and reading its manifests costs a little). Compaction's run and gold's worker
 * keep one each.
 */
final class OrphanSweepCadence {
  static final Duration EVERY = Duration.ofHours(1);
  private long last = Long.MIN_VALUE;

  /** Whether a sweep is due now (never when {@code orphans} is null: sweeping is off); if so, it counts from now. */
  synchronized boolean claim(OrphanFiles orphans) {
    long now = System.nanoTime();
    if (orphans == null || (last != Long.MIN_VALUE && now - last < EVERY.toNanos())) {
      return false;
    }
    last = now;
    return true;
  }
}
