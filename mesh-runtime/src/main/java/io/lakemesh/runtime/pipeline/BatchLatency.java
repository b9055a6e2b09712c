package io.lakemesh.runtime.pipeline;

import java.time.Duration;
import java.time.Instant;

/**
 * The latency a committed batch is charged against the contract's latency objective: from the receipt of its oldest
 * event received since its worker first started to the commit (a pause, a halt or a failure since is charged).
 * Events that arrived before (a new major version filling its tables from the log, a worker restarted after a
 * node was lost) are backlog: they waited for
 * the pipeline, not in it. That wait shows in freshness; charging it here, or charging the backlog's processing
 * time since the start, would report a breach at every major deploy until the backlog is gone.
 */
public final class BatchLatency {
  private BatchLatency() {}

  /**
   * @param oldestLive the receipt of the batch's oldest event received since the worker started; null when every
   *     event of the batch is backlog
   * @param committedAt when the batch committed
   * @return the latency charged, or null for a batch of backlog only (no sample: the objective keeps its last)
   */
  public static Duration charged(Instant oldestLive, Instant committedAt) {
    if (oldestLive == null) {
      return null;
    }
    Duration d = Duration.between(oldestLive, committedAt);
    return d.isNegative() ? Duration.ZERO : d; // a receipt stamped by a clock ahead of this one
  }
}
