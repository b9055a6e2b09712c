package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.pipeline.ProgressBoard.PipelineState;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The state of every worker of every product, wherever in the cluster it runs: each worker is asked through
 * sharding twice a second. The poll doubles as the keep-alive that brings a worker up again on a surviving node
 * after its node was lost. Readiness probes, product stats and admin listings read the last answers and never wait.
 */
public final class ClusterProgress {
  static final Duration POLL = Duration.ofMillis(500);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

  /** One worker and its last known state (null when it did not answer the last poll). */
  public record WorkerStatus(WorkerId worker, PipelineState state) {
    public String stateName() {
      return state == null ? "unreachable" : state.state();
    }
  }

  private final ActorSystem<?> system;
  private final ProductCatalog products;
  private final Map<String, WorkerStatus> last = new ConcurrentHashMap<>();
  private volatile boolean polledOnce;
  private volatile org.apache.pekko.actor.Cancellable polling;

  private ClusterProgress(ActorSystem<?> system, ProductCatalog products) {
    this.system = system;
    this.products = products;
  }

  /** Starts polling every product's workers. */
  public static ClusterProgress start(ActorSystem<?> system, ProductCatalog products) {
    ClusterProgress progress = new ClusterProgress(system, products);
    progress.polling = system.scheduler().scheduleAtFixedRate(Duration.ofMillis(200), POLL, progress::poll,
        system.executionContext());
    return progress;
  }

  /** Stops polling (at shutdown: the workers are draining and must not be woken up again). */
  public void stop() {
    if (polling != null) {
      polling.cancel();
    }
  }

  private void poll() {
    List<CompletableFuture<WorkerStatus>> asks = askAll();
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenRun(() -> {
      asks.forEach(a -> {
        WorkerStatus s = a.join();
        last.put(s.worker().entityId(), s);
      });
      polledOnce = true;
    });
  }

  /** Asks every worker for its state now; an unanswered ask yields a status without state. */
  public List<CompletableFuture<WorkerStatus>> askAll() {
    List<CompletableFuture<WorkerStatus>> asks = new ArrayList<>();
    for (Product p : products.all()) {
      for (WorkerId w : WorkerId.of(p)) {
        asks.add(entity(p, w).<PipelineState>ask(DataProduct.GetState::new, ASK_TIMEOUT).toCompletableFuture()
            .handle((state, error) -> new WorkerStatus(w, error == null ? state : null)));
      }
    }
    return asks;
  }

  /** The sharded entity of one worker of a product. */
  public EntityRef<DataProduct.Command> entity(Product product, WorkerId worker) {
    return ClusterSharding.get(system).entityRefFor(DataProduct.typeKey(product.contract().domain()),
        worker.entityId());
  }

  /**
   * Ready when every worker of every product answered the last poll and is up: running, or held on purpose (paused
   * by an operator, halted by a quality gate, replaying) - states an operator sees in the stats, which must not take
   * the node's API out of service. Starting, failed or unreachable workers make the node not ready.
   */
  public boolean ready() {
    if (!polledOnce) {
      return false;
    }
    for (Product p : products.all()) {
      for (WorkerStatus s : workers(p)) {
        if (!UP.contains(s.stateName())) {
          return false;
        }
      }
    }
    return true;
  }

  private static final java.util.Set<String> UP = java.util.Set.of("running", "pausing", "paused", "halted",
      "replaying");

  /** The last known status of each worker of a product, in partition order. */
  public List<WorkerStatus> workers(Product product) {
    Map<String, WorkerStatus> byId = new LinkedHashMap<>();
    for (WorkerId w : WorkerId.of(product)) {
      byId.put(w.entityId(), last.getOrDefault(w.entityId(), new WorkerStatus(w, null)));
    }
    return new ArrayList<>(byId.values());
  }
}
