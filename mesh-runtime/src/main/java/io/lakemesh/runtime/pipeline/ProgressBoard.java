package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.log.LogEnds;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * What this node knows about its products' progress, shared between pipelines (writers) and the HTTP layer
 * (readers): how far each product's log reaches (the broker's end offsets, and what this node just produced), how
 * far silver has committed (from the table, so wherever in the cluster the product's workers run), and the state of
 * each worker running here.
 */
public final class ProgressBoard implements AutoCloseable {

  /**
   * The state of one worker's pipeline.
   *
   * @param haltedWaitingSince while halted: the receipt of the oldest live (not backlog) event of the batch it halted
   *     on, which waits for an operator; null otherwise
   */
  public record PipelineState(String state, String lastError, Instant lastCommit, long batches,
      java.time.Duration lastLatency, String node, Instant haltedWaitingSince)
      implements io.lakemesh.runtime.cluster.CborSerializable {} // the reply of an ask that may cross nodes

  private final Instant startedAt = Instant.now();
  private final Function<String, SourcePositions> committed;
  private final LogEnds logEnds;
  /** The raw-topic partitions a product's contract declares (its workers read those). */
  private final java.util.function.ToIntFunction<String> declaredPartitions;
  private final Map<String, Map<Integer, AtomicLong>> produced = new ConcurrentHashMap<>();
  private final Map<String, PipelineState> states = new ConcurrentHashMap<>();

  /**
   * @param committed silver's committed positions of a product, all partitions
   * @param logEnds the next offset of each partition of a product's raw topic (events accepted by any node); may
   *     lag a moment behind, which the offsets this node produced make up for
   */
  public ProgressBoard(Function<String, SourcePositions> committed, LogEnds logEnds) {
    this.committed = committed;
    this.logEnds = logEnds;
    this.declaredPartitions = logEnds::declaredPartitions;
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

  /**
   * Events in the product's log that silver has not committed yet: accepted through any node, before or after a
   * restart, waiting for whichever node runs their partition.
   */
  public long lag(String productId) {
    return lag(productId, false);
  }

  /** {@link #lag(String)} from freshly read log ends, for people reading the stats rather than the ingest path. */
  public long freshLag(String productId) {
    return lag(productId, true);
  }

  private long lag(String productId, boolean fresh) {
    return lagByPartition(productId, fresh).values().stream().mapToLong(Long::longValue).sum();
  }

  /** Events accepted but not yet in silver, per partition of the product's raw topic (freshly read log ends). */
  public Map<Integer, Long> freshLagByPartition(String productId) {
    return lagByPartition(productId, true);
  }

  private Map<Integer, Long> lagByPartition(String productId, boolean fresh) {
    Map<Integer, Long> ends = new java.util.HashMap<>(logEnds.ends(productId, fresh));
    Map<Integer, AtomicLong> mine = produced.get(productId);
    if (mine != null) {
      mine.forEach((partition, offset) -> ends.merge(partition, offset.get() + 1, Math::max));
    }
    if (ends.isEmpty()) {
      return Map.of();
    }
    SourcePositions done = committed.apply(productId);
    // ends the log did not just answer with are its last known ones: not worth probing (each probe would wait for
    // a broker that does not answer), their lag stays as it was
    boolean probe = fresh && logEnds.answering(productId);
    Map<Integer, Long> lag = new java.util.TreeMap<>();
    ends.forEach((partition, end) -> {
      if (!fresh && partition >= declaredPartitions.applyAsInt(productId)) {
        // partitions added from outside, which no worker reads: they would hold ingest back forever (503s)
        return;
      }
      long next = done.next(partition);
      // for people reading it: offsets a transactional producer left without events (markers, aborted events)
      // are nothing waiting
      lag.put(partition, end <= next || (probe && !logEnds.holdsEvents(productId, partition, next, end)) ? 0
          : end - next);
    });
    return lag;
  }

  /**
   * Why the lag of a product is not known now, or null when it is: the log does not answer, so events accepted since
   * its last answer are not counted.
   */
  public String lagUnknown(String productId) {
    if (logEnds.current(productId)) {
      return null;
    }
    Instant last = logEnds.lastRead(productId);
    return "the log (Kafka) does not answer" + (last == null ? ", and has not since this node started"
        : "; its ends were last read at " + last) + ": events accepted since are not counted";
  }

  /** Closes the connection the log's ends are read through. */
  @Override
  public void close() {
    logEnds.close();
  }

  /** Records the state of a worker running on this node (keyed by its entity id). */
  public void state(String worker, PipelineState state) {
    states.put(worker, state);
  }

  public PipelineState state(String worker) {
    return states.getOrDefault(worker, new PipelineState("starting", null, null, 0, null, null, null));
  }
}
