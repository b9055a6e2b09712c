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

      // a filter that fails on some rows says so once per subscription: in the replay, and not again live
      Client failing = Client.connect(node, "retail.transactions", "?from=snapshot:" + firstSnapshot + "&filter="
          + URLEncoder.encode("size(store_id) / (size(region) - 3) >= 0", StandardCharsets.UTF_8));
      failing.expect("subscribed");
      assertTrue(failing.expect("filter_error").path("detail").asText().contains("division by zero"));
      post(node, RetailPipelineTest.sale("T-6", "S-0001", "NCR", ts, "snacks:1:5.00") + "\n");
      assertEquals(List.of("T-6"), ids(ncr.expect("change"), "transaction_id"));
      assertEquals(List.of("T-6"), ids(late.expect("change"), "transaction_id"));
      post(node, RetailPipelineTest.sale("T-7", "S-0002", "Region VII", ts, "snacks:1:5.00") + "\n");
      assertEquals(List.of("T-7"), ids(failing.expect("change"), "transaction_id"), "no second filter_error");
      failing.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);

      // a '+' of an offset, unescaped, reads as a space: the refusal says to write %2B
      HttpResponse<String> plus = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions/stream?from=2026-11-27T06:43:00+08:00"))
          .header("Authorization", "Bearer " + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(400, plus.statusCode(), plus.body());
      assertTrue(plus.body().contains("write it as %2B"), plus.body());

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
      // from=beginning, as the replay endpoint takes it: everything kept, as from a time before it
      Client all = Client.connect(node, "retail.daily_sales", "?from=beginning");
      all.next("subscribed");
      int fromBeginning = 0;
      while ((m = all.messages.poll(30, TimeUnit.SECONDS)).path("type").asText().equals("replay")) {
        fromBeginning += m.path("rows").size();
      }
      assertEquals("replay-truncated", m.path("type").asText(), m.toString());
      assertEquals(2, fromBeginning);
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

  @Test
  void aCallerHoldsAtMostItsShareOfStreamsAndGetsAPlaceBackWhenOneCloses() throws Exception {
    com.typesafe.config.Config config = RetailPipelineTest.config(home).withValue("lakemesh.limits.streams-per-caller",
        com.typesafe.config.ConfigValueFactory.fromAnyRef(2));
    try (MeshNode node = MeshNode.start(config)) {
      Client first = Client.connect(node, "retail.transactions", "");
      first.next("subscribed");
      Client second = Client.connect(node, "retail.daily_sales", "");
      second.next("subscribed");
      java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.ExecutionException.class, () -> Client.connect(node, "retail.transactions", ""));
      HttpResponse<?> handshake = ((java.net.http.WebSocketHandshakeException) refused.getCause()).getResponse();
      assertEquals(429, handshake.statusCode());
      assertTrue(String.valueOf(handshake.body()).contains("problems/too-many-streams"), String.valueOf(
          handshake.body()));
      assertEquals("30", handshake.headers().firstValue("Retry-After").orElse(""),
          "a second later the count is the same: " + handshake.headers());
      // a closed stream gives its place back
      first.socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
      Client third = null;
      while (third == null) {
        try {
          third = Client.connect(node, "retail.transactions", "");
        } catch (java.util.concurrent.ExecutionException stillCounted) {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("the closed stream's place never came back", stillCounted);
          }
          Thread.sleep(100);
        }
      }
      third.next("subscribed");
    }
  }

  @Test
  void aSubscriptionEndsWhenItsKeyIsRevokedOrItsTokenExpires() throws Exception {
    com.typesafe.config.Config config = RetailPipelineTest.config(home).withValue("lakemesh.security.clock-skew",
        com.typesafe.config.ConfigValueFactory.fromAnyRef("1s"));
    try (MeshNode node = MeshNode.start(config)) {
      HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + node.httpPort() + "/api/v1/admin/api-keys"))
          .header("Authorization", "Bearer " + node.devAdminToken()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"wall\",\"roles\":[\"admin\"]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());
      JsonNode key = JSON.readTree(created.body());
      Client byKey = new Client();
      byKey.socket = HTTP.newWebSocketBuilder().header("X-API-Key", key.get("key").asText())
          .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/stream"),
              byKey).get(10, TimeUnit.SECONDS);
      byKey.next("subscribed");
      // a browser's WebSocket cannot set headers: the key comes as access_token, on a stream's upgrade only
      Client browser = new Client();
      browser.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort()
          + "/api/v1/products/retail.transactions/stream?access_token=" + key.get("key").asText()), browser)
          .get(10, TimeUnit.SECONDS);
      browser.next("subscribed");
      HttpResponse<String> notUpgrade = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/retail.transactions/rows?access_token=" + key.get("key").asText()))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, notUpgrade.statusCode(), "a token in a URL is taken from a stream's upgrade only: "
          + notUpgrade.body());
      // a credential in a header and in access_token: which would count is no guess to make
      java.util.concurrent.CompletionException both = org.junit.jupiter.api.Assertions.assertThrows(
          java.util.concurrent.CompletionException.class, () -> HTTP.newWebSocketBuilder()
              .header("Authorization", "Bearer " + node.devAdminToken())
              .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort()
                  + "/api/v1/products/retail.transactions/stream?access_token=junk"), new Client()).join());
      assertTrue(both.getCause() instanceof java.net.http.WebSocketHandshakeException
          && ((java.net.http.WebSocketHandshakeException) both.getCause()).getResponse().statusCode() == 400,
          String.valueOf(both.getCause()));
      String shortLived = io.lakemesh.runtime.security.DevKeys.load(home, node.security()).orElseThrow()
          .mint("wall-2", List.of("admin"), java.util.Map.of(), java.time.Duration.ofSeconds(2));
      Client byToken = new Client();
      byToken.socket = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + shortLived)
          .buildAsync(URI.create("ws://127.0.0.1:" + node.httpPort() + "/api/v1/products/retail.transactions/stream"),
              byToken).get(10, TimeUnit.SECONDS);
      byToken.next("subscribed");

      HttpResponse<String> revoked = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + node.httpPort() + "/api/v1/admin/api-keys/" + key.get("id").asText()))
          .header("Authorization", "Bearer " + node.devAdminToken()).DELETE().build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(revoked.statusCode() / 100 == 2, revoked.body());
      JsonNode closing = byKey.next("closing");
      assertEquals(1008, closing.path("code").asInt(), closing.toString());
      assertTrue(byKey.closed.get(10, TimeUnit.SECONDS).startsWith("1008 API key " + key.get("id").asText()
          + " was revoked"), byKey.closed.getNow(""));
      assertEquals(1008, browser.next("closing").path("code").asInt());
      // the token: past its exp and the 1 s of skew tolerated
      closing = byToken.next("closing");
      assertEquals(1008, closing.path("code").asInt(), closing.toString());
      assertTrue(closing.path("detail").asText().startsWith("the token expired at "), closing.toString());
      RetailPipelineTest.await("both subscribers are gone", () ->
          node.changes().subscriberCount("retail.transactions") == 0);
    }
  }

  @Test
  void aSnapshotKeptWhileTheCommitsAfterItExpiredIsRefused() throws Exception {
    com.typesafe.config.Config config = RetailPipelineTest.config(home)
        .withValue("lakemesh.pipeline.snapshot-retention.max-age",
            com.typesafe.config.ConfigValueFactory.fromAnyRef("1s"))
        .withValue("lakemesh.pipeline.snapshot-retention.retain-last",
            com.typesafe.config.ConfigValueFactory.fromAnyRef(1))
        .withValue("lakemesh.pipeline.snapshot-retention.every",
            com.typesafe.config.ConfigValueFactory.fromAnyRef("1s"));
    try (MeshNode node = MeshNode.start(config)) {
      Instant ts = Instant.now();
      Client live = Client.connect(node, "retail.transactions", "");
      live.next("subscribed");
      // one commit of partition 0, then commits of partition 1 only: partition 0's tag keeps the first snapshot
      // while the commits after it expire
      post(node, RetailPipelineTest.sale(idOfPartition(0, 0), "S-0001", "NCR", ts, "noodles:1:10.00") + "\n");
      String kept = live.next("change").get("snapshot").asText();
      String refusal = "";
      for (int i = 1; i < 60 && !refusal.contains("history after snapshot"); i++) {
        Thread.sleep(500);
        post(node, RetailPipelineTest.sale(idOfPartition(1, i), "S-0001", "NCR", ts, "noodles:1:10.00") + "\n");
        live.next("change");
        // a plain GET is answered 400 either way: "not a WebSocket request" while the replay could run
        refusal = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + "/api/v1/products/retail.transactions/stream?from=snapshot:" + kept))
            .header("Authorization", "Bearer " + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString())
            .body();
      }
      assertTrue(refusal.contains("the history after snapshot " + kept + " of retail.transactions has expired")
          && refusal.contains("reconnect with from=<the time of the last change received>"), refusal);
    }
  }

  /** A transaction id the ingest endpoint routes to raw partition {@code partition} of 3 (Kafka's key hash). */
  private static String idOfPartition(int partition, int from) {
    for (int i = from * 1000; ; i++) {
      byte[] key = ("P-" + i).getBytes(StandardCharsets.UTF_8);
      if (org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(key)) % 3
          == partition) {
        return "P-" + i;
      }
    }
  }

  private static void post(MeshNode node, String ndjson) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort()
            + "/api/v1/products/retail.transactions/events")).header("Content-Type", "application/x-ndjson")
        .header("Authorization", "Bearer " + node.devAdminToken())
        .POST(HttpRequest.BodyPublishers.ofString(ndjson)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, r.statusCode(), r.body());
  }
}
