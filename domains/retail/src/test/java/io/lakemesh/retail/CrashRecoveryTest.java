package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.pipeline.StageTables;
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
    Set<String> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Instant ts = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long acceptedAtKill;
    java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      awaitReady(httpPort);
      // the node wrote its dev admin token to the home at start
      String token = java.nio.file.Files.readString(home.resolve("dev-admin.jwt")).trim();
      // two clients post batches of 250 at once, so requests are in flight when the node dies
      java.util.concurrent.atomic.AtomicInteger nextBatch = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger acceptedBatches = new java.util.concurrent.atomic.AtomicInteger();
      for (int client = 0; client < 2; client++) {
        senders.submit(() -> {
          for (int batch = nextBatch.getAndIncrement(); batch < 400; batch = nextBatch.getAndIncrement()) {
            List<String> ids = new ArrayList<>();
            String body = batch(batch, ts, ids);
            try {
              HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
                      + "/api/v1/products/retail.transactions/events")).header("Content-Type", "application/x-ndjson")
                  .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10))
                  .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 202) {
                accepted.addAll(ids);
                acceptedBatches.incrementAndGet();
              }
            } catch (IOException dead) {
              return null; // the node is dead: this batch was not confirmed (it may still be there), nor later ones
            }
          }
          return null;
        });
      }
      while (acceptedBatches.get() < 20) {
        Thread.sleep(5);
      }
      acceptedAtKill = accepted.size();
      node.destroyForcibly().waitFor(); // SIGKILL: no drain, no commit, no goodbye
      senders.shutdown();
      assertTrue(senders.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS), "the clients stopped");
    } finally {
      senders.shutdownNow();
      node.destroyForcibly().waitFor();
    }
    // what the kill interrupted: events confirmed to clients that silver had not committed yet (the batch window is
    // 300 ms, and the kill follows a 202 at once), so the restart has work to recover, not only a clean state
    long silverAtKill = silverRows();
    assertTrue(silverAtKill < acceptedAtKill, "silver held " + silverAtKill + " of the " + acceptedAtKill
        + " events accepted before the kill: the kill caught nothing in flight");
    assertTrue(accepted.size() >= 20 * 250, "accepted " + accepted.size());

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
      Table silver = StageTables.served(warehouse, catalog.find("retail.transactions").orElseThrow());
      List<String> ids = new ArrayList<>();
      // gold worked out here from silver's rows, not with the product's own aggregation: per day (UTC) x region x
      // store x category, the sum of line amounts and quantities and the transactions with an item of the category
      Map<String, BigDecimal> revenue = new TreeMap<>();
      Map<String, Long> units = new TreeMap<>();
      Map<String, Set<String>> transactions = new TreeMap<>();
      try (CloseableIterable<Record> rows = TableReader.read(silver)) {
        for (Record r : rows) {
          String id = (String) r.getField("transaction_id");
          ids.add(id);
          java.time.LocalDate day = ((java.time.OffsetDateTime) r.getField("ts")).atZoneSameInstant(
              java.time.ZoneOffset.UTC).toLocalDate();
          for (Object item : (List<?>) r.getField("items")) {
            Record line = (Record) item;
            String key = List.of(day, r.getField("region"), r.getField("store_id"), line.getField("category"))
                .toString();
            revenue.merge(key, (BigDecimal) line.getField("line_amount"), BigDecimal::add);
            units.merge(key, ((Number) line.getField("qty")).longValue(), Long::sum);
            transactions.computeIfAbsent(key, k -> new HashSet<>()).add(id);
          }
        }
      }
      assertEquals(new HashSet<>(ids).size(), ids.size(), "no transaction twice in silver");
      assertTrue(ids.containsAll(accepted), "every accepted event is in silver");
      Map<String, String> expectedGold = new TreeMap<>();
      revenue.forEach((k, r) -> expectedGold.put(k, r + "/" + units.get(k) + "/" + transactions.get(k).size()));
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

  /** Batch {@code n}: 250 sales over three days, two regions and twenty stores; their ids go to {@code ids}. */
  private static String batch(int n, Instant ts, List<String> ids) {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 250; i++) {
      String id = "T-" + n + "-" + i;
      ids.add(id);
      body.append(RetailPipelineTest.sale(id, "S-" + String.format("%04d", i % 20),
          i % 2 == 0 ? "NCR" : "Region VII", ts.minus(i % 3, ChronoUnit.DAYS), "noodles:" + (1 + i % 3)
              + ":15.25", "snacks:1:" + (i % 7) + ".50")).append('\n');
    }
    return body.toString();
  }

  /** Silver's rows as its current snapshot counts them. */
  private long silverRows() throws Exception {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
      Table silver = StageTables.served(warehouse, catalog.find("retail.transactions").orElseThrow());
      return silver.currentSnapshot() == null ? 0
          : Long.parseLong(silver.currentSnapshot().summary().get("total-records"));
    }
  }

  private void waitForSilver(int atLeast) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (true) {
      long rows = silverRows();
      if (rows >= atLeast) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("silver has " + rows + " rows, expected at least " + atLeast);
      }
      Thread.sleep(250);
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
