package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose roles name another domain than the contracts it has (a team running its own domain next to the
 * built-in retail contracts): the retail products are unassigned, and they do not keep the node from being ready.
 */
class UnassignedDomainTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;

  @Test
  void productsOfADomainNobodyRunsAreUnassignedAndTheNodeIsReady() throws Exception {
    try (MeshNode node = MeshNode.start(ConfigFactory.parseMap(Map.of(
        "lakemesh.roles", List.of("domain-logistics", "api"))).withFallback(RetailPipelineTest.config(home)))) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int status = 0;
      while (System.nanoTime() < deadline && status != 200) {
        status = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort()
            + "/ready")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        Thread.sleep(200);
      }
      assertEquals(200, status, "/ready while no member runs domain retail");
      HttpResponse<String> products = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.managementPort() + "/lakemesh/products")).header("Authorization", "Bearer "
          + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, products.statusCode(), products.body());
      int workers = 0;
      for (JsonNode product : JSON.readTree(products.body())) {
        for (JsonNode w : product.path("workers")) {
          assertEquals("unassigned", w.path("state").asText(), product.toString());
          workers++;
        }
      }
      assertTrue(workers >= 4, "daily_sales and the three transaction partitions: " + products.body());
      HttpResponse<String> pause = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.managementPort() + "/lakemesh/products/retail.transactions/pause")).header("Authorization",
          "Bearer " + node.devAdminToken()).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(409, pause.statusCode(), pause.body());
      assertTrue(pause.body().contains("no member of the cluster runs domain retail"), pause.body());
      // ingest stays open: accepted events wait in the product's topic for the first member that runs the domain
      NodeRequests.postNdjson(node, "retail.transactions", RetailPipelineTest.sale("T-U1", "S-0001", "NCR",
          java.time.Instant.now().minusSeconds(60), "noodles:1:10.00") + "\n");
      JsonNode stats = NodeRequests.awaitStats(node, "retail.transactions", s -> s.path("lag").asLong() == 1);
      assertEquals(0, stats.path("rows").path("silver").asLong(), stats.toString());
    }
  }
}
