package io.lakemesh.runtime.cluster;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deals workers over nodes so that node counts differ by at most one, moving few: a worker stays on its node while
 * that node has room and holds no more of its product's partitions than an even spread gives it, so mostly the
 * workers of a lost node (or the surplus of a full one, when a node joins) move. It does not search for the spread
 * of fewest moves: after several changes a product's partitions may share a node (an operator's rebalance deals
 * from nothing, which spreads them). A worker that moves goes to the node holding the fewest workers of its product, then the fewest in
 * all, so a product's partitions spread over the nodes. Moving a worker stops its partition for a few seconds
 * (drain, commit, start elsewhere): dealing everything afresh on each membership change stopped every partition.
 *
 * @param <N> a node (its address; nodes are taken in the order of their text)
 */
final class EvenDeal<N> {
  private final List<N> nodes;
  private final Map<N, Integer> count = new HashMap<>();
  private final Map<N, Map<String, Integer>> byProduct = new HashMap<>();
  private final int base;
  private int extrasLeft;

  private EvenDeal(List<N> nodes, int workers) {
    this.nodes = nodes.stream().sorted(java.util.Comparator.comparing(Object::toString)).toList();
    this.base = workers / nodes.size();
    this.extrasLeft = workers % nodes.size();
    this.nodes.forEach(n -> count.put(n, 0));
  }

  /**
   * The placement of every worker.
   *
   * @param workers worker id -> its product, in the order workers are dealt (product by product)
   * @param nodes the nodes that may run them; none: an empty placement
   * @param current where workers run now (may name nodes that are gone, or miss workers)
   */
  static <N> Map<String, N> deal(LinkedHashMap<String, String> workers, List<N> nodes,
      Map<String, N> current) {
    Map<String, N> placed = new LinkedHashMap<>();
    if (nodes.isEmpty()) {
      return placed;
    }
    EvenDeal<N> deal = new EvenDeal<>(nodes, workers.size());
    // a product's partitions spread: a node keeps no more of them than an even spread gives it
    Map<String, Integer> partitions = new HashMap<>();
    workers.values().forEach(product -> partitions.merge(product, 1, Integer::sum));
    // stay where it is: first up to the even share of each node, then on the nodes that take one more
    for (boolean extra : new boolean[] {false, true}) {
      workers.forEach((worker, product) -> {
        N at = current.get(worker);
        int spread = (partitions.get(product) + deal.nodes.size() - 1) / deal.nodes.size();
        if (!placed.containsKey(worker) && at != null && deal.count.containsKey(at) && deal.hasRoom(at, extra)
            && deal.ofProduct(at, product) < spread) {
          deal.put(placed, worker, product, at);
        }
      });
    }
    // over the spread, but no node with room would hold fewer of the product: moving would not spread it
    workers.forEach((worker, product) -> {
      N at = current.get(worker);
      if (!placed.containsKey(worker) && at != null && deal.count.containsKey(at)
          && (deal.hasRoom(at, false) || deal.hasRoom(at, true))
          && deal.ofProduct(deal.best(product), product) >= deal.ofProduct(at, product)) {
        deal.put(placed, worker, product, at);
      }
    });
    // the rest moves: to the node with the fewest of its product, then the fewest in all
    workers.forEach((worker, product) -> {
      if (!placed.containsKey(worker)) {
        deal.put(placed, worker, product, deal.best(product));
      }
    });
    return placed;
  }

  /** The node with room that holds the fewest of the product, then the fewest in all. */
  private N best(String product) {
    N best = null;
    for (N n : nodes) {
      if ((hasRoom(n, false) || hasRoom(n, true)) && (best == null || before(n, best, product))) {
        best = n;
      }
    }
    return best;
  }

  /** Room below the even share, or (with {@code extra}) for one more while extra places are left. */
  private boolean hasRoom(N node, boolean extra) {
    int c = count.get(node);
    return extra ? c == base && extrasLeft > 0 : c < base;
  }

  /** Whether a worker of the product is better placed on {@code a} than on {@code b}. */
  private boolean before(N a, N b, String product) {
    int byProductA = ofProduct(a, product);
    int byProductB = ofProduct(b, product);
    return byProductA != byProductB ? byProductA < byProductB : count.get(a) < count.get(b);
  }

  private int ofProduct(N node, String product) {
    return byProduct.getOrDefault(node, Map.of()).getOrDefault(product, 0);
  }

  private void put(Map<String, N> placed, String worker, String product, N node) {
    if (count.get(node) == base) {
      extrasLeft--;
    }
    count.merge(node, 1, Integer::sum);
    byProduct.computeIfAbsent(node, n -> new HashMap<>()).merge(product, 1, Integer::sum);
    placed.put(worker, node);
  }
}
