package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When silver is further behind ingest than allowed, ingest answers 503 with Retry-After instead of queueing; once
 * the pipeline catches up, the same request is accepted.
 */
class BackpressureTest {
  @TempDir
  Path home;

  @TempDir
  Path contracts;

  @Test
  void anOlderMajorThatFallsBehindPushesBackToo() throws Exception {
    // two majors read one raw topic: the newest keeps up while the older one is paused; its backlog must stop
    // ingest as the newest's would (the log's retention would otherwise drop events it has not read)
    java.nio.file.Files.writeString(contracts.resolve("orders.odcs.yaml"),
        ContractDeploymentTest.contract("1.1.0", "", ContractDeploymentTest.DECIMAL));
    java.nio.file.Files.writeString(contracts.resolve("orders-v2.odcs.yaml"),
        ContractDeploymentTest.contract("2.0.0", "", ContractDeploymentTest.TEXT));
    HttpClient http = HttpClient.newHttpClient();
    try (MeshNode node = MeshNode.start(NodeRequests.nodeConfig(home, contracts, Map.of(
        "lakemesh.ingest.max-lag", 5, "lakemesh.pipeline.batch-window", "200ms")))) {
      token = node.devAdminToken();
      assertEquals(202, admin(http, node, "shop.orders@v1/pause").statusCode());
      URI events = URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1/products/shop.orders/events");
      StringBuilder ten = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        ten.append(i == 0 ? "" : ",").append("{\"order_id\":\"O-").append(i).append("\",\"amount\":\"1.50\"}");
      }
      assertEquals(202, post(http, events, ten.toString()).statusCode());
      NodeRequests.awaitStats(node, "shop.orders", s -> s.path("lag").asLong(-1) == 0);
      NodeRequests.awaitStats(node, "shop.orders@v1", s -> s.path("lag").asLong() == 10);

      HttpResponse<String> pushedBack = post(http, events, "{\"order_id\":\"O-10\",\"amount\":\"1.50\"}");
      assertEquals(503, pushedBack.statusCode(), pushedBack.body());
      assertTrue(pushedBack.body().contains("shop.orders@v1 is 10 events behind (limit 5) and does not read:"
          + " shop.orders@v1#0 is paused"), pushedBack.body());
      assertTrue(pushedBack.body().contains("/lakemesh/products/shop.orders@v1/resume"), pushedBack.body());
      // retrying every second cannot help a paused product
      assertEquals("30", pushedBack.headers().firstValue("Retry-After").orElse(""));

      assertEquals(202, admin(http, node, "shop.orders@v1/resume").statusCode());
      NodeRequests.awaitStats(node, "shop.orders@v1", s -> s.path("lag").asLong(-1) == 0);
      HttpResponse<String> accepted = post(http, events, "{\"order_id\":\"O-10\",\"amount\":\"1.50\"}");
      assertEquals(202, accepted.statusCode(), accepted.body());
    }
  }

  private static HttpResponse<String> admin(HttpClient http, MeshNode node, String action) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort()
            + "/lakemesh/products/" + action)).header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void ingestPushesBackWhileThePipelineIsBehind() throws Exception {
    var config = ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.ingest.max-lag", 0,
            // a long window keeps the first events uncommitted for a while: the pipeline is "behind"
            "lakemesh.pipeline.batch-window", "4s",
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
    HttpClient http = HttpClient.newHttpClient();
    try (MeshNode node = MeshNode.start(config)) {
      URI events = URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/events");
      token = node.devAdminToken();
      String first = RetailPipelineTest.sale("T-1", "S-0001", "NCR", Instant.now(), "noodles:1:10.00");
      String second = RetailPipelineTest.sale("T-2", "S-0001", "NCR", Instant.now(), "noodles:1:10.00");
      assertEquals(202, post(http, events, first).statusCode());

      HttpResponse<String> pushedBack = post(http, events, second);
      assertEquals(503, pushedBack.statusCode(), pushedBack.body());
      assertEquals("1", pushedBack.headers().firstValue("Retry-After").orElse(""));
      assertTrue(pushedBack.body().contains("backpressure"), pushedBack.body());

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      int status;
      do {
        Thread.sleep(1000); // as Retry-After says
        status = post(http, events, second).statusCode();
      } while (status == 503 && System.nanoTime() < deadline);
      assertEquals(202, status, "accepted once the pipeline caught up");
    }
  }

  @Test
  void aStoppingNodeAnswersNewInputWithA503BeforeItsPortsClose() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    MeshNode node = MeshNode.start(NodeRequests.nodeConfig(home, contracts, Map.of("lakemesh.http.stop-grace", "3s")));
    Thread stopping = new Thread(node::close, "stopping-node");
    try {
      token = node.devAdminToken();
      URI events = URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/events");
      URI ready = URI.create("http://127.0.0.1:" + node.httpPort() + "/ready");
      String sale = RetailPipelineTest.sale("T-1", "S-0001", "NCR", Instant.now(), "noodles:1:10.00");
      assertEquals(202, post(http, events, sale).statusCode()); // the client keeps this connection open
      // a ready node that stops (ingest takes events a moment before the node has read its workers' states)
      long readyBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode() != 200
          && System.nanoTime() < readyBy) {
        Thread.sleep(50);
      }
      stopping.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      HttpResponse<String> notReady;
      do {
        notReady = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
      } while (notReady.statusCode() == 200 && System.nanoTime() < deadline);
      assertEquals(503, notReady.statusCode(), notReady.body());
      assertTrue(notReady.body().contains("not ready: the node is stopping"), notReady.body());

      HttpResponse<String> refused = post(http, events, sale);
      assertEquals(503, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("problems/stopping") && refused.body().contains("nothing of this body was"
          + " accepted"), refused.body());
      assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
      assertEquals("close", refused.headers().firstValue("Connection").orElse("").toLowerCase(java.util.Locale.ROOT));
      // nor a stream: it would be closed again within the grace
      java.util.concurrent.CompletionException upgrade = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.CompletionException.class, () -> http.newWebSocketBuilder()
              .header("Authorization", "Bearer " + token)
              .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort()
                  + "/api/v1/products/retail.transactions/stream"), new java.net.http.WebSocket.Listener() {})
              .join());
      HttpResponse<?> handshake = ((java.net.http.WebSocketHandshakeException) upgrade.getCause()).getResponse();
      assertEquals(503, handshake.statusCode());
      assertTrue(String.valueOf(handshake.body()).contains("problems/stopping"), String.valueOf(handshake.body()));
    } finally {
      if (stopping.getState() == Thread.State.NEW) {
        node.close(); // failed before the stop began
      }
      stopping.join(60_000);
    }
  }

  private static String token;

  private static HttpResponse<String> post(HttpClient http, URI uri, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("[" + body + "]")).build(), HttpResponse.BodyHandlers.ofString());
  }
}
