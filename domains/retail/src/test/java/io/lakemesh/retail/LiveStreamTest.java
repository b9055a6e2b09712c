package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live WebSocket streams with a real client: filtered changes, replay from a snapshot, gold changes, bad input. */
class LiveStreamTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;

  /** A real WebSocket client collecting the text messages it receives. */
  static final class Client implements WebSocket.Listener {
    final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    /** The server's close frame: status code and reason. */
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket socket;

    static Client connect(MeshNode node, String product, String query) throws Exception {
      Client c = new Client();
      c.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + node.devAdminToken()).buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort()
          + "/api/v1/products/" + product + "/stream" + query), c).get(10, TimeUnit.SECONDS);
      return c;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          messages.add(JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status + " " + reason);
      return null;
    }

    /** The very next message, whatever its type, which must be {@code type}: for checking a stream's exact order. */
    JsonNode expect(String type) throws InterruptedException {
      JsonNode m = messages.poll(30, TimeUnit.SECONDS);
      if (m == null) {
        throw new AssertionError("no message within 30 s, expected '" + type + "'");
      }
      assertEquals(type, m.path("type").asText(), "the next message: " + m);
      return m;
    }

    /** The next message of {@code type}, skipping any other: for streams whose other messages do not matter. */
    JsonNode next(String type) throws InterruptedException {
      while (true) {
        JsonNode m = messages.poll(30, TimeUnit.SECONDS);
        if (m == null) {
          throw new AssertionError("no '" + type + "' message within 30 s");
        }
        if (m.path("type").asText().equals(type)) {
          return m;
        }
      }
    }
  }

  static List<String> ids(JsonNode message, String field) {
    List<String> out = new ArrayList<>();
    message.path("rows").forEach(r -> out.add(r.path(field).asText()));
    return out;
  }

  @Test
  void filteredChangesReplayWithoutGapOrRepeatAndGold() throws Exception {
    try (MeshNode node = MeshNode.start(RetailPipelineTest.config(home))) {
      Instant ts = Instant.now();
      Client ncr = Client.connect(node, "retail.transactions",
          "?filter=" + URLEncoder.encode("region == 'NCR'", StandardCharsets.UTF_8));
      Client gold = Client.connect(node, "retail.daily_sales", "");
      // the filtered streams are checked message by message (expect): a skipped, repeated or extra message fails
      ncr.expect("subscribed");

      post(node, RetailPipelineTest.sale("T-1", "S-0001", "NCR", ts, "noodles:1:10.00") + "\n"
          + RetailPipelineTest.sale("T-2", "S-0002", "CAR", ts, "noodles:1:10.00") + "\n");
      JsonNode first = ncr.expect("change");
      assertEquals(List.of("T-1"), ids(first, "transaction_id"), "only rows the filter accepts");
      long firstSnapshot = first.get("snapshot").asLong();
      JsonNode goldChange = gold.next("change");
      assertTrue(goldChange.path("rows").size() >= 1, goldChange.toString());

      post(node, RetailPipelineTest.sale("T-3", "S-0001", "NCR", ts, "snacks:1:5.00") + "\n");
      assertEquals(List.of("T-3"), ids(ncr.expect("change"), "transaction_id"));

      // a late subscriber replays everything after the first snapshot, then continues live
      Client late = Client.connect(node, "retail.transactions", "?from=snapshot:" + firstSnapshot
          + "&filter=" + URLEncoder.encode("region == 'NCR'", StandardCharsets.UTF_8));
      late.expect("subscribed");
      assertEquals(List.of("T-3"), ids(late.expect("replay"), "transaction_id"), "replay: after the snapshot only");
      post(node, RetailPipelineTest.sale("T-4", "S-0001", "NCR", ts, "snacks:1:5.00") + "\n");
      assertEquals(List.of("T-4"), ids(late.expect("change"), "transaction_id"), "then live, no repeat");
      assertEquals(List.of("T-4"), ids(ncr.expect("change"), "transaction_id"));
      // a sentinel: its change must be the very next message, so nothing was queued after T-4 (no T-3 or T-4 again)
      post(node, RetailPipelineTest.sale("T-5", "S-0001", "NCR", ts, "snacks:1:5.00") + "\n");
      assertEquals(List.of("T-5"), ids(late.expect("change"), "transaction_id"), "nothing between T-4 and T-5");
      assertEquals(List.of("T-5"), ids(ncr.expect("change"), "transaction_id"), "nothing between T-4 and T-5");

      HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions/stream?filter=region%20%3D%3D"))
          .header("Authorization", "Bearer " + node.devAdminToken()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(400, bad.statusCode(), bad.body());
      // a valid request that is no WebSocket upgrade: refused, and it leaves no subscriber behind
      HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions/stream"))
          .header("Authorization", "Bearer " + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, plain.statusCode(), plain.body());
      RetailPipelineTest.await("no subscriber left by the plain GET", () ->
          node.changes().subscriberCount("retail.transactions") == 2);
      assertEquals(2, node.changes().subscriberCount("retail.transactions"), "two live transaction subscribers");
      assertTrue(node.audit().flush());
      assertTrue(node.audit().table().readAll().stream().anyMatch(e -> e.action().equals("read")
          && e.product().equals("retail.transactions")
          && e.detail().equals("stream; filter=region == 'NCR'; from=snapshot:" + firstSnapshot)),
          "a subscription is a read, in the audit trail");
      ncr.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSourceReplayHasNoRowLimitWhileACurrentStateReplaySaysWhereItStops() throws Exception {
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
        .parseMap(java.util.Map.of("lakemesh.stream.max-replay-rows", 2))
        .withFallback(RetailPipelineTest.config(home));
    try (MeshNode node = MeshNode.start(config)) {
      Instant ts = Instant.now();
      Client live = Client.connect(node, "retail.transactions", "");
      live.next("subscribed");
      post(node, RetailPipelineTest.sale("T-0", "S-0001", "NCR", ts, "noodles:1:10.00") + "\n");
      long start = live.next("change").get("snapshot").asLong();
      post(node, RetailPipelineTest.sale("T-1", "S-0001", "NCR", ts, "noodles:1:10.00") + "\n"
          + RetailPipelineTest.sale("T-2", "S-0002", "CAR", ts, "snacks:1:10.00") + "\n");
      post(node, RetailPipelineTest.sale("T-3", "S-0003", "NCR", ts, "soap:1:10.00") + "\n"
          + RetailPipelineTest.sale("T-4", "S-0004", "BARMM", ts, "rice:1:10.00") + "\n");
      post(node, RetailPipelineTest.sale("T-5", "S-0005", "NIR", ts, "eggs:1:10.00") + "\n");
      List<String> seen = new ArrayList<>();
      while (seen.size() < 5) {
        seen.addAll(ids(live.next("change"), "transaction_id"));
      }

      // five rows after the start, more than max-replay-rows: a commit-by-commit replay sends them all, then live
      Client late = Client.connect(node, "retail.transactions", "?from=snapshot:" + start);
      late.next("subscribed");
      List<String> replayed = new ArrayList<>();
      while (replayed.size() < 5) {
        JsonNode m = late.messages.poll(30, TimeUnit.SECONDS);
        assertTrue(m != null && m.path("type").asText().equals("replay"), "a replay message, not " + m);
        replayed.addAll(ids(m, "transaction_id"));
      }
      assertEquals(List.of("T-1", "T-2", "T-3", "T-4", "T-5"), replayed.stream().sorted().toList());
      post(node, RetailPipelineTest.sale("T-6", "S-0006", "NCR", ts, "milk:1:10.00") + "\n");
      JsonNode next = late.messages.poll(30, TimeUnit.SECONDS);
      assertEquals("change", next.path("type").asText(), "then live, nothing in between: " + next);
      assertEquals(List.of("T-6"), ids(next, "transaction_id"));

      // a gold product's replay is its current state, read whole: past the limit it says the state is incomplete
      RetailPipelineTest.await("gold holds more rows than max-replay-rows", () -> {
        try {
          return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
              + "/api/v1/products/retail.daily_sales/rows")).header("Authorization", "Bearer "
              + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString()).body()).size() > 2;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Client gold = Client.connect(node, "retail.daily_sales", "?from=2020-01-01T00:00:00Z");
      gold.next("subscribed");
      int rows = 0;
      JsonNode m;
      while ((m = gold.messages.poll(30, TimeUnit.SECONDS)).path("type").asText().equals("replay")) {
        rows += m.path("rows").size();
      }
      assertEquals("replay-truncated", m.path("type").asText(), m.toString());
      assertEquals(2, rows, "the first max-replay-rows rows of the state");
    }
  }

  @Test
  void aReplayThatCannotReadACommitClosesSayingWhereToResume() throws Exception {
    try (MeshNode node = MeshNode.start(RetailPipelineTest.config(home))) {
      Instant ts = Instant.now();
      Client live = Client.connect(node, "retail.transactions", "");
      live.next("subscribed");
      post(node, RetailPipelineTest.sale("R-0", "S-0001", "NCR", ts, "noodles:1:10.00") + "\n");
      long start = live.next("change").get("snapshot").asLong();
      post(node, RetailPipelineTest.sale("R-1", "S-0001", "NCR", ts, "noodles:1:10.00") + "\n");
      live.next("change");
      // the files of the commits to replay are gone (as when their snapshots expired under a long replay)
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(home.resolve("warehouse")
          .resolve("retail").resolve("transactions_silver").resolve("data"))) {
        for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
          java.nio.file.Files.delete(f);
        }
      }
      Client late = Client.connect(node, "retail.transactions", "?from=snapshot:" + start);
      late.next("subscribed");
      JsonNode closing = late.next("closing");
      assertEquals(1011, closing.path("code").asInt(), closing.toString());
      assertTrue(closing.path("detail").asText().contains("could not read snapshot"), closing.toString());
      assertTrue(late.closed.get(10, TimeUnit.SECONDS).startsWith("1011 the replay could not read snapshot"),
          late.closed.getNow(""));
      RetailPipelineTest.await("the failed subscriber is gone", () ->
          node.changes().subscriberCount("retail.transactions") == 1);
    }
  }

  @Test
  void shutdownClosesEverySubscriberWithGoingAwayAndAReason() throws Exception {
    Client client;
    try (MeshNode node = MeshNode.start(RetailPipelineTest.config(home))) {
      client = Client.connect(node, "retail.transactions", "");
      client.next("subscribed");
    }
    JsonNode last = client.next("closing");
    assertEquals(1001, last.path("code").asInt(), last.toString());
    // the close frame itself carries the code and the reason, not just the last message
    assertEquals("1001 the node is shutting down", client.closed.get(10, TimeUnit.SECONDS));
  }

  private static void post(MeshNode node, String ndjson) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + "/api/v1/products/retail.transactions/events")).header("Content-Type", "application/x-ndjson")
        .header("Authorization", "Bearer " + node.devAdminToken())
        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
  }
}
