package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.TableReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end on real parts: a real node (in-process KRaft broker, Iceberg JdbcCatalog on
 * SQLite, Pekko cluster, HTTP server on a random port), events posted over HTTP, tables read back with Iceberg's
 * own reader. Tests run in order: they share one node (and its restart) to keep the suite fast.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetailPipelineTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final String TODAY = NOW.toString().substring(0, 10);
  private static final Instant TWO_DAYS_AGO = NOW.minus(2, ChronoUnit.DAYS);

  @TempDir
  static Path home;
  static MeshNode node;

  @BeforeAll
  static void start() throws Exception {
    node = MeshNode.start(config(home));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static Config config(Path home) {
    return ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "lakemesh.http.max-body", "64KiB",
            "lakemesh.pipeline.batch-window", "200ms",
            "lakemesh.pipeline.gold-interval", "200ms",
            "lakemesh.limits.header-deadline", "3s",
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
  }

  static String sale(String id, String store, String region, Instant ts, String... lines) {
    BigDecimal total = BigDecimal.ZERO;
    List<String> items = new ArrayList<>();
    for (String line : lines) {
      String[] p = line.split(":"); // category:qty:unit_price
      BigDecimal amount = new BigDecimal(p[2]).multiply(new BigDecimal(p[1]));
      total = total.add(amount);
      items.add("{\"product_id\":\"P-" + p[0] + "\",\"product_name\":\"" + p[0] + " item\",\"brand\":\"Acme\","
          + "\"category\":\"" + p[0] + "\",\"qty\":" + p[1] + ",\"unit_price\":" + p[2] + ",\"line_amount\":"
          + amount.toPlainString() + "}");
    }
    return "{\"transaction_id\":\"" + id + "\",\"store_id\":\"" + store + "\",\"region\":\"" + region
        + "\",\"ts\":\"" + ts + "\",\"payment_method\":\"cash\",\"total_amount\":" + total.toPlainString()
        + ",\"items\":[" + String.join(",", items) + "]}";
  }

  static HttpResponse<String> post(String product, String body, String contentType) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/products/" + product + "/events"))
        .header("Content-Type", contentType).header("Authorization", "Bearer " + node.devAdminToken()).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> postEncoded(byte[] body, String contentEncoding) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/products/retail.transactions/events"))
        .header("Content-Type", "application/x-ndjson").header("Content-Encoding", contentEncoding)
        .header("Authorization", "Bearer " + node.devAdminToken())
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static byte[] gzip(byte[] plain) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
      zip.write(plain);
    }
    return out.toByteArray();
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path))
            .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Events in retail.transactions' raw topic that silver's positions do not cover yet, by the stats API. */
  static long transactionsLag() {
    try {
      return JSON.readTree(get("/api/v1/products/retail.transactions").body()).path("stats").path("lag").asLong(-1);
    } catch (Exception e) {
      throw new IllegalStateException("the stats API did not answer", e);
    }
  }

  static String base() {
    return "http://127.0.0.1:" + node.httpPort();
  }

  static List<Record> rows(Table table) throws IOException {
    table.refresh();
    List<Record> out = new ArrayList<>();
    if (table.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> it = TableReader.read(table)) {
      it.forEach(r -> out.add(r.copy()));
    }
    return out;
  }

  static Product product(String id) {
    return node.products().find(id).orElseThrow();
  }

  static Table silver() {
    return StageTables.served(node.warehouse(), product("retail.transactions"));
  }

  static Table bronze() {
    return StageTables.bronze(node.warehouse(), product("retail.transactions"));
  }

  static Table quarantine() {
    return StageTables.quarantine(node.warehouse(), product("retail.transactions"));
  }

  static Table gold() {
    return StageTables.served(node.warehouse(), product("retail.daily_sales"));
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  static int count(Table t) {
    try {
      return rows(t).size();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Gold as day|region|store|category -> revenue/units/transactions. */
  static Map<String, String> goldView() throws IOException {
    Map<String, String> view = new TreeMap<>();
    for (Record r : rows(gold())) {
      view.put(r.getField("day") + "|" + r.getField("region") + "|" + r.getField("store_id") + "|"
          + r.getField("category"), r.getField("revenue") + "/" + r.getField("units") + "/"
          + r.getField("transactions"));
    }
    return view;
  }

  static void awaitGoldCaughtUp() throws InterruptedException {
    await("gold to catch up with silver", () -> {
      Table s = silver();
      s.refresh();
      Table g = gold();
      g.refresh();
      return s.currentSnapshot() != null && g.currentSnapshot() != null
          && String.valueOf(s.currentSnapshot().snapshotId())
              .equals(g.currentSnapshot().summary().get("lakemesh.source.snapshot"));
    });
  }

  @Test
  @Order(1)
  void validDuplicateLateAndInvalidEventsLandExactly() throws Exception {
    String t1 = sale("T-1", "S-0001", "NCR", NOW, "noodles:2:15.25", "beverages:1:20.00");
    String body = "[" + String.join(",",
        t1,
        sale("T-2", "S-0001", "NCR", NOW, "noodles:1:15.25"),
        sale("T-3", "S-0002", "Region VII", TWO_DAYS_AGO, "snacks:3:10.50"),
        sale("T-4", "S-0003", "Atlantis", NOW, "snacks:1:5.00"), // unknown region
        sale("T-5", "S-0003", "NCR", NOW, "snacks:1:5.00").replace("\"total_amount\":5.00",
            "\"total_amount\":9.99")) // lines don't add up
        + "]";
    HttpResponse<String> response = post("retail.transactions", body, "application/json");
    assertEquals(202, response.statusCode(), response.body());
    assertEquals(5, JSON.readTree(response.body()).get("accepted").asInt());
    // re-sent, gzip-compressed as bulk shippers send: decoded, stored in bronze, counted once in silver
    HttpResponse<String> resent = postEncoded(gzip((t1 + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)),
        "gzip");
    assertEquals(202, resent.statusCode(), resent.body());
    assertEquals(1, JSON.readTree(resent.body()).get("accepted").asInt());

    // the re-send may form a batch of its own: wait until silver's positions cover it (lag 0), not only its rows
    await("silver and quarantine", () -> count(silver()) == 3 && count(quarantine()) == 2
        && transactionsLag() == 0);
    awaitGoldCaughtUp();
    assertEquals(6, count(bronze()));
    List<String> ids = rows(silver()).stream().map(r -> (String) r.getField("transaction_id")).sorted().toList();
    assertEquals(List.of("T-1", "T-2", "T-3"), ids);

    Map<String, List<String>> reasons = new TreeMap<>();
    for (Record q : rows(quarantine())) {
      JsonNode payload = JSON.readTree((String) q.getField("payload"));
      List<String> rules = ((List<?>) q.getField("reasons")).stream()
          .map(r -> (String) ((Record) r).getField("rule")).toList();
      reasons.put(payload.get("transaction_id").asText(), rules);
    }
    assertEquals(Map.of("T-4", List.of("region_valid"), "T-5", List.of("lines_sum_to_total")), reasons);

    String twoDaysAgo = TWO_DAYS_AGO.toString().substring(0, 10);
    assertEquals(Map.of(
        TODAY + "|NCR|S-0001|beverages", "20.00/1/1",
        TODAY + "|NCR|S-0001|noodles", "45.75/3/2",
        twoDaysAgo + "|Region VII|S-0002|snacks", "31.50/3/1"), goldView());

    JsonNode stats = JSON.readTree(get("/api/v1/products/retail.transactions").body()).get("stats");
    assertEquals(1, stats.get("duplicatesDropped").asInt());
    assertEquals(2, stats.get("quarantined").asInt());
    assertEquals(1, stats.get("ruleFailures").get("region_valid").asInt());
    // per rule passes too: every row silver kept passed every row-level rule (retail's are all error rules)
    assertEquals(3, stats.path("rulePasses").path("region_valid").asInt(), stats.toString());
    assertEquals(3, stats.path("rulePasses").path("lines_sum_to_total").asInt(), stats.toString());
    assertEquals(1, stats.path("ruleFailures").path("lines_sum_to_total").asInt(), stats.toString());
    assertTrue(!stats.path("rulePasses").has("no_negative_lines"), "a batch rule's verdicts are batchChecks: " + stats);
    assertTrue(stats.get("batchChecks").path("no_negative_lines.passed").asInt() >= 1, stats.toString());
    assertEquals(0, stats.get("batchChecks").path("no_negative_lines.failed").asInt(), stats.toString());
    assertEquals("met", stats.get("sla").get("freshness").get("status").asText(), stats.toString());

    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + node.managementPort() + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("lakemesh_rule_failures_total{major=\"1\",product=\"retail.transactions\",rule=\"region_valid\"")
        && metrics.body().contains("lakemesh_duplicates_dropped_total{major=\"1\",product=\"retail.transactions\""), metrics.body());
    assertTrue(metrics.body().contains("# TYPE lakemesh_rule_failures_total counter"), "all-time counts are counters");
    assertTrue(metrics.body().contains("lakemesh_rule_passes_total{major=\"1\",product=\"retail.transactions\",rule=\"region_valid\","
        + "service=\"lakemesh\"} 3.0"), metrics.body());
  }

  @Test
  @Order(2)
  void rowsApiFiltersSelectsAndLimits() throws Exception {
    HttpResponse<String> r = get("/api/v1/products/retail.transactions/rows?filter="
        + java.net.URLEncoder.encode("region == 'NCR' && total_amount > 20", java.nio.charset.StandardCharsets.UTF_8)
        + "&select=transaction_id,total_amount");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode rows = JSON.readTree(r.body());
    assertEquals(1, rows.size(), r.body());
    assertEquals("T-1", rows.get(0).get("transaction_id").asText());
    assertEquals(0, new BigDecimal("50.50").compareTo(rows.get(0).get("total_amount").decimalValue()));
    assertEquals(2, rows.get(0).size());

    JsonNode gold = JSON.readTree(get("/api/v1/products/retail.daily_sales/rows?filter="
        + java.net.URLEncoder.encode("day == '" + TODAY + "' && category == 'noodles'",
            java.nio.charset.StandardCharsets.UTF_8)).body());
    assertEquals(1, gold.size());
    assertEquals(2, gold.get(0).get("transactions").asInt());

    JsonNode q = JSON.readTree(get("/api/v1/products/retail.transactions/quarantine?limit=1").body());
    assertEquals(1, q.size());
    assertTrue(q.get(0).get("reasons").get(0).has("code"));
  }

  @Test
  @Order(3)
  void quarantinePagesNewestFirstAndSelectsByRuleCodeAndTime() throws Exception {
    String base = "/api/v1/products/retail.transactions/quarantine";
    List<String> all = new ArrayList<>();
    JSON.readTree(get(base + "?limit=1000").body()).forEach(e -> all.add(e.get("event_hash").asText()));
    assertTrue(all.size() >= 2, "the first test quarantined two events: " + all);
    List<String> paged = new ArrayList<>();
    String next = base + "?limit=1";
    while (next != null) {
      HttpResponse<String> page = get(next);
      assertEquals(200, page.statusCode(), page.body());
      JSON.readTree(page.body()).forEach(e -> paged.add(e.get("event_hash").asText()));
      next = page.headers().firstValue("Link").map(l -> l.substring(l.indexOf('<') + 1, l.indexOf('>'))
          .replace(base(), "")).orElse(null);
    }
    assertEquals(all, paged, "pages of one give the whole quarantine, newest first, once each");

    JsonNode byRule = JSON.readTree(get(base + "?rule=region_valid").body());
    assertEquals(1, byRule.size(), byRule.toString());
    assertTrue(byRule.get(0).get("payload").asText().contains("\"T-4\""), byRule.toString());
    assertEquals(byRule, JSON.readTree(get(base + "?rule=REGION_VALID").body()), "in any case");
    assertEquals(byRule, JSON.readTree(get(base + "?rule=region_valid:region").body()), "as stats name it");
    assertEquals(0, JSON.readTree(get(base + "?code=max_items").body()).size());
    assertProblem(get(base + "?code=no_such_code"), 400);
    assertProblem(get(base + "?rule="), 400);
    HttpResponse<String> codeAsRule = get(base + "?rule=scale");
    assertProblem(codeAsRule, 400);
    assertTrue(codeAsRule.body().contains("ask for code=scale"), codeAsRule.body());
    // a rule no event has and no contract rule or built-in check is named: a typo, not an empty page
    HttpResponse<String> typo = get(base + "?rule=region_vaild");
    assertProblem(typo, 400);
    assertTrue(typo.body().contains("the contract has no rule of that name (nor a field of that name after the"
        + " rule's): its rules are [") && typo.body().contains("region_valid"), typo.body());
    assertEquals(0, JSON.readTree(get(base + "?rule=maxItems").body()).size(), "a known check that found none");
    assertEquals(0, JSON.readTree(get(base + "?rule=region_valid&since=2100-01-01T00:00:00Z").body()).size());
    // with a field as stats name it: a known one (any index) finds none here, a misspelt one is a 400 too
    assertEquals(0, JSON.readTree(get(base + "?rule=required:items[3].qty&since=2100-01-01T00:00:00Z").body())
        .size());
    assertProblem(get(base + "?rule=required:stor_id"), 400);
    assertProblem(get(base + "?since=%2B300000-01-01T00:00:00Z"), 400);
    assertProblem(get(base + "?since=2026-11-25T00:00:00Z&until=2026-11-24T00:00:00Z"), 400);
    String cursor = get(base + "?limit=1").headers().firstValue("Link").orElseThrow();
    cursor = cursor.substring(cursor.indexOf("cursor=") + 7, cursor.indexOf('>'));
    assertProblem(get("/api/v1/products/retail.daily_sales/rows?cursor=" + cursor), 400);
    // a rows cursor belongs to its product's table: on another product it is a bad cursor, not an expired one
    String rowsLink = get("/api/v1/products/retail.transactions/rows?limit=1").headers().firstValue("Link")
        .orElseThrow();
    assertProblem(get("/api/v1/products/retail.daily_sales/rows?limit=1&cursor="
        + rowsLink.substring(rowsLink.indexOf("cursor=") + 7, rowsLink.indexOf('>'))), 400);
    assertEquals(0, JSON.readTree(get(base + "?since=2100-01-01T00:00:00Z").body()).size());
    assertEquals(all.size(), JSON.readTree(get(base + "?until=2100-01-01T00:00:00Z").body()).size());
    assertProblem(get(base + "?since=yesterday"), 400);
    assertProblem(get(base + "?cursor=bm9wZQ"), 400);
  }

  @Test
  @Order(10) // last: it commits a row of its own
  void rowsPageThroughOneSnapshotByTheNextLink() throws Exception {
    java.util.List<String> all = new java.util.ArrayList<>();
    JSON.readTree(get("/api/v1/products/retail.transactions/rows?select=transaction_id&limit=1000").body())
        .forEach(row -> all.add(row.get("transaction_id").asText()));
    assertTrue(all.size() >= 3, "enough rows for pages of one: " + all);
    java.util.List<String> paged = new java.util.ArrayList<>();
    String next = "/api/v1/products/retail.transactions/rows?select=transaction_id&limit=1";
    int pages = 0;
    while (next != null) {
      HttpResponse<String> page = get(next);
      assertEquals(200, page.statusCode(), page.body());
      JSON.readTree(page.body()).forEach(row -> paged.add(row.get("transaction_id").asText()));
      if (pages++ == 0) {
        // committed after the first page: the pages read the first page's snapshot, so it shows in none of them
        assertEquals(202, post("retail.transactions", sale("T-PAGE", "S-0009", "NCR", NOW, "noodles:1:1.00") + "\n",
            "application/x-ndjson").statusCode());
        await("T-PAGE in silver", () -> count(silver()) > all.size());
      }
      next = page.headers().firstValue("Link").map(link -> link.substring(link.indexOf('<') + 1, link.indexOf('>')))
          .orElse(null);
      if (next != null) {
        assertTrue(next.startsWith(base() + "/api/v1/"), "a link a client can follow as it is: " + next);
        next = next.substring(base().length());
      }
    }
    assertEquals(all.size(), pages, "one row a page, and no empty last page");
    assertEquals(all, paged, "every row once, in the order of one read");

    HttpResponse<String> first = get("/api/v1/products/retail.transactions/rows?select=transaction_id&limit=1");
    String link = first.headers().firstValue("Link").orElseThrow();
    String cursor = link.substring(link.indexOf("cursor=") + "cursor=".length(), link.indexOf('>'));
    assertProblem(get("/api/v1/products/retail.transactions/rows?select=region&limit=1&cursor=" + cursor), 400);
    assertProblem(get("/api/v1/products/retail.transactions/rows?cursor=not-a-cursor"), 400);
    // a client that accepts gzip gets the page compressed
    HttpResponse<byte[]> zipped = HTTP.send(HttpRequest.newBuilder(URI.create(base()
            + "/api/v1/products/retail.transactions/rows?select=transaction_id")).header("Accept-Encoding", "gzip")
        .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(zipped.headers().allValues("Vary").stream().anyMatch(v -> v.contains("Accept-Encoding")),
        "a cache keeps one answer per encoding: " + zipped.headers());
    // JSON only: a client that asks for CSV alone is told so, not sent JSON
    for (String path : List.of("rows", "quarantine")) {
      HttpResponse<String> csv = HTTP.send(HttpRequest.newBuilder(URI.create(base()
              + "/api/v1/products/retail.transactions/" + path)).header("Accept", "text/csv")
          .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertProblem(csv, 406);
      assertTrue(csv.body().contains("application/json only"), csv.body());
    }
    HttpResponse<String> anyOrJson = HTTP.send(HttpRequest.newBuilder(URI.create(base()
            + "/api/v1/products/retail.transactions/rows?limit=1")).header("Accept", "text/csv, application/json;q=0.5")
        .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, anyOrJson.statusCode(), anyOrJson.body());
    try (java.util.zip.GZIPInputStream unzipped = new java.util.zip.GZIPInputStream(
        new java.io.ByteArrayInputStream(zipped.body()))) {
      assertTrue(JSON.readTree(unzipped).isArray());
    }
    // behind a proxy that ends TLS, the next page is in the client's scheme, not the proxy's hop to the node
    for (String[] header : new String[][] {{"X-Forwarded-Proto", "https"}, {"Forwarded", "for=10.0.0.1;proto=https"}}) {
      HttpResponse<String> proxied = HTTP.send(HttpRequest.newBuilder(URI.create(base()
              + "/api/v1/products/retail.transactions/rows?select=transaction_id&limit=1")).header(header[0], header[1])
          .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertTrue(proxied.headers().firstValue("Link").orElseThrow().startsWith("<https://"), header[0]);
    }
  }

  @Test
  @Order(3)
  void badRequestsGetProblemDetails() throws Exception {
    assertProblem(post("retail.transactions", "[{\"transaction_id\": ", "application/json"), 400);
    assertProblem(post("retail.transactions", "{\"a\":1}\nnot json\n", "application/x-ndjson"), 400);
    assertProblem(post("retail.transactions", "[1, 2]", "application/json"), 400);
    assertProblem(post("retail.nope", "[]", "application/json"), 404);
    // the instance is the request's own path; an id in another case is named as the one meant
    HttpResponse<String> wrongCase = post("Retail.Transactions", "[]", "application/json");
    assertProblem(wrongCase, 404);
    assertEquals("/api/v1/products/Retail.Transactions/events", JSON.readTree(wrongCase.body()).path("instance")
        .asText(), wrongCase.body());
    assertTrue(wrongCase.body().contains("did you mean 'retail.transactions'?"), wrongCase.body());
    // and one a letter or two off (not one far from any)
    HttpResponse<String> typo = post("retail.transaction", "[]", "application/json");
    assertTrue(typo.body().contains("no data product 'retail.transaction' (did you mean 'retail.transactions'?)"),
        typo.body());
    org.junit.jupiter.api.Assertions.assertFalse(post("retail.nope", "[]", "application/json").body()
        .contains("did you mean"));
    assertProblem(post("retail.daily_sales", "[{}]", "application/json"), 405);
    assertProblem(post("retail.transactions", "[" + "{\"x\":\"" + "a".repeat(70_000) + "\"}]",
        "application/json"), 413);
    // chunked, so no Content-Length to refuse it by: the limit stops the body as it streams in
    byte[] big = ("[" + "{\"x\":\"" + "a".repeat(70_000) + "\"}]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(URI.create(base()
            + "/api/v1/products/retail.transactions/events")).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + node.devAdminToken())
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertProblem(chunked, 413);
    // compressed bodies: a gzip bomb (70 KB of JSON in a few hundred bytes) is judged by what it inflates to
    assertProblem(postEncoded(gzip(big), "gzip"), 413);
    assertProblem(postEncoded(new byte[] {1, 2, 3}, "br"), 415);
    // over the limit as sent (random bytes do not compress), with a Content-Length: 413, not "corrupt"
    byte[] noise = new byte[70_000];
    new java.util.Random(7).nextBytes(noise);
    assertProblem(postEncoded(gzip(noise), "gzip"), 413);
    HttpResponse<String> corrupt = postEncoded(java.util.Arrays.copyOf(gzip(big), 100), "gzip");
    assertProblem(corrupt, 400);
    assertTrue(corrupt.body().contains("corrupt-encoding"), corrupt.body());
    HttpResponse<String> xGzip = postEncoded(gzip("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "x-gzip");
    assertEquals(202, xGzip.statusCode(), "x-gzip is gzip (RFC 9110): " + xGzip.body());
    HttpResponse<String> twice = postEncoded(gzip(gzip("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        "gzip, gzip");
    assertProblem(twice, 415);
    assertTrue(twice.body().contains("lists several codings"), twice.body());
    // identity is no coding, wherever it is listed
    assertEquals(202, postEncoded(gzip("[]".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "identity, gzip")
        .statusCode());
    // a UTF-16 body (no byte order mark, as .NET's Encoding.Unicode writes) is named, not a server error
    HttpResponse<String> utf16 = postEncoded("[{}]".getBytes(java.nio.charset.StandardCharsets.UTF_16LE),
        "identity");
    assertProblem(utf16, 400);
    assertTrue(utf16.body().contains("not UTF-8"), utf16.body());
    HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create(base()
        + "/api/v1/products/retail.transactions/rows")).header("Authorization", "Bearer " + node.devAdminToken())
        .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(put, 405);
    assertEquals("GET, HEAD", put.headers().firstValue("Allow").orElse(""), "HEAD is answered where GET is");
    // a trailing slash names the same resource on every path
    assertEquals(200, get("/api/v1/products/retail.transactions/rows/?limit=1").statusCode());
    assertProblem(get("/api/v1/products/retail.transactions/rows?filter=region%20%3D%3D"), 400);
    assertProblem(get("/api/v1/products/retail.transactions/rows?filter=nosuch%20%3E%201"), 400);
    // a bare '+' reached the filter as a space: the refusal says so
    HttpResponse<String> plus = get("/api/v1/products/retail.transactions/rows?filter=ts%20%3E%20timestamp(%22"
        + "2026-11-25T08:00:00+08:00%22)");
    assertProblem(plus, 400);
    assertTrue(plus.body().contains("write it as %2B"), plus.body());
    assertProblem(get("/api/v1/products/retail.transactions/rows?select=nosuch"), 400);
    assertProblem(get("/api/v1/products/retail.transactions/rows?limit=many"), 400);
    assertProblem(get("/api/v1/nothing-here"), 404);
    assertEquals(3, count(silver()), "refused bodies must not reach the pipeline");
  }

  @Test
  @Order(4)
  void aRestartLosesNothingAndCountsNothingTwice() throws Exception {
    node.close();
    node = MeshNode.start(config(home));
    // before any commit on the new node, each worker shows its partition's last commit as silver records it
    JsonNode pipeline = JSON.readTree(get("/api/v1/products/retail.transactions").body()).path("stats")
        .path("pipeline");
    long withCommit = java.util.stream.StreamSupport.stream(pipeline.path("workers").spliterator(), false)
        .filter(w -> w.path("lastCommit").isTextual()).count();
    assertTrue(withCommit >= 1, "the partitions that committed before the restart say when: " + pipeline);
    // a gold worker too: its table's last commit, the time the product's stats give
    JsonNode gold = readStats("retail.daily_sales");
    assertTrue(gold.path("lastCommit").isTextual(), gold.toString());
    assertEquals(gold.path("lastCommit").asText(), gold.path("pipeline").path("workers").path(0).path("lastCommit")
        .asText(), "gold's worker before its first commit on the new node: " + gold);
    // ...and so does the management listing of the products
    JsonNode listed = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.managementPort() + "/lakemesh/products")).header("Authorization", "Bearer " + node.devAdminToken())
        .build(), HttpResponse.BodyHandlers.ofString()).body());
    JsonNode transactions = java.util.stream.StreamSupport.stream(listed.spliterator(), false)
        .filter(p -> p.path("id").asText().equals("retail.transactions")).findFirst().orElseThrow();
    assertTrue(java.util.stream.StreamSupport.stream(transactions.path("workers").spliterator(), false)
        .filter(w -> w.path("lastCommit").isTextual()).count() >= withCommit, transactions.toString());
    String body = String.join("\n",
        sale("T-2", "S-0001", "NCR", NOW, "noodles:1:15.25"), // re-sent after the restart
        sale("T-6", "S-0001", "NCR", TWO_DAYS_AGO, "noodles:4:10.00")) // late: updates its day
        + "\n";
    HttpResponse<String> response = post("retail.transactions", body, "application/x-ndjson");
    assertEquals(202, response.statusCode(), response.body());
    await("silver after restart", () -> count(silver()) == 4);
    awaitGoldCaughtUp();
    assertEquals(8, count(bronze()));
    assertEquals(2, count(quarantine()));
    String twoDaysAgo = TWO_DAYS_AGO.toString().substring(0, 10);
    assertEquals(Map.of(
        TODAY + "|NCR|S-0001|beverages", "20.00/1/1",
        TODAY + "|NCR|S-0001|noodles", "45.75/3/2",
        twoDaysAgo + "|NCR|S-0001|noodles", "40.00/4/1",
        twoDaysAgo + "|Region VII|S-0002|snacks", "31.50/3/1"), goldView());
    JsonNode stats = JSON.readTree(get("/api/v1/products/retail.transactions").body()).get("stats");
    assertEquals(2, stats.get("duplicatesDropped").asInt());
    // a commit has one time: the worker that made it shows the time the table records, as the product does
    for (String product : List.of("retail.transactions", "retail.daily_sales")) {
      await(product + "'s last commit, the same in its stats and its worker's", () -> {
        JsonNode s = readStats(product);
        return java.util.stream.StreamSupport.stream(s.path("pipeline").path("workers").spliterator(), false)
            .anyMatch(w -> w.path("lastCommit").asText().equals(s.path("lastCommit").asText()));
      });
    }
  }

  private static JsonNode readStats(String product) {
    try {
      return JSON.readTree(get("/api/v1/products/" + product).body()).get("stats");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @Order(5)
  void managementShowsMembersShardsAndPausesAndResumesAProduct() throws Exception {
    String mgmt = "http://127.0.0.1:" + node.managementPort();
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/cluster/members"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode(), "cluster administration needs a token");
    String admin = "Bearer " + node.devAdminToken();
    JsonNode members = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/cluster/members"))
        .header("Authorization", admin).build(), HttpResponse.BodyHandlers.ofString()).body());
    JsonNode self = members.get("members").get(0);
    assertEquals("Up", self.get("status").asText(), members.toString());
    // a worker named with a stray space is no worker, said in those words
    HttpResponse<String> stray = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/lakemesh/rebalance"))
        .header("Authorization", admin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"retail.transactions#0 \": \"" + self.get("node").asText()
            + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, stray.statusCode(), stray.body());
    assertTrue(stray.body().contains("no product worker 'retail.transactions#0 '"), stray.body());
    assertTrue(self.get("roles").toString().contains("domain-retail"), members.toString());
    HttpResponse<String> shards = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "/cluster/shards/DataProduct-retail")).header("Authorization", admin).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, shards.statusCode(), shards.body());
    assertTrue(shards.body().contains("regions") && shards.body().contains("numEntities"), shards.body());

    JsonNode products = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/lakemesh/products"))
        .header("Authorization", admin).build(), HttpResponse.BodyHandlers.ofString()).body());
    assertEquals(2, products.size(), products.toString());
    JsonNode transactions = java.util.stream.StreamSupport.stream(products.spliterator(), false)
        .filter(p -> p.get("id").asText().equals("retail.transactions")).findFirst().orElseThrow();
    assertEquals(3, transactions.get("workers").size(), "one worker per Kafka partition: " + products);
    for (JsonNode w : transactions.get("workers")) {
      assertTrue(w.get("node").asText().startsWith("pekko://lakemesh@"), products.toString());
      assertEquals("running", w.get("state").asText(), products.toString());
    }

    HttpResponse<String> paused = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "/lakemesh/products/retail.transactions/pause")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, paused.statusCode(), paused.body());
    await("paused", () -> java.util.stream.IntStream.range(0, 3).allMatch(p ->
        node.progress().state("retail.transactions#" + p).state().equals("paused")));
    HttpResponse<String> readyWhilePaused = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + "/ready")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, readyWhilePaused.statusCode(), "a paused product does not take the node out of service");
    assertEquals("true", silver().properties().get("lakemesh.paused"),
        "the pause is kept on the table: a worker that moves or restarts stays paused");
    int before = count(silver());
    HttpResponse<String> response = post("retail.transactions",
        sale("T-7", "S-0009", "NCR", NOW, "noodles:1:1.00") + "\n", "application/x-ndjson");
    assertEquals(202, response.statusCode(), "ingest stays open while paused: events wait in Kafka");
    Thread.sleep(1500);
    assertEquals(before, count(silver()), "nothing is committed while paused");
    HttpResponse<String> resumed = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "/lakemesh/products/retail.transactions/resume")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, resumed.statusCode(), resumed.body());
    await("resumed and caught up", () -> count(silver()) == before + 1);
    assertEquals(null, silver().properties().get("lakemesh.paused"));
    // refused actions are denials with their status, not actions done; a refused token on this port is one too
    HttpResponse<String> nothingHalted = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "/lakemesh/products/retail.transactions/resume?quarantine-batch=true")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(409, nothingHalted.statusCode(), nothingHalted.body());
    HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "/lakemesh/products/retail.transactions/pause")).header("Authorization", "Bearer forged")
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, forged.statusCode(), forged.body());
    assertTrue(node.audit().flush());
    List<io.lakemesh.runtime.security.audit.AuditEntry> trail = node.audit().table().readAll();
    for (String outcome : List.of("requested", "ok")) {
      assertTrue(trail.stream().anyMatch(e -> e.action().equals("admin") && e.outcome().equals(outcome)
          && e.detail().equals("POST /lakemesh/products/retail.transactions/pause")), "operator actions are audited"
          + " before they run and with their outcome: " + outcome);
    }
    assertTrue(trail.stream().anyMatch(e -> e.action().equals("denied") && e.outcome().equals("409")
        && e.detail().equals("POST /lakemesh/products/retail.transactions/resume")), trail.toString());
    assertTrue(trail.stream().noneMatch(e -> e.action().equals("admin") && e.detail().contains("quarantine-batch")
        && e.outcome().equals("ok")), "a refused action is not recorded as done");
    assertTrue(trail.stream().anyMatch(e -> e.action().equals("denied") && e.outcome().equals("401")
        && e.principal().equals("anonymous") && e.detail().equals("POST /lakemesh/products/retail.transactions/pause")),
        "the management port's refusals are audited");
  }

  @Test
  @Order(7)
  void replayRecomputesGoldFromSilverWithoutDoubleCounting() throws Exception {
    awaitGoldCaughtUp();
    // the aggregates of the valid sales so far, by hand: T-1..T-3 (Order 1), T-6 (Order 4), T-7 (Order 5)
    String twoDaysAgo = TWO_DAYS_AGO.toString().substring(0, 10);
    Map<String, String> expected = Map.of(
        TODAY + "|NCR|S-0001|beverages", "20.00/1/1",
        TODAY + "|NCR|S-0001|noodles", "45.75/3/2",
        TODAY + "|NCR|S-0009|noodles", "1.00/1/1",
        twoDaysAgo + "|NCR|S-0001|noodles", "40.00/4/1",
        twoDaysAgo + "|Region VII|S-0002|snacks", "31.50/3/1");
    assertEquals(expected, goldView(), "before the replay");
    Table goldTable = gold();
    goldTable.refresh();
    long goldBefore = goldTable.currentSnapshot().snapshotId();
    String mgmt = "http://127.0.0.1:" + node.managementPort() + "/lakemesh/products/";
    String admin = "Bearer " + node.devAdminToken();
    HttpResponse<String> replayed = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "retail.daily_sales/replay?from=beginning")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, replayed.statusCode(), replayed.body());
    JsonNode outcome = JSON.readTree(replayed.body());
    assertEquals(expected.size(), outcome.get("rowsWritten").asInt(), replayed.body());
    assertTrue(outcome.get("partitionsRewritten").asInt() >= 2, "today and two days ago: " + replayed.body());
    // the replay really rewrote gold (a replay that did nothing would leave the same, correct, table behind)
    goldTable.refresh();
    org.apache.iceberg.Snapshot rewritten = goldTable.currentSnapshot();
    assertTrue(rewritten.snapshotId() != goldBefore, "the replay commits to gold");
    assertEquals(Integer.toString(expected.size()), rewritten.summary().get("added-records"),
        "every row written anew: " + rewritten.summary());
    assertEquals(expected, goldView(), "recomputed from all of silver: the same aggregates, nothing doubled");

    // a source product replays its raw log through the same contract: nothing new is valid, nothing is added
    int silverBefore = count(silver());
    HttpResponse<String> source = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "retail.transactions/replay?from=beginning")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, source.statusCode(), source.body());
    JsonNode sourceOutcome = JSON.readTree(source.body());
    assertTrue(sourceOutcome.get("recordsRead").asInt() > silverBefore, source.body());
    assertEquals(0, sourceOutcome.get("addedToSilver").asInt(), source.body());
    assertEquals(silverBefore, count(silver()));
    HttpResponse<String> badFrom = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "retail.daily_sales/replay?from=yesterday")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(badFrom, 400);
    assertTrue(badFrom.body().contains("ISO-8601"), badFrom.body());
    HttpResponse<String> noFrom = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt
        + "retail.daily_sales/replay")).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(noFrom, 400);
    assertTrue(noFrom.body().contains("a replay needs from"), noFrom.body());
    for (String product : List.of("retail.daily_sales", "retail.transactions")) {
      HttpResponse<String> future = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + product
          + "/replay?from=2999-01-01T00:00:00Z")).header("Authorization", admin)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertProblem(future, 400);
      assertTrue(future.body().contains("in the future"), future.body());
    }
    await("gold running again after the replay", () -> node.progress().state("retail.daily_sales").state()
        .equals("running"));
  }

  @Test
  @Order(8)
  void rebalancePlacesEveryWorkerAndRefusesUnknownNodes() throws Exception {
    String url = "http://127.0.0.1:" + node.managementPort() + "/lakemesh/rebalance";
    String admin = "Bearer " + node.devAdminToken();
    HttpResponse<String> dealt = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(202, dealt.statusCode(), dealt.body());
    JsonNode placement = JSON.readTree(dealt.body()).get("placement");
    assertEquals(4, placement.size(), "3 partition workers and the gold worker: " + dealt.body());
    String self = placement.get("retail.transactions#0").asText();
    assertTrue(self.startsWith("pekko://lakemesh@"), dealt.body());

    HttpResponse<String> moved = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", admin)
        .POST(HttpRequest.BodyPublishers.ofString("{\"retail.transactions#1\": \"" + self + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(202, moved.statusCode(), moved.body());
    HttpResponse<String> nowhere = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", admin).POST(HttpRequest.BodyPublishers.ofString(
            "{\"retail.transactions#1\": \"pekko://lakemesh@10.9.9.9:1\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertProblem(nowhere, 400);
    assertTrue(nowhere.body().contains("not an Up member"), nowhere.body());
    HttpResponse<String> noWorker = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", admin).POST(HttpRequest.BodyPublishers.ofString(
            "{\"retail.transactions#7\": \"" + self + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(noWorker, 400);
    HttpResponse<String> typo = HTTP.send(HttpRequest.newBuilder(URI.create(url + "?dry=1"))
        .header("Authorization", admin).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertProblem(typo, 400);
    HttpResponse<String> get = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", admin)
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertProblem(get, 405);
    assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
    HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());
    // what is read with GET answers another method with a 405, token or not (the probes and scrape are open)
    String port = "http://127.0.0.1:" + node.managementPort();
    for (String path : List.of("/metrics", "/ready", "/alive", "/lakemesh/products")) {
      for (String token : java.util.Arrays.asList(null, admin)) {
        HttpRequest.Builder wrong = HttpRequest.newBuilder(URI.create(port + path))
            .method("DELETE", HttpRequest.BodyPublishers.noBody());
        if (token != null) {
          wrong.header("Authorization", token);
        }
        HttpResponse<String> refused = HTTP.send(wrong.build(), HttpResponse.BodyHandlers.ofString());
        if (token == null && path.startsWith("/lakemesh")) {
          assertEquals(401, refused.statusCode(), path); // the port's own resources need a token first
          continue;
        }
        assertProblem(refused, 405);
        assertEquals("GET, HEAD", refused.headers().firstValue("Allow").orElse(""), path);
      }
    }
  }

  @Test
  @Order(6)
  void aSlowLorisClientIsDisconnected() throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(15_000);
      var out = socket.getOutputStream();
      out.write("GET /alive HTTP/1.1\r\nHost: localhost\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      boolean closed = false;
      java.io.ByteArrayOutputStream answered = new java.io.ByteArrayOutputStream();
      // trickle one header byte a second, never finishing the headers
      for (int i = 0; i < 12 && !closed; i++) {
        try {
          out.write('X');
          out.flush();
          Thread.sleep(1000);
          socket.setSoTimeout(1);
          try {
            int b;
            while ((b = socket.getInputStream().read()) != -1) {
              answered.write(b);
            }
            closed = true;
          } catch (java.net.SocketTimeoutException stillOpen) {
            // nothing to read yet: the server still holds the connection
          } finally {
            socket.setSoTimeout(15_000);
          }
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      long seconds = (System.nanoTime() - start) / 1_000_000_000L;
      assertTrue(closed, "the server must close a connection whose headers never complete");
      assertTrue(seconds <= 8, "closed after " + seconds + " s; the header deadline is 3 s");
      // closed, not answered as if the server had failed (a 500 and an error logged per such connection)
      assertEquals("", answered.toString(java.nio.charset.StandardCharsets.US_ASCII));
    }
    assertEquals(200, get("/alive").statusCode(), "other clients are served as usual");
  }

  @Test
  @Order(9)
  void concurrentScrapesAllAnswer() throws Exception {
    String metrics = "http://127.0.0.1:" + node.managementPort() + "/metrics";
    java.util.concurrent.ExecutorService scrapers = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        answers.add(scrapers.submit(() -> HTTP.send(HttpRequest.newBuilder(URI.create(metrics)).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode()));
      }
      for (java.util.concurrent.Future<Integer> answer : answers) {
        assertEquals(200, answer.get(60, java.util.concurrent.TimeUnit.SECONDS), "a scrape beside others");
      }
    } finally {
      scrapers.shutdownNow();
    }
  }

  @Test
  @Order(9)
  void probesCatalogAndMetricsRefuseUnknownParameters() throws Exception {
    for (String path : List.of("/alive?x=1", "/ready?x=1", "/api/v1/products?fitler=x",
        "/api/v1/products/retail.transactions?x=1", "/api/v1/audit?limit=1&fitler=x", "/api/v1/audit?limit=1&limit=2",
        "/api/v1/admin/api-keys?fitler=x")) {
      HttpResponse<String> r = get(path);
      assertProblem(r, 400);
      assertTrue(r.body().contains("unknown query parameter") || r.body().contains("is given 2 times"),
          path + ": " + r.body());
    }
    // a percent-encoded byte that is no UTF-8 would reach the filter as U+FFFD: refused, not answered
    HttpResponse<String> latin1 = get("/api/v1/products/retail.transactions/rows?filter=region%20==%20%22%FF%22");
    assertProblem(latin1, 400);
    assertTrue(latin1.body().contains("query parameter 'filter' is not UTF-8 text once percent-decoded"),
        latin1.body());
    assertEquals(200, get("/api/v1/products/retail.transactions/rows?filter=region%20==%20%22%C3%A9%22").statusCode(),
        "UTF-8 bytes, percent-encoded, are text");
    // load balancers and uptime checkers probe with HEAD
    for (String port : List.of(base(), "http://127.0.0.1:" + node.managementPort())) {
      HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(port + "/ready"))
          .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, head.statusCode(), port + ": " + head.body());
      assertEquals("", head.body());
    }
    HttpResponse<String> badPath = get("/api/v1/products/retail.%FFtransactions/rows");
    assertProblem(badPath, 400);
    assertTrue(badPath.body().contains("the path is not UTF-8 text once percent-decoded"), badPath.body());
    assertProblem(get("/api/v1/products/retail.%C3%A9/rows"), 404);
    // a filter that fails on every row says why, however often it is asked (the JIT drops the JVM's own text)
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> divides = get("/api/v1/products/retail.transactions/rows?filter="
          + "size(store_id)%20/%200%20%3E%201");
      assertProblem(divides, 400);
      assertTrue(divides.body().contains("<input>:1:16: division by zero | size(store_id) / 0 > 1 |"), divides.body());
    }
    String mgmt = "http://127.0.0.1:" + node.managementPort();
    for (String path : List.of("/metrics?x=1", "/ready?x=1", "/lakemesh/products?x=1")) {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(mgmt + path))
          .header("Authorization", "Bearer " + node.devAdminToken()).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertProblem(r, 400);
    }
    assertEquals(200, get("/ready").statusCode());
  }

  private static void assertProblem(HttpResponse<String> response, int status) throws IOException {
    assertEquals(status, response.statusCode(), response.body());
    assertEquals("application/problem+json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode problem = JSON.readTree(response.body());
    assertEquals(status, problem.get("status").asInt());
    assertTrue(problem.get("detail").asText().length() > 5);
    assertTrue(!response.body().contains("Exception") && !response.body().contains("\tat "), response.body());
  }
}
