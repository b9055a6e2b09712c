package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lakemesh.runtime.cluster.MeshNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port someone else holds refuses the start with one line naming it, before Kafka, the catalog or any pipeline
 * starts (it used to start them all, then fail the bind and print a worker's stack trace while shutting down).
 */
class PortInUseTest {
  @TempDir Path home;

  @Test
  void aTakenHttpManagementClusterOrKafkaPortRefusesTheStartNamingItsSetting() throws Exception {
    for (String setting : new String[] {"lakemesh.http.port", "lakemesh.management.port",
        "pekko.remote.artery.canonical.port", "lakemesh.kafka.port"}) {
      try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
        com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.parseMap(Map.of(setting,
            taken.getLocalPort())).withFallback(RetailPipelineTest.config(home));
        IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> MeshNode.start(config).close());
        int port = taken.getLocalPort();
        String expected = switch (setting) {
          case "lakemesh.http.port" -> "cannot serve the HTTP API on 127.0.0.1:" + port + " (is the port in use?"
              + " choose another with --http-port or LAKEMESH_HTTP_PORT, or 0 for a free one)";
          case "lakemesh.management.port" -> "cannot serve the management API on 127.0.0.1:" + port + " (is the"
              + " port in use? choose another with --mgmt-port or LAKEMESH_MGMT_PORT, or 0 for a free one)";
          case "lakemesh.kafka.port" -> "cannot serve the embedded Kafka on 127.0.0.1:" + port + " (is the"
              + " port in use? choose another with --kafka-port or LAKEMESH_KAFKA_PORT, or 0 for a free one)";
          default -> "cannot start the cluster transport on port " + port + " (is it in use? choose another with"
              + " --cluster-port or LAKEMESH_CLUSTER_PORT)";
        };
        assertEquals(expected, refused.getMessage());
        assertFalse(Files.exists(home.resolve("kafka")), "Kafka was not started");
        assertFalse(Files.exists(home.resolve("catalog.db")), "the catalog was not opened");
      }
    }
  }
}
