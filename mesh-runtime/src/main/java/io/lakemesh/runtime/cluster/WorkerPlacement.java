package io.lakemesh.runtime.cluster;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which node runs each product worker, through Pekko's external shard allocation: the workers of a domain
 * are dealt evenly over the Up nodes with the domain's role, a product's partitions on different nodes, moving as
 * few as it can (see {@link EvenDeal}). The cluster leader deals again whenever a node joins or leaves; an operator
 * can ask for it (rebalance) or move single workers. Sharding moves a worker whose place changed within its rebalance interval
 * (drain, commit, start on the new node). A worker whose place is not a member (its node was lost) starts on the
 * first survivor that asks for it, until the next deal.
 */
public final class WorkerPlacement {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerPlacement.class);
  /**
   * How long the leader waits after a member is lost before dealing: its workers have no node meanwhile. Short: the
   * regions ask for the lost workers' new homes about a second after the removal (down-removal-margin, retry
   * interval), and a worker asked for before the deal starts on whichever survivor asked, to be moved a second time
   * by the deal (seen with 2 s: every kill moved a worker twice).
   */
  private static final Duration SETTLE_LOST = Duration.ofMillis(300);
  /**
   * How long after a member joins: nothing waits for it, and nodes restarted together join a few seconds apart, so
   * one deal for all of them moves each worker once.
   */
  private static final Duration SETTLE_JOINED = Duration.ofSeconds(6);
  /** How long after a deal that failed (the placement could not be read or written) the leader tries again. */
  private static final Duration RETRY = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ProductCatalog products;

  private WorkerPlacement(ActorSystem<?> system, ProductCatalog products) {
    this.system = system;
    this.products = products;
  }

  /** Starts dealing workers on membership changes, from the leader. */
  public static WorkerPlacement start(ActorSystem<?> system, ProductCatalog products) {
    WorkerPlacement placement = new WorkerPlacement(system, products);
    // every node keeps a replica of the placement from the start: the leader reads it from a majority, and a node
    // that never asked for a domain's client held none, so on a cluster of fresh nodes every read timed out
    products.all().stream().map(p -> p.contract().domain()).distinct()
        .forEach(domain -> ExternalShardAllocation.get(system).getClient(DataProduct.typeKey(domain).name()));
    system.systemActorOf(placement.watcher(), "lakemesh-worker-placement",
        org.apache.pekko.actor.typed.Props.empty());
    org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
        org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeClusterShutdown(), "lakemesh-place-workers-elsewhere",
        placement::handOver);
    return placement;
  }

  /**
   * Before this node hands its workers over (it stops, or leaves the cluster), the workers are dealt to the nodes
   * that stay, so sharding starts each on its next node at once. Else the first node that asked for a handed-over
   * worker took it, and the leader's deal once this node was gone moved it a second time.
   */
  private CompletionStage<org.apache.pekko.Done> handOver() {
    Address self = Cluster.get(system).selfMember().address();
    boolean othersRun = products.all().stream().map(p -> p.contract().domain()).distinct()
        .anyMatch(domain -> !nodesOf(domain, self).isEmpty());
    if (!othersRun) {
      return CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
    }
    return deal(false, self).handle((plan, error) -> {
      if (error != null) {
        // the deal after this node is gone places them then
        LOG.warn("could not place this node's workers on the nodes that stay: {}", error.toString());
      } else {
        LOG.info("product workers placed on the nodes that stay: {}", summary(plan));
      }
      return org.apache.pekko.Done.getInstance();
    });
  }

  private record Deal() {}

  private Behavior<Object> watcher() {
    return Behaviors.setup(ctx -> {
      Cluster.get(system).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(),
          ClusterEvent.MemberEvent.class));
      boolean[] lostPending = {false}; // a deal for a lost member is due
      return Behaviors.withTimers(timers -> Behaviors.receive(Object.class)
          .onMessage(ClusterEvent.MemberEvent.class, e -> {
            // one deal after a burst of changes; a lost member's workers are not kept waiting by a join
            if (e instanceof ClusterEvent.MemberRemoved) {
              lostPending[0] = true;
              timers.startSingleTimer("deal", new Deal(), SETTLE_LOST);
            } else if (e instanceof ClusterEvent.MemberUp && !timers.isTimerActive("deal")) {
              // the first join of a burst sets the time; later ones join that deal rather than put it off
              timers.startSingleTimer("deal", new Deal(), SETTLE_JOINED);
            }
            return Behaviors.same();
          })
          .onMessage(Deal.class, d -> {
            lostPending[0] = false;
            if (isLeader()) {
              deal(false, null).whenComplete((plan, error) -> {
                if (error != null) {
                  // a lost member's workers would wait for the next membership change: try again
                  LOG.warn("could not place product workers, trying again in {} s: {}", RETRY.toSeconds(),
                      error.toString());
                  timers.startSingleTimer("deal", new Deal(), RETRY);
                } else {
                  LOG.info("product workers placed: {}", summary(plan));
                }
              });
            }
            return Behaviors.same();
          })
          .build());
    });
  }

  private boolean isLeader() {
    var state = Cluster.get(system).state();
    return state.getLeader() != null && state.getLeader().equals(Cluster.get(system).selfMember().address());
  }

  /**
   * An operator's rebalance: deals every domain's workers afresh, evenly over its Up nodes with each product's
   * partitions on different nodes, whatever that moves; answers with the placement, worker -> node.
   */
  public CompletionStage<Map<String, String>> rebalance() {
    return deal(true, null);
  }

  /**
   * Deals every domain's workers evenly over its Up nodes; {@code fresh}: from nothing, else keeping those where they
   * are that may stay (a membership change); not on {@code leaving} (null: none), a node about to go.
   */
  private CompletionStage<Map<String, String>> deal(boolean fresh, Address leaving) {
    CompletableFuture<Map<String, Address>> current = fresh ? CompletableFuture.completedFuture(Map.of())
        : currentPlacement().toCompletableFuture().exceptionally(error -> {
          // placing matters more than moving few: unread, the deal starts from nothing
          LOG.warn("the current placement could not be read, dealing afresh: {}", error.toString());
          return Map.of();
        });
    return current.thenCompose(placed -> place(plan(placed, leaving)));
  }

  /** Where the workers of every domain are placed now (worker -> node), as the shard allocation records it. */
  private CompletionStage<Map<String, Address>> currentPlacement() {
    List<CompletableFuture<Map<String, Address>>> reads = new ArrayList<>();
    for (String domain : products.all().stream().map(p -> p.contract().domain()).distinct().toList()) {
      reads.add(ExternalShardAllocation.get(system).getClient(DataProduct.typeKey(domain).name())
          .getShardLocations().toCompletableFuture().thenApply(locations -> {
            Map<String, Address> byWorker = new HashMap<>();
            locations.getShardLocations().forEach((worker, at) -> byWorker.put(worker, at.address()));
            return byWorker;
          }));
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
      Map<String, Address> all = new HashMap<>();
      reads.forEach(r -> all.putAll(r.join()));
      return all;
    });
  }

  /** How many workers each node runs, for the log (the whole placement is at /lakemesh/products). */
  private static String summary(Map<String, String> plan) {
    Map<String, Integer> perNode = new TreeMap<>();
    plan.values().forEach(node -> perNode.merge(node, 1, Integer::sum));
    return plan.size() + " workers, per node " + perNode;
  }

  /**
   * Moves workers to the given nodes (worker entity id -> node address); answers with what was set.
   *
   * @throws IllegalArgumentException for an unknown worker or a node that is not an Up member with the role
   */
  public CompletionStage<Map<String, String>> move(Map<String, String> moves) {
    Map<String, Address> wanted = new LinkedHashMap<>();
    for (Map.Entry<String, String> m : moves.entrySet()) {
      // a worker is one of those the products have, named exactly: no parsing of what a caller sent
      Product product = products.all().stream()
          .filter(p -> WorkerId.of(p).stream().anyMatch(w -> w.entityId().equals(m.getKey()))).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no product worker '" + m.getKey() + "'"));
      WorkerId worker = WorkerId.parse(m.getKey());
      Address node = nodesOf(product.contract().domain()).stream()
          .filter(a -> a.toString().equals(m.getValue())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("'" + m.getValue() + "' is not an Up member with the"
              + " role domain-" + product.contract().domain()));
      wanted.put(worker.entityId(), node);
    }
    return place(wanted);
  }

  /** The even placement for the current membership, moving as few workers from {@code current} as it can. */
  private Map<String, Address> plan(Map<String, Address> current, Address leaving) {
    Map<String, Address> plan = new TreeMap<>();
    Map<String, LinkedHashMap<String, String>> byDomain = new TreeMap<>();
    for (Product p : products.all()) {
      LinkedHashMap<String, String> workers = byDomain.computeIfAbsent(p.contract().domain(),
          d -> new LinkedHashMap<>());
      WorkerId.of(p).forEach(w -> workers.put(w.entityId(), p.id()));
    }
    byDomain.forEach((domain, workers) -> plan.putAll(EvenDeal.deal(workers, nodesOf(domain, leaving),
        current)));
    return plan;
  }

  private List<Address> nodesOf(String domain) {
    return nodesOf(domain, null);
  }

  /** The Up nodes with the domain's role and the cluster's catalog, but {@code leaving} (null: none). */
  private List<Address> nodesOf(String domain, Address leaving) {
    List<Address> nodes = new ArrayList<>();
    Member oldest = null;
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.status() == MemberStatus.up() && (oldest == null || m.isOlderThan(oldest))) {
        oldest = m;
      }
    }
    for (Member m : Cluster.get(system).state().getMembers()) {
      // not on a node with another catalog than the cluster's: it is about to stop (see CatalogCheck)
      if (m.status() == MemberStatus.up() && m.hasRole("domain-" + domain) && CatalogCheck.sameCatalog(m, oldest)
          && !m.address().equals(leaving)) {
        nodes.add(m.address());
      }
    }
    nodes.sort(Comparator.comparing(Address::toString));
    return nodes;
  }

  private CompletionStage<Map<String, String>> place(Map<String, Address> placement) {
    Map<String, Map<String, Address>> byType = new TreeMap<>();
    for (Map.Entry<String, Address> e : placement.entrySet()) {
      String domain = products.find(WorkerId.parse(e.getKey()).productId()).orElseThrow().contract().domain();
      byType.computeIfAbsent(DataProduct.typeKey(domain).name(), t -> new LinkedHashMap<>())
          .put(e.getKey(), e.getValue());
    }
    List<CompletableFuture<?>> writes = new ArrayList<>();
    byType.forEach((type, locations) -> writes.add(ExternalShardAllocation.get(system).getClient(type)
        .setShardLocations(locations).toCompletableFuture()));
    Map<String, String> result = new TreeMap<>();
    placement.forEach((w, a) -> result.put(w, a.toString()));
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).thenApply(v -> result);
  }
}
