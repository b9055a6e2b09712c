package io.lakemesh.retail;

import static io.lakemesh.retail.MeshCluster.TRANSACTIONS;
import static io.lakemesh.retail.MeshCluster.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.pipeline.Counters;
import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a node in a three-node cluster while events stream in: real JVMs on loopback, a real Kafka broker (in
 * the test JVM, so it outlives the node), one shared SQLite Iceberg catalog. The scenario runs once; each test checks
 * one promise about it: the survivors take over every worker within 15 s, membership shows the loss, every accepted
 * event is in bronze once, silver and quarantine hold exactly the expected events, gold equals the aggregation of
 * silver, and a live subscriber on a survivor sees every committed row exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterFailoverTest {
  private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(15);
  private static final String GOLD = "retail.daily_sales";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> NODE_JVM_OPTIONS = List.of("-Xmx512m", "-XX:+UseParallelGC",
      "-Dlakemesh.pipeline.batch-window=500ms", "-Dlakemesh.pipeline.gold-interval=500ms");

  private static final int REQUESTS = 110;
  private static final int KILL_AT_REQUEST = 40;
  private static final Duration REQUEST_INTERVAL = Duration.ofMillis(220);
  private static final int VALID_PER_REQUEST = 40;
  private static final int RESENDS_PER_REQUEST = 3;
  private static final int INVALID_PER_REQUEST = 3;

  @TempDir
  static Path home;

  private MeshCluster cluster;
  private StreamClient subscriber;
  private NodeProcess subscriberNode;
  private NodeProcess victim;
  private volatile Duration takeover;
  private String takeoverView;
  private Map<String, String> membersAfterKill;
  private CompletableFuture<List<String>> readiness;
  /** The survivors' /ready answers other than 200 from the kill until the takeover was 5 s old. */
  private List<String> notReadyAnswers;
  private List<MeshCluster.Worker> workersAtKill;
  private final Ingested ingested = new Ingested();
  private Long subscribedAt;
  private boolean failed;

  @RegisterExtension
  final TestWatcher logsOnFailure = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      failed = true;
    }
  };

  /** What the test sent and the nodes accepted (202): the expected content of every table. */
  static final class Ingested {
    final List<String> accepted = new ArrayList<>();
    final Set<String> validIds = new HashSet<>();
    final List<String> invalid = new ArrayList<>();
    final Map<String, String> validById = new HashMap<>();
    int resends;
  }

  @BeforeAll
  void runScenario() throws Exception {
    try {
      cluster = MeshCluster.start(home, 3, NODE_JVM_OPTIONS);
      awaitClusterFormed();
      chooseSubscriberNode();
      subscriber = StreamClient.connect(subscriberNode, cluster.token(), "/api/v1/products/" + TRANSACTIONS
          + "/stream");
      JsonNode hello = subscriber.first("subscribed");
      subscribedAt = hello.path("snapshot").isTextual() ? Long.valueOf(hello.path("snapshot").asText()) : null;
      ingestAndKill();
      awaitSettled();
    } catch (Exception | AssertionError e) {
      failed = true;
      throw e;
    }
  }

  @AfterAll
  void cleanUp() throws Exception {
    try {
      if (failed && cluster != null) {
        System.out.println(cluster.logTails());
      }
      if (subscriber != null) {
        subscriber.socket.abort();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  private void awaitClusterFormed() throws Exception {
    NodeProcess n1 = cluster.nodes().get(0);
    await("3 members Up", Duration.ofSeconds(120), () -> {
      Map<String, String> members = cluster.members(n1);
      return members.size() == 3 && members.values().stream().allMatch("Up"::equals);
    });
    // n1 started alone and took every worker; the leader deals them over the three nodes as they join, by itself
    await("the leader spread " + TRANSACTIONS + " over the 3 nodes as they joined", Duration.ofSeconds(90), () -> {
      List<MeshCluster.Worker> workers = cluster.workers(n1);
      return !workers.isEmpty() && transactionNodes(workers).size() == 3;
    });
    // an operator's rebalance (asked on another node) deals afresh: each partition worker on its own node
    NodeProcess n2 = cluster.nodes().get(1);
    java.util.concurrent.atomic.AtomicReference<HttpResponse<String>> answer =
        new java.util.concurrent.atomic.AtomicReference<>();
    await("a rebalance accepted by n2's management port", Duration.ofSeconds(60), () -> {
      try {
        answer.set(HttpClient.newHttpClient().send(HttpRequest.newBuilder(n2.management("/lakemesh/rebalance"))
            .header("Authorization", "Bearer " + cluster.token()).POST(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString()));
        return answer.get().statusCode() == 202;
      } catch (java.io.IOException notYetServing) {
        return false; // members are Up before a node's HTTP ports are bound
      }
    });
    HttpResponse<String> rebalanced = answer.get();
    JsonNode placement = new ObjectMapper().readTree(rebalanced.body()).get("placement");
    Set<String> planned = new HashSet<>();
    Map<String, String> plannedNode = new java.util.HashMap<>();
    for (int p = 0; p < 3; p++) {
      planned.add(placement.get(TRANSACTIONS + "#" + p).asText());
      plannedNode.put(TRANSACTIONS + "#" + p, placement.get(TRANSACTIONS + "#" + p).asText());
    }
    assertEquals(3, planned.size(), "each partition worker on its own node: " + rebalanced.body());
    // where the rebalance put them, not merely on 3 nodes: the deal before it may have been on 3 nodes already,
    // and the moves it asks for would then still be under way when the scenario starts
    await("every worker running, " + TRANSACTIONS + " where the rebalance placed it", Duration.ofSeconds(120), () -> {
      List<MeshCluster.Worker> workers = cluster.workers(n1);
      return !workers.isEmpty() && workers.stream().allMatch(w -> w.state().equals("running"))
          && transactionNodes(workers).size() == 3
          && workers.stream().filter(w -> w.product().equals(TRANSACTIONS))
              .allMatch(w -> plannedNode.get(w.worker()).equals(w.node()));
    });
    System.out.println("cluster formed: " + cluster.workers(n1));
  }

  /** The subscriber's node: one that runs no transactions worker if there is one, else the one that runs fewest. */
  private void chooseSubscriberNode() throws Exception {
    Map<String, Long> perNode = transactionNodes(cluster.workers(cluster.nodes().get(0)));
    subscriberNode = cluster.nodes().stream()
        .min((a, b) -> Long.compare(perNode.getOrDefault(a.address(), 0L), perNode.getOrDefault(b.address(), 0L)))
        .orElseThrow();
  }

  /** The node to kill: not the subscriber's, the one that runs the most transactions workers right now. */
  private NodeProcess chooseVictim() throws Exception {
    Map<String, Long> perNode = transactionNodes(cluster.workers(subscriberNode));
    return cluster.nodes().stream().filter(n -> n != subscriberNode && perNode.getOrDefault(n.address(), 0L) > 0)
        .max((a, b) -> Long.compare(perNode.get(a.address()), perNode.get(b.address())))
        .orElseThrow(() -> new AssertionError("no node but the subscriber's runs a transactions worker: " + perNode));
  }

  private static Map<String, Long> transactionNodes(List<MeshCluster.Worker> workers) {
    return workers.stream().filter(w -> w.product().equals(TRANSACTIONS) && w.node() != null)
        .collect(Collectors.groupingBy(MeshCluster.Worker::node, TreeMap::new, Collectors.counting()));
  }

  /**
   * Posts {@link #REQUESTS} batches round-robin through the nodes, paced over ~25 s; at {@link #KILL_AT_REQUEST} it
   * stops sending to the victim, kills it, and keeps sending through the survivors while a watcher times the
   * takeover.
   */
  private void ingestAndKill() throws Exception {
    List<NodeProcess> targets = new ArrayList<>(cluster.nodes());
    List<List<String>> sentValid = new ArrayList<>();
    CompletableFuture<Duration> watcher = null;
    long start = System.nanoTime();
    Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    for (int r = 0; r < REQUESTS; r++) {
      if (r == KILL_AT_REQUEST) {
        victim = chooseVictim();
        targets.remove(victim);
        workersAtKill = awaitEveryWorkerCommitted();
        System.out.println("killing " + victim + " (workers: " + workersAtKill + ")");
        System.out.println("kill at " + Instant.now());
        long killedAt = System.nanoTime();
        victim.kill();
        watcher = CompletableFuture.supplyAsync(() -> timeTakeover(killedAt));
        List<NodeProcess> survivors = List.copyOf(targets);
        readiness = CompletableFuture.supplyAsync(() -> watchReadiness(survivors, killedAt));
      }
      StringBuilder body = new StringBuilder();
      List<String> valid = new ArrayList<>();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < VALID_PER_REQUEST; i++) {
        String id = "C-" + r + "-" + i;
        String event = RetailPipelineTest.sale(id, String.format("S-%04d", i % 20), i % 2 == 0 ? "NCR" : "Region VII",
            ts.minus(i % 3, ChronoUnit.DAYS), "noodles:" + (1 + i % 3) + ":15.25", "snacks:1:" + (i % 7) + ".50");
        valid.add(event);
        sent.add(event);
        ingested.validById.put(id, event);
      }
      // re-sends: byte-identical copies of events an earlier request sent, often through another node
      for (int k = 0; k < RESENDS_PER_REQUEST && r > 0; k++) {
        List<String> earlier = sentValid.get(r - 1 - (k % Math.min(r, 5)));
        sent.add(earlier.get((r * 7 + k * 13) % earlier.size()));
      }
      for (int k = 0; k < INVALID_PER_REQUEST; k++) {
        String id = "X-" + r + "-" + k;
        sent.add(k % 2 == 0
            ? RetailPipelineTest.sale(id, "S-0003", "Atlantis", ts, "snacks:1:5.00") // unknown region
            : RetailPipelineTest.sale(id, "S-0003", "NCR", ts, "snacks:1:5.00")
                .replace("\"total_amount\":5.00", "\"total_amount\":9.99")); // lines don't add up
      }
      sent.forEach(e -> body.append(e).append('\n'));
      NodeProcess target = targets.get(r % targets.size());
      HttpResponse<String> response = cluster.post(target, TRANSACTIONS, body.toString());
      if (response.statusCode() != 202) {
        throw new AssertionError("request " + r + " to " + target + " answered " + response.statusCode() + ": "
            + response.body());
      }
      sentValid.add(valid);
      ingested.accepted.addAll(sent);
      valid.forEach(e -> ingested.validIds.add(idOf(e)));
      ingested.resends += r > 0 ? RESENDS_PER_REQUEST : 0;
      ingested.invalid.addAll(sent.subList(sent.size() - INVALID_PER_REQUEST, sent.size()));
      long next = start + (r + 1) * REQUEST_INTERVAL.toNanos();
      long wait = next - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait); // pacing the producer, not waiting for a result
      }
    }
    System.out.printf("ingested %d events in %d requests over %.1f s (%d valid, %d re-sends, %d invalid)%n",
        ingested.accepted.size(), REQUESTS, (System.nanoTime() - start) / 1e9, ingested.validIds.size(),
        ingested.resends, ingested.invalid.size());
    takeover = watcher.get(2, TimeUnit.MINUTES);
    System.out.printf("takeover: every worker running on the survivors %.1f s after the kill of %s%n",
        takeover.toMillis() / 1000.0, victim);
    notReadyAnswers = readiness.get(2, TimeUnit.MINUTES);
    NodeProcess survivor = subscriberNode;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    do {
      membersAfterKill = cluster.members(survivor);
      if (!"Up".equals(membersAfterKill.get(victim.address()))) {
        break;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
  }

  /**
   * The workers as the subscriber's node reports them, once each partition worker has committed a batch (a worker
   * that moved in the rebalance starts counting afresh and its first batch waits for the batch window); at most
   * 30 s, then whatever is reported.
   */
  private List<MeshCluster.Worker> awaitEveryWorkerCommitted() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<MeshCluster.Worker> workers;
    do {
      workers = cluster.workers(subscriberNode);
      boolean all = workers.stream().filter(w -> w.product().equals(TRANSACTIONS)).count() == 3
          && workers.stream().filter(w -> w.product().equals(TRANSACTIONS)).allMatch(w -> w.batches() > 0);
      if (all) {
        return workers;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return workers;
  }

  /**
   * Polls the survivors' {@code /ready} every 250 ms from the kill until 5 s after every worker runs on them (at most
   * 60 s); the answers that were not 200. A load balancer must not drop the survivors of a failover.
   */
  private List<String> watchReadiness(List<NodeProcess> survivors, long killedAt) {
    List<String> notReady = new ArrayList<>();
    long deadline = killedAt + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline && (takeover == null
        || System.nanoTime() < killedAt + takeover.toNanos() + Duration.ofSeconds(5).toNanos())) {
      for (NodeProcess n : survivors) {
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort
              + "/ready")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            notReady.add(String.format("%s %.1f s after the kill: %d %s", n, (System.nanoTime() - killedAt) / 1e9,
                r.statusCode(), r.body()));
          }
        } catch (java.io.IOException e) {
          notReady.add(n + ": " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return notReady;
        }
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return notReady;
      }
    }
    return notReady;
  }

  /** Polls a survivor until every worker of every product runs on a survivor; the time since the kill. */
  private Duration timeTakeover(long killedAt) {
    long deadline = killedAt + Duration.ofSeconds(90).toNanos();
    String last = "nothing yet";
    while (System.nanoTime() < deadline) {
      try {
        List<MeshCluster.Worker> workers = cluster.workers(subscriberNode);
        last = workers.toString();
        if (!workers.isEmpty() && workers.stream().allMatch(w -> w.state().equals("running")
            && w.node() != null && !w.node().equals(victim.address()))) {
          takeoverView = last;
          return Duration.ofNanos(System.nanoTime() - killedAt);
        }
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while timing the takeover", e);
      } catch (Exception e) {
        last = "GET /lakemesh/products failed: " + e;
      }
    }
    throw new AssertionError("the survivors did not run every worker within 90 s of the kill; last seen: " + last);
  }

  /** Waits until each stage has committed the whole raw topic and gold has folded in silver's last commit. */
  private void awaitSettled() throws Exception {
    Map<Integer, Long> end = cluster.endOffsets(TRANSACTIONS);
    try (Warehouse warehouse = cluster.openWarehouse()) {
      Product transactions = product(TRANSACTIONS);
      Set<Integer> partitions = end.keySet();
      for (Table t : List.of(StageTables.bronze(warehouse, transactions), StageTables.served(warehouse, transactions),
          StageTables.quarantine(warehouse, transactions))) {
        await(t.name() + " committed up to " + end, Duration.ofSeconds(120), () -> {
          t.refresh();
          return SourcePositions.committed(t, partitions).next().equals(end);
        });
      }
      Table silver = StageTables.served(warehouse, transactions);
      Table gold = StageTables.served(warehouse, product(GOLD));
      // silver's last snapshot may be a compaction (rows rewritten, none added), which gold has nothing to fold
      // from: gold is caught up once it has folded silver's last append or anything after it
      await("gold folded in silver's last append", Duration.ofSeconds(60), () -> {
        silver.refresh();
        gold.refresh();
        if (gold.currentSnapshot() == null) {
          return false;
        }
        Set<String> sinceLastAppend = new java.util.HashSet<>();
        for (org.apache.iceberg.Snapshot s = silver.currentSnapshot(); s != null;
            s = s.parentId() == null ? null : silver.snapshot(s.parentId())) {
          sinceLastAppend.add(String.valueOf(s.snapshotId()));
          if (org.apache.iceberg.DataOperations.APPEND.equals(s.operation())) {
            break;
          }
        }
        return sinceLastAppend.contains(gold.currentSnapshot().summary().get("lakemesh.source.snapshot"));
      });
    }
  }

  @Test
  void theIngestWasSpreadOverEveryNodeBeforeTheKill() {
    // the precondition of "more nodes, more throughput": each node consumed and committed its own partition's events
    Map<String, Long> batchesByNode = workersAtKill.stream()
        .filter(w -> w.product().equals(TRANSACTIONS) && w.node() != null)
        .collect(Collectors.groupingBy(MeshCluster.Worker::node, TreeMap::new,
            Collectors.summingLong(MeshCluster.Worker::batches)));
    assertEquals(3, batchesByNode.size(), "partition workers on three nodes: " + workersAtKill);
    assertTrue(batchesByNode.values().stream().allMatch(b -> b > 0),
        "every node committed batches of its partition before the kill: " + batchesByNode);
  }

  @Test
  void survivorsRunEveryWorkerWithinFifteenSecondsOfTheKill() {
    assertTrue(takeover.compareTo(TAKEOVER_LIMIT) <= 0, "every worker ran on the survivors only "
        + takeover.toMillis() + " ms after the kill of " + victim + " (limit " + TAKEOVER_LIMIT.toSeconds()
        + " s): " + takeoverView);
  }

  @Test
  void survivorsStayReadyThroughTheTakeover() {
    assertEquals(List.of(), notReadyAnswers, "a survivor's /ready while the victim's workers moved");
  }

  @Test
  void survivorsSeeTheKilledNodeLeaveTheMembership() {
    assertTrue(!"Up".equals(membersAfterKill.get(victim.address())),
        victim + " is still Up on " + subscriberNode + ": " + membersAfterKill);
    long up = membersAfterKill.values().stream().filter("Up"::equals).count();
    assertEquals(2, up, "the two survivors are Up: " + membersAfterKill);
  }

  @Test
  void bronzeHoldsEveryAcceptedEventOnce() throws Exception {
    try (Warehouse warehouse = cluster.openWarehouse()) {
      List<Record> rows = rows(StageTables.bronze(warehouse, product(TRANSACTIONS)));
      Set<String> positions = new HashSet<>();
      for (Record r : rows) {
        String at = r.getField("kafka_partition") + "@" + r.getField("kafka_offset");
        assertTrue(positions.add(at), "bronze holds " + at + " twice");
      }
      assertEquals(counts(ingested.accepted), counts(rows.stream().map(r -> (String) r.getField("payload")).toList()),
          "bronze holds each accepted event once (payloads, with re-sends)");
    }
  }

  @Test
  void silverHoldsEveryValidTransactionOnce() throws Exception {
    try (Warehouse warehouse = cluster.openWarehouse()) {
      Table silver = StageTables.served(warehouse, product(TRANSACTIONS));
      List<String> ids = rows(silver).stream().map(r -> (String) r.getField("transaction_id")).toList();
      assertEquals(ids.size(), new HashSet<>(ids).size(), "no transaction_id twice in silver");
      assertEquals(ingested.validIds, new HashSet<>(ids), "silver holds exactly the valid transactions");
      Counters counts = Counters.committed(silver, cluster.endOffsets(TRANSACTIONS).keySet());
      assertEquals(ingested.resends, counts.get("duplicates"), "re-sends counted as duplicates, once each");
    }
    JsonNode stats = JSON.readTree(HTTP.send(HttpRequest.newBuilder(subscriberNode.api("/api/v1/products/"
        + TRANSACTIONS)).header("Authorization", "Bearer " + cluster.token()).build(),
        HttpResponse.BodyHandlers.ofString()).body()).path("stats");
    assertEquals(ingested.resends, stats.path("duplicatesDropped").asLong(), stats.toString());
    assertEquals(ingested.invalid.size(), stats.path("quarantined").asLong(), stats.toString());
  }

  @Test
  void quarantineHoldsExactlyTheInvalidEvents() throws Exception {
    try (Warehouse warehouse = cluster.openWarehouse()) {
      List<String> payloads = rows(StageTables.quarantine(warehouse, product(TRANSACTIONS))).stream()
          .map(r -> (String) r.getField("payload")).toList();
      assertEquals(counts(ingested.invalid), counts(payloads), "quarantine holds each invalid event once");
    }
  }

  @Test
  void goldEqualsTheAggregationOfSilver() throws Exception {
    try (Warehouse warehouse = cluster.openWarehouse()) {
      Map<String, String> expected = new TreeMap<>();
      Map<String, BigDecimal> revenue = new HashMap<>();
      Map<String, Long> units = new HashMap<>();
      Map<String, Set<String>> transactions = new HashMap<>();
      BigDecimal silverLineTotal = BigDecimal.ZERO;
      for (Record sale : rows(StageTables.served(warehouse, product(TRANSACTIONS)))) {
        LocalDate day = ((OffsetDateTime) sale.getField("ts")).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        for (Object o : (List<?>) sale.getField("items")) {
          Record item = (Record) o;
          String key = day + "|" + sale.getField("region") + "|" + sale.getField("store_id") + "|"
              + item.getField("category");
          BigDecimal amount = (BigDecimal) item.getField("line_amount");
          silverLineTotal = silverLineTotal.add(amount);
          revenue.merge(key, amount, BigDecimal::add);
          units.merge(key, ((Number) item.getField("qty")).longValue(), Long::sum);
          transactions.computeIfAbsent(key, k -> new HashSet<>()).add((String) sale.getField("transaction_id"));
        }
      }
      revenue.forEach((k, v) -> expected.put(k, v.setScale(2) + "/" + units.get(k) + "/"
          + transactions.get(k).size()));
      Map<String, String> gold = new TreeMap<>();
      BigDecimal goldRevenue = BigDecimal.ZERO;
      for (Record r : rows(StageTables.served(warehouse, product(GOLD)))) {
        BigDecimal rev = (BigDecimal) r.getField("revenue");
        goldRevenue = goldRevenue.add(rev);
        gold.put(r.getField("day") + "|" + r.getField("region") + "|" + r.getField("store_id") + "|"
            + r.getField("category"), rev.setScale(2) + "/" + r.getField("units") + "/" + r.getField("transactions"));
      }
      assertEquals(0, silverLineTotal.compareTo(goldRevenue),
          "gold revenue " + goldRevenue + " equals silver's line amounts " + silverLineTotal);
      assertEquals(expected, gold, "gold (revenue/units/transactions per day, region, store, category)");
    }
  }

  @Test
  void subscriberOnASurvivorReceivesEveryCommittedRowOnce() throws Exception {
    try (Warehouse warehouse = cluster.openWarehouse()) {
      Table silver = StageTables.served(warehouse, product(TRANSACTIONS));
      silver.refresh();
      List<String> expected = new ArrayList<>();
      try (CloseableIterable<Record> rows = subscribedAt == null ? TableReader.read(silver)
          : TableReader.readAppended(silver, subscribedAt, silver.currentSnapshot().snapshotId(),
              Expressions.alwaysTrue(), List.of())) {
        rows.forEach(r -> expected.add((String) r.getField("transaction_id")));
      }
      assertTrue(expected.size() >= ingested.validIds.size(), "every valid transaction came after the subscription");
      await("the subscriber received " + expected.size() + " rows (has " + subscriber.changedIds().size()
              + "; control messages " + subscriber.controlMessages() + ")", Duration.ofSeconds(60),
          () -> subscriber.changedIds().size() >= expected.size());
      List<String> received = subscriber.changedIds();
      assertEquals(received.size(), new HashSet<>(received).size(), "no row delivered twice");
      assertEquals(new HashSet<>(expected), new HashSet<>(received), "every committed row delivered, no gap");
      // and against what was sent, not only against the incremental reader the stream itself uses
      assertEquals(ingested.validIds, new HashSet<>(received), "the subscriber got exactly the valid transactions");
      assertEquals(List.of(), subscriber.controlMessages(), "no lagging/closing messages");
    }
  }

  private Product product(String id) {
    return cluster.catalog().find(id).orElseThrow();
  }

  private static List<Record> rows(Table table) throws Exception {
    table.refresh();
    List<Record> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> it = TableReader.read(table)) {
      it.forEach(r -> out.add(r.copy()));
    }
    return out;
  }

  private static Map<String, Long> counts(List<String> values) {
    return values.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }

  private static String idOf(String event) {
    int at = event.indexOf("\"transaction_id\":\"") + "\"transaction_id\":\"".length();
    return event.substring(at, event.indexOf('"', at));
  }

  /** A java.net.http WebSocket client of a product stream that keeps every message it receives. */
  static final class StreamClient implements WebSocket.Listener {
    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static StreamClient connect(NodeProcess node, String token, String path) throws Exception {
      StreamClient c = new StreamClient();
      c.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + token)
          .buildAsync(node.webSocket(path), c).get(20, TimeUnit.SECONDS);
      return c;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException("not JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    JsonNode first(String type) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (JsonNode m : messages) {
          if (m.path("type").asText().equals(type)) {
            return m;
          }
        }
        Thread.sleep(50);
      }
      throw new AssertionError("no '" + type + "' message within 30 s; got " + messages);
    }

    /** The transaction ids of every change message, in arrival order. */
    List<String> changedIds() {
      List<String> ids = new ArrayList<>();
      for (JsonNode m : messages) {
        if (m.path("type").asText().equals("change")) {
          m.path("rows").forEach(r -> ids.add(r.path("transaction_id").asText()));
        }
      }
      return ids;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      messages.add(JSON.createObjectNode().put("type", "closed").put("code", status).put("reason", reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      messages.add(JSON.createObjectNode().put("type", "error").put("error", error.toString()));
    }

    /** Every message that is neither the greeting nor a change (lagging, closing, errors), as JSON text. */
    List<String> controlMessages() {
      return messages.stream().filter(m -> !m.path("type").asText().equals("subscribed")
          && !m.path("type").asText().equals("change")).map(JsonNode::toString).toList();
    }
  }
}
