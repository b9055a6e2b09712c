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

  private static String token;

  private static HttpResponse<String> post(HttpClient http, URI uri, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("[" + body + "]")).build(), HttpResponse.BodyHandlers.ofString());
  }
}
