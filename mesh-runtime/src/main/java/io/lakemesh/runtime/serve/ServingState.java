package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether this node serves: what {@code /ready} answers on both ports, and whether ingest still takes events. A
 * stopping node turns not ready and refuses new input with a 503 a little before it closes its ports, so a client
 * posting on a kept-alive connection gets an answer it can act on instead of a reset connection.
 */
public final class ServingState {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Supplier<Optional<String>> pipelines;
  private final Supplier<? extends Map<String, String>> held;
  private volatile boolean stopping;

  /**
   * @param pipelines why the node's pipelines keep it from being ready (empty when they do not)
   * @param held the workers of a ready node that are not running (halted, paused, ...), by id, with their state
   */
  public ServingState(Supplier<Optional<String>> pipelines, Supplier<? extends Map<String, String>> held) {
    this.pipelines = pipelines;
    this.held = held;
  }

  /**
   * What {@code /ready} answers while the node is ready: its status, and the workers held on purpose (a product
   * halted by a critical rule keeps the node ready, so a load balancer keeps it, but a person reading the probe
   * should see it).
   */
  public String readyBody() {
    ObjectNode body = JSON.createObjectNode().put("status", "ready");
    Map<String, String> notRunning = held();
    if (!notRunning.isEmpty()) {
      ObjectNode workers = body.putObject("held");
      notRunning.forEach(workers::put);
    }
    return body.toString();
  }

  /** The workers that are not running (halted, paused, replaying, ...), by entity id, with their state. */
  public Map<String, String> held() {
    return held.get();
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
