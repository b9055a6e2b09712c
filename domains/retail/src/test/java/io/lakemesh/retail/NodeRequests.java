package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** The API calls the node tests share: post NDJSON as the dev admin, wait for a product's stats. */
final class NodeRequests {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private NodeRequests() {}

  /**
   * A one-node mesh on a test's home and contract directory, on free ports, with the embedded defaults; {@code
   * more} settings on top (a batch window, no built-in contracts, ...).
   */
  static com.typesafe.config.Config nodeConfig(java.nio.file.Path home, java.nio.file.Path contracts,
      java.util.Map<String, Object> more) {
    java.util.Map<String, Object> settings = new java.util.HashMap<>(java.util.Map.of(
        "lakemesh.home", home.toString(),
        "lakemesh.contract-dirs", java.util.List.of(contracts.toString()),
        "lakemesh.http.port", 0,
        "lakemesh.management.port", 0,
        "lakemesh.kafka.port", 0,
        "pekko.remote.artery.canonical.port", 0));
    settings.putAll(more);
    return com.typesafe.config.ConfigFactory.parseMap(settings)
        .withFallback(com.typesafe.config.ConfigFactory.load());
  }

  /** Posts NDJSON events to a product; asserts they were accepted (202). */
  static void postNdjson(MeshNode node, String product, String ndjson) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + "/api/v1/products/" + product + "/events")).header("Content-Type", "application/x-ndjson")
        .header("Authorization", "Bearer " + node.devAdminToken())
        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
  }

  /** GETs an API path as the dev admin; asserts a 200 and returns the body. */
  static String get(MeshNode node, String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
        + path)).header("Authorization", "Bearer " + node.devAdminToken()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  /** Polls the product's stats until {@code until} holds (60 s at most) and returns them. */
  static JsonNode awaitStats(MeshNode node, String product, Predicate<JsonNode> until) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode stats = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
          + "/api/v1/products/" + product)).header("Authorization", "Bearer " + node.devAdminToken()).build(),
          HttpResponse.BodyHandlers.ofString());
      stats = JSON.readTree(r.body()).path("stats");
      if (until.test(stats)) {
        return stats;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out; last stats of " + product + ": " + stats);
  }
}
