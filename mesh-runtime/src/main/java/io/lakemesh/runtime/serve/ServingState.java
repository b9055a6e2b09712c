package io.lakemesh.runtime.serve;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this node serves: what {@code /ready} answers on both ports, and whether ingest still takes events. A
 * stopping node turns not ready and refuses new input with a 503 a little before it closes its ports, so a client
 * posting on a kept-alive connection gets an answer it can act on instead of a reset connection.
 */
public final class ServingState {
  private final Supplier<Optional<String>> pipelines;
  private volatile boolean stopping;

  /** @param pipelines why the node's pipelines keep it from being ready (empty when they do not) */
  public ServingState(Supplier<Optional<String>> pipelines) {
    this.pipelines = pipelines;
  }

  /** From now on: not ready, and ingest answers 503. There is no way back: the node is shutting down. */
  public void stop() {
    stopping = true;
  }

  public boolean stopping() {
    return stopping;
  }

  /** Why the node is not ready, in one sentence; empty when it is ready. */
  public Optional<String> whyNotReady() {
    return stopping ? Optional.of("the node is stopping") : pipelines.get();
  }
}
