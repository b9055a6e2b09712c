package io.lakemesh.runtime.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many live streams a caller, and the node, hold open at once. A stream is cheap to open and costs the node for
 * as long as it stays open (a buffer, a place in every commit's fan-out), and an upgraded WebSocket connection no
 * longer counts toward the HTTP server's connection cap: without this, one reader could open thousands and slow
 * every other subscriber.
 *
 * @param perCaller streams one caller (a token's subject, an API key) may hold open
 * @param perNode streams the node holds open for all callers together
 */
public final class StreamQuota {
  private final int perCaller;
  private final int perNode;
  private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  public StreamQuota(int perCaller, int perNode) {
    this.perCaller = perCaller;
    this.perNode = perNode;
  }

  /**
   * Counts one more stream of {@code caller}; returns what releases it (once, however often it runs).
   *
   * @throws LiveStreams.BadStreamRequest (429) when the caller or the node holds as many as allowed
   */
  Runnable take(String caller) throws LiveStreams.BadStreamRequest {
    AtomicInteger mine = open.computeIfAbsent(caller, c -> new AtomicInteger());
    if (mine.incrementAndGet() > perCaller) {
      mine.decrementAndGet();
      throw new LiveStreams.BadStreamRequest(429, "too-many-streams", "you have " + perCaller + " live streams open"
          + " on this node, the most a caller may (lakemesh.limits.streams-per-caller): close one first");
    }
    if (total.incrementAndGet() > perNode) {
      total.decrementAndGet();
      mine.decrementAndGet();
      throw new LiveStreams.BadStreamRequest(429, "too-many-streams", "this node holds " + perNode + " live streams,"
          + " the most it serves at once (lakemesh.limits.max-streams): subscribe to another node, or retry later");
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        total.decrementAndGet();
        mine.decrementAndGet();
      }
    };
  }
}
