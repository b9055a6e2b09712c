package io.lakemesh.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EvenDealTest {
  /** Products A and C with 3 partitions, B with 1: seven workers, dealt product by product. */
  private static LinkedHashMap<String, String> workers() {
    LinkedHashMap<String, String> workers = new LinkedHashMap<>();
    for (String w : List.of("a#0", "a#1", "a#2", "b#0", "c#0", "c#1", "c#2")) {
      workers.put(w, w.substring(0, 1));
    }
    return workers;
  }

  @Test
  void aFirstDealIsEvenAndSpreadsEachProductsPartitions() {
    Map<String, String> placed = EvenDeal.deal(workers(), List.of("n1", "n2", "n3"), Map.of());
    assertEquals(List.of(2, 2, 3), counts(placed, List.of("n1", "n2", "n3")).stream().sorted().toList());
    assertEquals(3, Set.of(placed.get("a#0"), placed.get("a#1"), placed.get("a#2")).size(), placed.toString());
    assertEquals(3, Set.of(placed.get("c#0"), placed.get("c#1"), placed.get("c#2")).size(), placed.toString());
  }

  @Test
  void losingANodeMovesOnlyItsWorkersAndAJoinMovesOnlyWhatFillsTheNewNode() {
    Map<String, String> three = EvenDeal.deal(workers(), List.of("n1", "n2", "n3"), Map.of());
    Map<String, String> two = EvenDeal.deal(workers(), List.of("n1", "n3"), three);
    three.forEach((worker, node) -> {
      if (!node.equals("n2")) {
        assertEquals(node, two.get(worker), worker + " ran on a survivor and stays there");
      }
    });
    assertEquals(List.of(3, 4), counts(two, List.of("n1", "n3")).stream().sorted().toList());

    Map<String, String> back = EvenDeal.deal(workers(), List.of("n1", "n2", "n3"), two);
    assertEquals(List.of(2, 2, 3), counts(back, List.of("n1", "n2", "n3")).stream().sorted().toList());
    long moved = back.entrySet().stream().filter(e -> !e.getValue().equals(two.get(e.getKey()))).count();
    assertEquals(counts(back, List.of("n2")).get(0).longValue(), moved, "only the workers the new node takes move");
  }

  @Test
  void partitionsThatRanTogetherOnOneNodeSpreadWhenNodesJoin() {
    Map<String, String> alone = EvenDeal.deal(workers(), List.of("n1"), Map.of());
    Map<String, String> three = EvenDeal.deal(workers(), List.of("n1", "n2", "n3"), alone);
    assertEquals(3, Set.of(three.get("a#0"), three.get("a#1"), three.get("a#2")).size(), three.toString());
    assertEquals(3, Set.of(three.get("c#0"), three.get("c#1"), three.get("c#2")).size(), three.toString());
    assertEquals(List.of(2, 2, 3), counts(three, List.of("n1", "n2", "n3")).stream().sorted().toList());
  }

  @Test
  void everyDealIsEvenAndAnEvenPlacementStaysAsItIs() {
    Random random = new Random(20261126);
    for (int run = 0; run < 1000; run++) {
      dealAtRandom(1 + random.nextInt(40), 1 + random.nextInt(6), random);
    }
  }

  private static void dealAtRandom(int workerCount, int nodeCount, Random random) {
    LinkedHashMap<String, String> workers = new LinkedHashMap<>();
    for (int i = 0; i < workerCount; i++) {
      workers.put("w" + i, "p" + random.nextInt(4));
    }
    List<String> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      nodes.add("n" + i);
    }
    // wherever they ran before, on nodes that may be gone
    Map<String, String> before = new HashMap<>();
    workers.keySet().forEach(w -> before.put(w, "n" + random.nextInt(nodeCount + 2)));
    Map<String, String> placed = EvenDeal.deal(workers, nodes, before);
    assertEquals(workers.keySet(), placed.keySet());
    assertTrue(nodes.containsAll(new HashSet<>(placed.values())), placed.toString());
    List<Integer> counts = counts(placed, nodes);
    assertTrue(Collections.max(counts) - Collections.min(counts) <= 1, counts.toString());
    // already even: nothing to move
    Collections.shuffle(nodes, random);
    assertEquals(placed, EvenDeal.deal(workers, nodes, placed));
  }

  private static List<Integer> counts(Map<String, String> placed, List<String> nodes) {
    Map<String, Integer> perNode = new TreeMap<>();
    nodes.forEach(n -> perNode.put(n, 0));
    placed.values().forEach(n -> perNode.merge(n, 1, Integer::sum));
    return nodes.stream().map(perNode::get).toList();
  }
}
