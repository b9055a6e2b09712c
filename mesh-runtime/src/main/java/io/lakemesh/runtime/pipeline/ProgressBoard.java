package io.lakemesh.runtime.pipeline;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this node knows about its products' progress, shared between pipelines (writers) and the HTTP layer
 * (readers): how far silver has committed, how much was produced, and each pipeline's state.
 */
public final class ProgressBoard {

  /** The state of one product's pipeline on this node. */
  public record PipelineState(String state, String lastError, Instant lastCommit, long batches,
      java.time.Duration lastLatency, String node)
      implements io.lakemesh.runtime.cluster.CborSerializable {} // the reply of an ask that may cross nodes

  private final Instant startedAt = Instant.now();
  private final Map<String, SourcePositions> committed = new ConcurrentHashMap<>();
  private final Map<String, Map<Integer, AtomicLong>> produced = new ConcurrentHashMap<>();
  private final Map<String, PipelineState> states = new ConcurrentHashMap<>();

  /** When this node started: the reference for products that have not committed yet. */
  public Instant startedAt() {
    return startedAt;
  }

  public void committed(String productId, SourcePositions positions) {
    committed.put(productId, positions);
  }

  public void produced(String productId, int partition, long offset) {
    produced.computeIfAbsent(productId, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(partition, k -> new AtomicLong(-1))
        .accumulateAndGet(offset, Math::max);
  }

  /** Events produced through this node that silver has not committed yet. */
  public long lag(String productId) {
    Map<Integer, AtomicLong> ends = produced.get(productId);
    SourcePositions done = committed.get(productId);
    if (ends == null || done == null) {
      // the pipeline runs on another node of the cluster: this node cannot tell its lag (it pushes back there)
      return 0;
    }
    long lag = 0;
    for (Map.Entry<Integer, AtomicLong> e : ends.entrySet()) {
      lag += Math.max(0, e.getValue().get() + 1 - done.next(e.getKey()));
    }
    return lag;
  }

  public void state(String productId, PipelineState state) {
    states.put(productId, state);
  }

  public PipelineState state(String productId) {
    return states.getOrDefault(productId, new PipelineState("starting", null, null, 0, null, null));
  }
}
