package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of an ingest: the node runs in its own JVM (the real launcher main), is killed while
 * batches stream in, and is started again on the same state. Every event that was answered 202 must be in silver
 * exactly once, and gold must equal the aggregation of silver.
 */
class CrashRecoveryTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir
  Path home;

  @Test
  void killNineLosesNothingAndDoublesNothing() throws Exception {
    int httpPort = freePort();
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
        "-cp", System.getProperty("java.class.path"),
        "-Dlakemesh.pipeline.batch-window=300ms", "-Dlakemesh.pipeline.gold-interval=300ms",
        "io.lakemesh.runtime.cli.LakemeshCli", "up", "--home", home.toString(),
        "--http-port", Integer.toString(httpPort), "--kafka-port", Integer.toString(freePort()),
        "--mgmt-port", Integer.toString(freePort()));
    Map<String, String> env = Map.of("LAKEMESH_CLUSTER_PORT", Integer.toString(freePort()));
    Process node = start(command, env, home.resolve("node-1.log"));
    Set<String> accepted = new HashSet<>();
    Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      awaitReady(httpPort);
      // the node wrote its dev admin token to the home at start
      String token = java.nio.file.Files.readString(home.resolve("dev-admin.jwt")).trim();
      for (int batch = 0; batch < 40; batch++) {
        StringBuilder body = new StringBuilder();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
          String id = "T-" + batch + "-" + i;
          ids.add(id);
          body.append(RetailPipelineTest.sale(id, "S-" + String.format("%04d", i % 20),
              i % 2 == 0 ? "NCR" : "Region VII", ts.minus(i % 3, ChronoUnit.DAYS), "noodles:" + (1 + i % 3)
                  + ":15.25", "snacks:1:" + (i % 7) + ".50")).append('\n');
        }
        if (batch == 20) {
          node.destroyForcibly().waitFor(); // SIGKILL: no drain, no commit, no goodbye
        }
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                  + "/api/v1/products/retail.transactions/events")).header("Content-Type", "application/x-ndjson")
              .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 202) {
            accepted.addAll(ids);
          }
        } catch (IOException refused) {
          // the node is dead: this batch was not accepted, and need not be there
        }
      }
    } finally {
      node.destroyForcibly().waitFor();
    }
    assertEquals(20 * 250, accepted.size(), "the batches before the kill were accepted");

    Process again = start(command, env, home.resolve("node-2.log"));
    try {
      awaitReady(httpPort);
      waitForSilver(accepted.size());
      awaitGold();
    } finally {
      again.destroy();
      again.waitFor();
    }
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
      Product transactions = catalog.find("retail.transactions").orElseThrow();
      Table silver = StageTables.served(warehouse, transactions);
      List<String> ids = new ArrayList<>();
      Map<String, String> expectedGold = new TreeMap<>();
      Map<List<Object>, Object[]> sums = new HashMap<>();
      DailySales logic = new DailySales();
      try (CloseableIterable<Record> rows = TableReader.read(silver)) {
        for (Record r : rows) {
          ids.add((String) r.getField("transaction_id"));
          logic.contribute(r, (key, measures) -> sums.merge(key, measures, (a, b) -> new Object[] {
              ((BigDecimal) a[0]).add((BigDecimal) b[0]), (Long) a[1] + (Long) b[1], (Long) a[2] + (Long) b[2]}));
        }
      }
      assertEquals(new HashSet<>(ids).size(), ids.size(), "no transaction twice in silver");
      assertTrue(ids.containsAll(accepted), "every accepted event is in silver");
      sums.forEach((k, m) -> expectedGold.put(k.toString(), m[0] + "/" + m[1] + "/" + m[2]));
      Map<String, String> gold = new TreeMap<>();
      Table goldTable = StageTables.served(warehouse, catalog.find("retail.daily_sales").orElseThrow());
      try (CloseableIterable<Record> rows = TableReader.read(goldTable)) {
        for (Record r : rows) {
          gold.put(List.of(r.getField("day"), r.getField("region"), r.getField("store_id"),
              r.getField("category")).toString(), r.getField("revenue") + "/" + r.getField("units") + "/"
              + r.getField("transactions"));
        }
      }
      assertEquals(expectedGold, gold, "gold equals the aggregation of silver");
    }
  }

  private void waitForSilver(int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
      Table silver = StageTables.served(warehouse, catalog.find("retail.transactions").orElseThrow());
      while (true) {
        silver.refresh();
        long rows = silver.currentSnapshot() == null ? 0
            : Long.parseLong(silver.currentSnapshot().summary().get("total-records"));
        if (rows >= atLeast) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("silver has " + rows + " rows, expected at least " + atLeast);
        }
        Thread.sleep(250);
      }
    }
  }

  private void awaitGold() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
      Table silver = StageTables.served(warehouse, catalog.find("retail.transactions").orElseThrow());
      Table gold = StageTables.served(warehouse, catalog.find("retail.daily_sales").orElseThrow());
      Long stable = null;
      while (System.nanoTime() < deadline) {
        silver.refresh();
        gold.refresh();
        String seen = gold.currentSnapshot() == null ? null
            : gold.currentSnapshot().summary().get("lakemesh.source.snapshot");
        long current = silver.currentSnapshot().snapshotId();
        if (String.valueOf(current).equals(seen)) {
          if (Long.valueOf(current).equals(stable)) {
            return; // silver stopped moving and gold has caught up with it
          }
          stable = current;
        }
        Thread.sleep(500);
      }
      throw new AssertionError("gold did not catch up with silver");
    }
  }

  private static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }

  private static void awaitReady(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/ready")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(250);
    }
    throw new AssertionError("node on port " + port + " did not become ready");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
