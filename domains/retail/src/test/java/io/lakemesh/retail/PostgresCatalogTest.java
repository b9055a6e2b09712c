package io.lakemesh.retail;

import static io.lakemesh.retail.NodeRequests.awaitStats;
import static io.lakemesh.retail.NodeRequests.postNdjson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production catalog: a node on an Iceberg JdbcCatalog in a real PostgreSQL server (started by the test), the
 * warehouse in a directory. Events go through the whole pipeline; a restarted node resumes from the catalog.
 */
class PostgresCatalogTest {
  private static final String PRODUCT = "retail.transactions";

  @TempDir
  Path home;

  @Test
  void aNodeOnAPostgresCatalogRunsTheWholePipelineAndResumes() throws Exception {
    // the embedded Postgres binaries this build brings are amd64 ones (Linux, macOS under Rosetta, Windows); an ARM
    // Linux machine cannot run them, and there this test is skipped, saying so, rather than failing the build
    String arch = System.getProperty("os.arch").toLowerCase(java.util.Locale.ROOT);
    org.junit.jupiter.api.Assumptions.assumeFalse(System.getProperty("os.name").startsWith("Linux")
        && (arch.equals("aarch64") || arch.startsWith("arm")), "embedded Postgres (amd64 binaries) cannot run on "
        + arch + " Linux: the Postgres catalog is not tested here");
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(home.resolve("pg"))
        .setCleanDataDirectory(true).start()) {
      String url = postgres.getJdbcUrl("postgres", "postgres");
      Instant now = Instant.now();
      try (MeshNode node = MeshNode.start(config(url))) {
        postNdjson(node, PRODUCT, RetailPipelineTest.sale("PG-1", "S-0001", "NCR", now, "noodles:2:10.00") + "\n"
            + RetailPipelineTest.sale("PG-2", "S-0002", "Region VII", now, "snacks:1:5.50") + "\n"
            + "{\"transaction_id\":\"PG-3\"}\n");
        JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 2
            && s.path("rows").path("quarantine").asInt() == 1);
        assertEquals(3, stats.path("rows").path("bronze").asInt(), stats.toString());
      }
      // the catalog lives in PostgreSQL: Iceberg's own tables there name ours
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          ResultSet rs = c.createStatement().executeQuery(
              "select count(*) from iceberg_tables where table_namespace = 'retail'")) {
        rs.next();
        assertTrue(rs.getInt(1) >= 4, "bronze, silver, quarantine and gold are registered in PostgreSQL");
      }
      try (MeshNode node = MeshNode.start(config(url))) {
        postNdjson(node, PRODUCT, RetailPipelineTest.sale("PG-1", "S-0001", "NCR", now, "noodles:2:10.00") + "\n"
            + RetailPipelineTest.sale("PG-4", "S-0003", "CAR", now, "coffee:3:2.00") + "\n");
        JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 3
            && s.path("duplicatesDropped").asInt() == 1);
        assertEquals(5, stats.path("rows").path("bronze").asInt(), "resumed, nothing re-read: " + stats);
      }
    }
  }

  private Config config(String jdbcUrl) {
    return ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.catalog.properties", Map.of("uri", jdbcUrl, "warehouse", home.resolve("warehouse").toString()),
            "lakemesh.pipeline.batch-window", "500ms",
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
  }


}
