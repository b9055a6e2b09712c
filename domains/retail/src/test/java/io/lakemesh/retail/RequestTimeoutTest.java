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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A request that outlives the server's request timeout is answered with problem+json on both ports. */
class RequestTimeoutTest {
  @TempDir Path home;

  @Test
  void metricsAndStatsPastTheRequestTimeoutAreProblems() throws Exception {
    // shorter than a scrape or a stats read usually takes (they read table metadata); the server checks the timeout
    // on a timer of its own, so a fast answer may still beat it: each is asked until one times out
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
        .parseMap(Map.of("pekko.http.server.request-timeout", "1ms"))
        .withFallback(RetailPipelineTest.config(home));
    try (MeshNode node = MeshNode.start(config)) {
      HttpClient http = HttpClient.newHttpClient();
      boolean metricsTimedOut = timesOut(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.managementPort() + "/metrics")).build());
      boolean statsTimedOut = timesOut(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions")).header("Authorization", "Bearer "
          + node.devAdminToken()).build());
      Assumptions.assumeTrue(metricsTimedOut && statsTimedOut,
          "every answer beat the server's timeout timer on this machine: nothing to check");
    }
  }

  /**
   * Asks up to 50 times; true once an answer is the timeout's 503, which must be problem+json. Any other answer must
   * be a 200.
   */
  private static boolean timesOut(HttpClient http, HttpRequest request) throws Exception {
    for (int i = 0; i < 50; i++) {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 503) {
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), r.body());
        assertTrue(r.body().contains("request-timeout"), r.body());
        return true;
      }
      assertEquals(200, r.statusCode(), r.body());
    }
    return false;
  }
}
