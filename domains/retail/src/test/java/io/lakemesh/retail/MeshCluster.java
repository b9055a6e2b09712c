package io.lakemesh.retail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.log.EmbeddedKafka;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Several Lakemesh nodes as child JVMs on loopback, sharing one home (dev signing key, SQLite catalog, warehouse)
 * and one Kafka broker that runs in the test JVM, so killing a node never kills the log.
 */
final class MeshCluster implements AutoCloseable {
  static final String TRANSACTIONS = "retail.transactions";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** A worker as /lakemesh/products shows it. */
  record Worker(String product, String worker, String state, String node, long batches) {}

  final Path home;
  private final EmbeddedKafka kafka;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final ProductCatalog catalog;
  private String token;

  private MeshCluster(Path home, EmbeddedKafka kafka, ProductCatalog catalog) {
    this.home = home;
    this.kafka = kafka;
    this.catalog = catalog;
  }

  /**
   * Starts the broker, creates the raw topics, then the nodes: the first one alone (it forms the cluster and
   * writes the dev signing key every node shares), then the others, joining through it.
   */
  static MeshCluster start(Path home, int size, List<String> jvmOptions) throws Exception {
    ProductCatalog catalog = ProductCatalog.load(MeshCluster.class.getClassLoader(), List.of());
    MeshCluster cluster = new MeshCluster(home, EmbeddedKafka.start(home.resolve("kafka"), 0), catalog);
    try {
      cluster.createTopics();
      NodeProcess first = NodeProcess.start("n1", home, cluster.kafka.bootstrapServers(), null, jvmOptions);
      cluster.nodes.add(first);
      await("n1 answers /alive", Duration.ofSeconds(90), () -> get(first.api("/alive"), null).statusCode() == 200);
      for (int i = 2; i <= size; i++) {
        cluster.nodes.add(NodeProcess.start("n" + i, home, cluster.kafka.bootstrapServers(), first.address(),
            jvmOptions));
      }
      cluster.token = Files.readString(home.resolve("dev-admin.jwt")).trim();
      return cluster;
    } catch (Exception | AssertionError e) {
      System.out.println(cluster.logTails());
      cluster.close();
      throw e;
    }
  }

  private void createTopics() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      for (var p : catalog.all()) {
        if (p.stage() == io.lakemesh.contracts.model.Stage.SOURCE) {
          Topics.ensure(admin, Topics.rawTopic(p.id()), p.contract().settings().partitions());
        }
      }
    }
  }

  String kafkaBootstrap() {
    return kafka.bootstrapServers();
  }

  ProductCatalog catalog() {
    return catalog;
  }

  List<NodeProcess> nodes() {
    return List.copyOf(nodes);
  }

  List<NodeProcess> alive() {
    return nodes.stream().filter(NodeProcess::alive).toList();
  }

  String token() {
    return token;
  }

  /** The node whose cluster address is {@code address}. */
  NodeProcess byAddress(String address) {
    return nodes.stream().filter(n -> n.address().equals(address)).findFirst()
        .orElseThrow(() -> new AssertionError("no node has address " + address + " (nodes: " + nodes + ")"));
  }

  /** GET /cluster/members on a node's management port: member address to status. */
  Map<String, String> members(NodeProcess via) throws Exception {
    JsonNode body = getJson(via.management("/cluster/members"));
    Map<String, String> members = new LinkedHashMap<>();
    body.path("members").forEach(m -> members.put(m.path("node").asText(), m.path("status").asText()));
    return members;
  }

  /** GET /lakemesh/products on a node's management port: every worker of every product. */
  List<Worker> workers(NodeProcess via) throws Exception {
    JsonNode body = getJson(via.management("/lakemesh/products"));
    List<Worker> workers = new ArrayList<>();
    for (JsonNode product : body) {
      for (JsonNode w : product.path("workers")) {
        workers.add(new Worker(product.path("id").asText(), w.path("worker").asText(), w.path("state").asText(),
            w.path("node").asText(null), w.path("batches").asLong()));
      }
    }
    return workers;
  }

  /** Posts NDJSON events to a node's ingest endpoint. */
  HttpResponse<String> post(NodeProcess via, String product, String ndjson) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(via.api("/api/v1/products/" + product + "/events"))
        .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(URI uri) throws Exception {
    HttpResponse<String> r = get(uri, token);
    if (r.statusCode() != 200) {
      throw new IOException("GET " + uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }

  private static HttpResponse<String> get(URI uri, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The shared catalog, opened in the test JVM the way the nodes open it. */
  Warehouse openWarehouse() {
    return Warehouse.open(Map.of("uri", "jdbc:sqlite:" + home.resolve("catalog.db"),
        "warehouse", home.resolve("warehouse").toString()));
  }

  /** The end of each partition of a product's raw topic: what its stages must have committed when idle. */
  Map<Integer, Long> endOffsets(String product) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      String topic = Topics.rawTopic(product);
      int partitions = catalog.find(product).orElseThrow().contract().settings().partitions();
      Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> specs =
          new LinkedHashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new org.apache.kafka.common.TopicPartition(topic, p),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
      Map<Integer, Long> end = new java.util.TreeMap<>();
      admin.listOffsets(specs).all().get().forEach((tp, info) -> end.put(tp.partition(), info.offset()));
      return end;
    }
  }

  /** The last lines of every node's log. */
  String logTails() {
    StringBuilder out = new StringBuilder();
    for (NodeProcess n : nodes) {
      out.append("===== ").append(n).append(n.alive() ? "" : " (dead)").append(", last lines of ").append(n.log)
          .append(" =====\n").append(n.logTail(80)).append('\n');
    }
    return out.toString();
  }

  /**
   * Polls {@code check} until it holds; a check that throws counts as "not yet" (a node still starting) and its
   * last failure is reported if the deadline passes.
   */
  static void await(String what, Duration timeout, Callable<Boolean> check) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(check.call())) {
          return;
        }
        last = null;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        AssertionError error = new AssertionError("not within " + timeout.toSeconds() + " s: " + what);
        if (last != null) {
          error.initCause(last);
        }
        throw error;
      }
      Thread.sleep(250);
    }
  }

  /** Kills every node still running, then stops the broker. */
  @Override
  public void close() throws Exception {
    Exception failure = null;
    for (NodeProcess n : nodes) {
      try {
        n.close();
      } catch (Exception e) {
        failure = e;
      }
    }
    kafka.close();
    if (failure != null) {
      throw failure;
    }
  }
}
