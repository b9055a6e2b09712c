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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code lakemesh.cluster.bootstrap = kubernetes} a node does not form a cluster of its own: it starts Pekko
 * cluster bootstrap (Kubernetes API discovery), serves the bootstrap contact-point route on the management port
 * without a token, and stays not ready until it has joined. (No Kubernetes API here: discovery finds nobody.)
 */
class KubernetesBootstrapTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  @TempDir
  Path home;

  @Test
  void aKubernetesNodeWaitsForBootstrapAndServesItsContactPoint() throws Exception {
    // what a pod has mounted: the service account's CA certificate and token (a real certificate, from keytool)
    Path ca = home.resolve("ca.crt");
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-dname", "CN=kubernetes", "-validity", "2",
        "-keystore", home.resolve("ca.p12").toString(), "-storepass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", home.resolve("ca.p12").toString(), "-storepass",
        "changeit", "-file", ca.toString());
    Path token = java.nio.file.Files.writeString(home.resolve("token"), "not-a-real-token");
    var config = ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.cluster.bootstrap", "kubernetes",
            "pekko.discovery.kubernetes-api.api-ca-path", ca.toString(),
            "pekko.discovery.kubernetes-api.api-token-path", token.toString(),
            "pekko.discovery.kubernetes-api.pod-namespace", "lakemesh",
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
    try (MeshNode node = MeshNode.start(config)) {
      String mgmt = "http://127.0.0.1:" + node.managementPort();
      HttpResponse<String> seeds = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/bootstrap/seed-nodes"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, seeds.statusCode(), seeds.body());
      assertTrue(seeds.body().contains("seedNodes"), seeds.body());
      // not a member and not ready, checked directly and again and again past bootstrap's stable margin (5 s),
      // after which a bootstrap that found nobody could form a cluster of its own: a node that joined itself is
      // a member at once, even while it is still too busy starting to be ready
      long until = System.nanoTime() + java.time.Duration.ofSeconds(8).toNanos();
      do {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/ready")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(503, ready.statusCode(), "not ready before joining a cluster: " + ready.body());
        HttpResponse<String> state = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/cluster/members"))
            .header("Authorization", "Bearer " + node.devAdminToken()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, state.statusCode(), state.body());
        assertEquals("[]", JSON.readTree(state.body()).path("members").toString(), "a member of no cluster: "
            + state.body());
        Thread.sleep(250);
      } while (System.nanoTime() < until);
      HttpResponse<String> members = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/cluster/members"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, members.statusCode(), "everything else on the port still needs a token");
    }
  }

  private static void keytool(String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "keytool failed: " + out);
  }

  @Test
  void anUnknownBootstrapModeIsRefusedWithOneClearMessage() {
    var config = ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.cluster.bootstrap", "consul",
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> MeshNode.start(config).close());
    assertTrue(e.getMessage().contains("'seed-nodes' or 'kubernetes'"), e.getMessage());
  }
}
