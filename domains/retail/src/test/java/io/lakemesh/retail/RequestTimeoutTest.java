package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request that outlives the server's request timeout is answered with problem+json on both ports. */
class RequestTimeoutTest {
  @TempDir Path home;

  @Test
  void metricsAndStatsPastTheRequestTimeoutAreProblems() throws Exception {
    // shorter than any scrape or stats read, which read table metadata
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
        .parseMap(Map.of("pekko.http.server.request-timeout", "1ms"))
        .withFallback(RetailPipelineTest.config(home));
    try (MeshNode node = MeshNode.start(config)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.managementPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, metrics.statusCode(), metrics.body());
      assertEquals("application/problem+json", metrics.headers().firstValue("Content-Type").orElse(""));
      assertTrue(metrics.body().contains("\"request-timeout\"") || metrics.body().contains("/request-timeout"),
          metrics.body());
      HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions")).header("Authorization", "Bearer "
          + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(503, stats.statusCode(), stats.body());
      assertEquals("application/problem+json", stats.headers().firstValue("Content-Type").orElse(""));
    }
  }
}
