package io.lakemesh.runtime.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What this node knows about its products' progress, shared between pipelines (writers) and the HTTP layer
 * (readers): how much this node produced to each product's log, how far silver has committed (from the table, so
 * wherever in the cluster the product's workers run), and the state of each worker running here.
 */
public final class ProgressBoard {

  /** The state of one worker's pipeline. */
  public record PipelineState(String state, String lastError, Instant lastCommit, long batches,
      java.time.Duration lastLatency, String node)
      implements io.lakemesh.runtime.cluster.CborSerializable {} // the reply of an ask that may cross nodes

  private final Instant startedAt = Instant.now();
  private final Function<String, SourcePositions> committed;
  private final Map<String, Map<Integer, AtomicLong>> produced = new ConcurrentHashMap<>();
  private final Map<String, PipelineState> states = new ConcurrentHashMap<>();

  /** @param committed silver's committed positions of a product, all partitions */
  public ProgressBoard(Function<String, SourcePositions> committed) {
    this.committed = committed;
  }

  /** When this node started: the reference for products that have not committed yet. */
  public Instant startedAt() {
    return startedAt;
  }

  public void produced(String productId, int partition, long offset) {
    produced.computeIfAbsent(productId, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(partition, k -> new AtomicLong(-1))
        .accumulateAndGet(offset, Math::max);
  }

  /** Events produced through this node that silver has not committed yet (by whichever node runs them). */
  public long lag(String productId) {
    Map<Integer, AtomicLong> ends = produced.get(productId);
    if (ends == null) {
      return 0;
    }
    SourcePositions done = committed.apply(productId);
    long lag = 0;
    for (Map.Entry<Integer, AtomicLong> e : ends.entrySet()) {
      lag += Math.max(0, e.getValue().get() + 1 - done.next(e.getKey()));
    }
    return lag;
  }

  /** Records the state of a worker running on this node (keyed by its entity id). */
  public void state(String worker, PipelineState state) {
    states.put(worker, state);
  }

  public PipelineState state(String worker) {
    return states.getOrDefault(worker, new PipelineState("starting", null, null, 0, null, null));
  }
}
