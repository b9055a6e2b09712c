package io.lakemesh.runtime.pipeline;

import java.time.Duration;
import java.time.Instant;

/**
 * The latency a committed batch is charged against the contract's latency objective: from the receipt of its oldest
 * event to the commit, but not from before the pipeline started. Events that arrived while no pipeline ran (a new
 * major version filling its tables from the log, a worker restarted after a node was lost) waited for the pipeline,
 * not in it; that wait shows in freshness, and charging it here would report a breach until the backlog is gone.
 */
public final class BatchLatency {
  private BatchLatency() {}

  /**
   * @param sinceOldestReceipt receipt of the batch's oldest event to its commit
   * @param pipelineStarted when the pipeline that committed the batch started
   * @param committedAt when the batch committed
   */
  public static Duration charged(Duration sinceOldestReceipt, Instant pipelineStarted, Instant committedAt) {
    Duration sinceStart = Duration.between(pipelineStarted, committedAt);
    return sinceStart.isNegative() || sinceOldestReceipt.compareTo(sinceStart) <= 0 ? sinceOldestReceipt
        : sinceStart;
  }
}
