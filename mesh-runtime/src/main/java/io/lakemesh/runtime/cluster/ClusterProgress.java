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
  public record WorkerStatus(WorkerId worker, PipelineState state, boolean unassigned) {
    public WorkerStatus(WorkerId worker, PipelineState state) {
      this(worker, state, false);
    }

    /** "unassigned" when no member of the cluster has the product's domain role; "unreachable" when it did not answer. */
    public String stateName() {
      return unassigned ? "unassigned" : state == null ? "unreachable" : state.state();
    }
  }

  private final ActorSystem<?> system;
  private final ProductCatalog products;
  private final Map<String, WorkerStatus> last = new ConcurrentHashMap<>();
  private volatile boolean polledOnce;
  /** Since when (nanoTime) each worker has been seen not up (no answer, or starting); absent while it is up. */
  private final Map<String, Long> notUpSince = new ConcurrentHashMap<>();
  /** Whether this node was ready once: from then on, workers that move between nodes are given MOVE_GRACE. */
  private volatile boolean wasReady;
  /**
   * How long a worker may be unanswered or starting (moving to another node after a member was lost or joined, or
   * an operator's move) before the nodes count as not ready: meanwhile they serve reads and ingest, and taking
   * every node out of a load balancer at once because one was lost would turn a failover into an outage. Longer than
   * a commit may wait for the catalog's lock (two minutes, see Warehouse): a stopping node's worker drains only
   * once its last commit lands, and does not answer meanwhile.
   */
  static final Duration MOVE_GRACE = Duration.ofSeconds(150);
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
      long now = System.nanoTime();
      asks.forEach(a -> {
        WorkerStatus s = a.join();
        // the grace first, then the state readiness reads: a probe in between must not see one without the other
        if (moving(s)) {
          notUpSince.putIfAbsent(s.worker().entityId(), now);
        } else {
          notUpSince.remove(s.worker().entityId());
        }
        last.put(s.worker().entityId(), s);
      });
      polledOnce = true;
      // "was ready" must not wait for someone to ask: a node nobody probed before a member was lost would
      // otherwise give the moving workers no grace
      whyNotReady();
    });
  }

  /**
   * A worker that may be between nodes: it does not answer, is draining or stopped where it was, or starting where
   * it goes. A failed one is not: a pipeline that fails, restarts and fails again would otherwise keep the node
   * ready for good.
   */
  private static boolean moving(WorkerStatus s) {
    return !s.unassigned() && (s.state() == null || MOVING.contains(s.stateName()));
  }

  private static final java.util.Set<String> MOVING = java.util.Set.of("starting", "draining", "stopped");

  /**
   * Asks every worker for its state now; an unanswered ask yields a status without state, a worker of a domain
   * nobody runs (see {@link #hosted}) an unassigned one at once.
   */
  public List<CompletableFuture<WorkerStatus>> askAll() {
    List<CompletableFuture<WorkerStatus>> asks = new ArrayList<>();
    for (Product p : products.all()) {
      if (!hosted(p)) {
        // nobody runs this domain: asking would only pile messages up in a shard proxy
        WorkerId.of(p).forEach(w -> asks.add(CompletableFuture.completedFuture(new WorkerStatus(w, null, true))));
        continue;
      }
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
   * Whether an Up member of the cluster has the role of the product's domain ({@code domain-<domain>}), i.e. whether
   * anybody runs its workers. A cluster that runs only some of the domains it has contracts for (a node started with
   * {@code --roles domain-logistics,api} next to the built-in retail contracts) leaves the others unassigned.
   */
  public boolean hosted(Product product) {
    String role = "domain-" + product.contract().domain();
    for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(system).state().getMembers()) {
      if (m.status() == org.apache.pekko.cluster.MemberStatus.up() && m.hasRole(role)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ready when every worker of every product of a domain the cluster runs (see {@link #hosted}) answered the last
   * poll and is up (once the node was ready, only its own workers count, and a worker between nodes is given
   * {@link #MOVE_GRACE}): running, or held
   * on purpose (paused
   * by an operator, halted by a quality gate, replaying) - states an operator sees in the stats, which must not take
   * the node's API out of service. Starting, failed or unreachable workers make the node not ready.
   */
  public boolean ready() {
    return whyNotReady().isEmpty();
  }

  /**
   * The workers a ready node has that are not running, held on purpose or waiting (halted by a quality gate, paused,
   * replaying, waiting for the log), by entity id, with their state: what a ready answer names so a probe's reader
   * sees it too.
   */
  public java.util.SortedMap<String, String> held() {
    java.util.SortedMap<String, String> held = new java.util.TreeMap<>();
    for (Product p : products.all()) {
      if (hosted(p)) {
        workers(p).stream().filter(s -> HELD.contains(s.stateName()))
            .forEach(s -> held.put(s.worker().entityId(), s.stateName()));
      }
    }
    return held;
  }

  /** Why the node is not {@link #ready()}, in a sentence naming the member status or the worker; empty when ready. */
  public java.util.Optional<String> whyNotReady() {
    // before this node is Up it knows no members, so every domain would look unassigned
    org.apache.pekko.cluster.MemberStatus status = org.apache.pekko.cluster.typed.Cluster.get(system).selfMember()
        .status();
    if (status != org.apache.pekko.cluster.MemberStatus.up()) {
      return java.util.Optional.of("this node is not an Up member of the cluster (" + status + ")");
    }
    if (!polledOnce) {
      return java.util.Optional.of("the workers' states have not been read yet");
    }
    for (Product p : products.all()) {
      if (!hosted(p)) {
        continue;
      }
      for (WorkerStatus s : workers(p)) {
        if (wasReady && elsewhere(s)) {
          continue; // another node's worker: that node's /ready answers for it (see elsewhere)
        }
        Long since = notUpSince.get(s.worker().entityId());
        if (wasReady && moving(s) && since != null && System.nanoTime() - since < MOVE_GRACE.toNanos()) {
          continue; // between nodes, briefly: see MOVE_GRACE
        }
        if (wasReady && "waiting".equals(s.stateName())) {
          continue; // waits for the log (Kafka), which shows in ingest and the lag, not in readiness
        }
        if (!UP.contains(s.stateName())) {
          String node = s.state() == null || s.state().node() == null ? "" : " on " + s.state().node();
          return java.util.Optional.of("worker " + s.worker().entityId() + " is " + s.stateName() + node);
        }
      }
    }
    wasReady = true;
    return java.util.Optional.empty();
  }

  /**
   * A worker another node runs or starts. Once a node was ready, only its own workers (and those no node holds)
   * count for its readiness: every node polls the same cluster-wide list, so one slow start or failing pipeline
   * would otherwise take every node out of a load balancer at once, while all of them serve reads and ingest.
   */
  private boolean elsewhere(WorkerStatus s) {
    return s.state() != null && s.state().node() != null
        && !s.state().node().equals(system.address().toString());
  }

  private static final java.util.Set<String> UP = java.util.Set.of("running", "pausing", "paused", "halted",
      "replaying");
  /** States of a worker held on purpose, or waiting for the log, which keep the node ready. */
  private static final java.util.Set<String> HELD = java.util.Set.of("pausing", "paused", "halted", "replaying",
      "waiting");

  /** The last known status of each worker of a product, in partition order. */
  public List<WorkerStatus> workers(Product product) {
    Map<String, WorkerStatus> byId = new LinkedHashMap<>();
    boolean hosted = hosted(product);
    for (WorkerId w : WorkerId.of(product)) {
      byId.put(w.entityId(), hosted ? last.getOrDefault(w.entityId(), new WorkerStatus(w, null))
          : new WorkerStatus(w, null, true));
    }
    return new ArrayList<>(byId.values());
  }
}
