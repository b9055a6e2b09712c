package io.lakemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.Types;

/**
 * WebSocket fan-out: N real WebSocket subscribers (java.net.http) on one node's gold stream, commits published at
 * a fixed rate through the node's change hub (the path every gold commit takes), one deliberately stalled
 * subscriber. Reports messages/s and the commit-to-receive lag (p50/p99), next to a baseline measured in the same
 * run with a single subscriber. Usage: {@code FanoutBenchmark [subscribers=1000] [commits/s=10] [seconds=20]}.
 */
public final class FanoutBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PRODUCT = "retail.daily_sales";

  /** A subscriber recording when each change arrived relative to its commit. */
  static final class Subscriber implements WebSocket.Listener {
    final ConcurrentLinkedQueue<Long> lagsMillis = new ConcurrentLinkedQueue<>();
    final AtomicLong messages = new AtomicLong();
    final boolean stalled;
    private final StringBuilder partial = new StringBuilder();

    Subscriber(boolean stalled) {
      this.stalled = stalled;
    }

    @Override
    public void onOpen(WebSocket ws) {
      ws.request(stalled ? 1 : Long.MAX_VALUE);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        long now = System.currentTimeMillis();
        try {
          JsonNode m = JSON.readTree(partial.toString());
          if ("change".equals(m.path("type").asText())) {
            messages.incrementAndGet();
            lagsMillis.add(now - Instant.parse(m.get("committedAt").asText()).toEpochMilli());
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      return null;
    }
  }

  record Result(int subscribers, double seconds, long messages, double perSecond, long p50, long p99, long max,
      int stillSubscribed) {}

  public static void main(String[] args) throws Exception {
    int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int rate = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Path home = Files.createTempDirectory("lakemesh-fanout-bench");
    try (MeshNode node = MeshNode.start(ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.limits.requests-per-second", 100_000,
            "lakemesh.limits.burst", 100_000,
            "pekko.http.server.max-connections", 4096,
            // small per-subscriber buffers, so the stalled subscriber is cut off within the run
            "lakemesh.stream.buffer-messages", 64,
            "pekko.remote.artery.canonical.port", 0))
        // every subscriber is the one dev admin here: the per-caller and per-node stream caps would refuse them
        .withFallback(ConfigFactory.parseMap(Map.of("lakemesh.limits.streams-per-caller", 100_000,
            "lakemesh.limits.max-streams", 100_000)))
        .withFallback(ConfigFactory.load()))) {
      HttpClient http = HttpClient.newHttpClient();
      Result baseline = run(node, http, 1, false, rate, Math.max(5, seconds / 4));
      Result fanout = run(node, http, subscribers, true, rate, seconds);
      System.out.printf("%nWebSocket fan-out (%d commits/s, one message per commit per subscriber)%n", rate);
      System.out.printf("%-28s %8s %10s %12s %8s %8s %8s%n", "run", "subs", "messages", "messages/s", "p50 ms",
          "p99 ms", "max ms");
      for (Result r : List.of(baseline, fanout)) {
        System.out.printf("%-28s %8d %10d %12.0f %8d %8d %8d%n", r == baseline ? "baseline: 1 subscriber"
            : "fan-out (+1 stalled)", r.subscribers(), r.messages(), r.perSecond(), r.p50(), r.p99(), r.max());
      }
      System.out.printf("stalled subscriber closed by the server: %s (%d of %d still subscribed at the end)%n",
          fanout.stillSubscribed() == subscribers ? "yes" : "no", fanout.stillSubscribed(), subscribers + 1);
      System.out.printf("p99 ratio fan-out/baseline: %.2f; target p99 < 250 ms at %d messages/s: %s%n",
          fanout.p99() / (double) Math.max(1, baseline.p99()), subscribers * rate,
          fanout.p99() < 250 && fanout.perSecond() >= 0.95 * subscribers * rate ? "MET" : "MISSED");
    }
  }

  private static Result run(MeshNode node, HttpClient http, int count, boolean withStalled, int rate, int seconds)
      throws Exception {
    List<Subscriber> subs = new ArrayList<>();
    List<WebSocket> sockets = new ArrayList<>();
    String token = node.devAdminToken();
    int total = count + (withStalled ? 1 : 0);
    for (int i = 0; i < total; i++) {
      Subscriber s = new Subscriber(withStalled && i == 0);
      subs.add(s);
      sockets.add(http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
          .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort() + "/api/v1/products/" + PRODUCT + "/stream"),
              s).get(30, TimeUnit.SECONDS));
    }
    long waitUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (node.changes().subscriberCount(PRODUCT) < total && System.nanoTime() < waitUntil) {
      Thread.sleep(50);
    }
    // empty commits to the product's own table stand in for gold commits, each published with one row: the hub,
    // its snapshot order, the routes and the sockets are the real ones
    Table table = node.warehouse().catalog().loadTable(node.products().find(PRODUCT).orElseThrow().servedTable());
    Schema schema = table.schema();
    GenericRecord row = GenericRecord.create(schema);
    row.setField("day", java.time.LocalDate.now(java.time.ZoneOffset.UTC));
    row.setField("region", "NCR");
    row.setField("store_id", "S-0001");
    row.setField("category", "noodles");
    row.setField("revenue", new java.math.BigDecimal("100.00"));
    row.setField("units", 4L);
    row.setField("transactions", 1L);
    List<Record> rows = List.of(row);
    long intervalNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long next = start;
    for (int i = 0; i < rate * seconds; i++) {
      table.newAppend().commit();
      node.changes().committed(PRODUCT, table.currentSnapshot(), rows);
      next += intervalNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
      }
    }
    Thread.sleep(1000); // let the last messages arrive
    double elapsed = (System.nanoTime() - start) / 1e9;
    int stillSubscribed = node.changes().subscriberCount(PRODUCT);
    long messages = 0;
    List<Long> lags = new ArrayList<>();
    for (Subscriber s : subs) {
      if (!s.stalled) {
        messages += s.messages.get();
        lags.addAll(s.lagsMillis);
      }
    }
    for (WebSocket ws : sockets) {
      ws.abort();
    }
    long[] sorted = lags.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Result(count, elapsed, messages, messages / (elapsed - 1), percentile(sorted, 50),
        percentile(sorted, 99), sorted.length == 0 ? -1 : sorted[sorted.length - 1], stillSubscribed);
  }

  private static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }
}
