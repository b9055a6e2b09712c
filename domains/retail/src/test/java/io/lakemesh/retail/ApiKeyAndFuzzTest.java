package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.storage.TableReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service-account API keys against the real server (created and shown once, stored hashed, revoked), and a fuzz
 * of ingest bodies: no crash, no 5xx, and every accepted event accounted for in the tables.
 */
class ApiKeyAndFuzzTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path home;

  @Test
  void apiKeysAuthenticateServiceAccountsUntilRevoked() throws Exception {
    // beside the built-in retail contracts, one whose role 'auditors' has no access Lakemesh enforces (valid ODCS)
    Path contracts = Files.createDirectories(home.resolve("contracts"));
    Files.writeString(contracts.resolve("audit.odcs.yaml"), """
        apiVersion: v3.1.0
        kind: DataContract
        id: audit.checks
        version: 1.0.0
        status: active
        domain: audit
        schema:
          - name: checks
            properties:
              - {name: check_id, logicalType: string, primaryKey: true, required: true}
        roles:
          - {role: auditors, access: review}
        """);
    try (MeshNode node = MeshNode.start(NodeRequests.nodeConfig(home.resolve("node"), contracts, java.util.Map.of()))) {
      String base = "http://127.0.0.1:" + node.httpPort();
      String admin = "Bearer " + node.devAdminToken();
      HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
          .header("Authorization", admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"till-42\",\"roles\":[\"ingest\"]}")).build());
      assertEquals(201, created.statusCode(), created.body());
      assertFalse(JSON.readTree(created.body()).has("warning"), created.body());
      HttpResponse<String> idle = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
          .header("Authorization", admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"aud\",\"roles\":[\"auditors\",\"ingest\"]}"))
          .build());
      assertEquals(201, idle.statusCode(), idle.body());
      assertEquals("role(s) [auditors] grant nothing in any deployed contract (no access read, write or read-write,"
          + " no lakemeshActions): this key can do nothing through them",
          JSON.readTree(idle.body()).path("warning").asText(), idle.body());
      for (String bad : new String[] {"{\"name\":\"x\",\"roles\":[\"analyst\"],\"claims\":\"NCR\"}",
          "{\"name\":\"x\",\"roles\":[]}", "{\"name\":\"\",\"roles\":[\"ingest\"]}",
          "{\"name\":\"x\",\"roles\":[\"nosuchrole\"]}", "{\"name\":\"x\",\"roles\":[7]}",
          "{\"name\":\"x\",\"name\":\"y\",\"roles\":[\"ingest\"]}"}) {
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
            .header("Authorization", admin).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(bad)).build());
        assertEquals(400, refused.statusCode(), bad + " -> " + refused.body());
        assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
        if (bad.contains("nosuchrole")) {
          String detail = JSON.readTree(refused.body()).path("detail").asText();
          assertTrue(detail.startsWith("no contract grants the role(s) [nosuchrole]; roles that grant something: ["),
              detail);
          assertTrue(detail.contains("ingest") && !detail.contains("auditors"), detail);
        }
      }
      JsonNode key = JSON.readTree(created.body());
      String secretKey = key.get("key").asText();
      String id = key.get("id").asText();
      assertTrue(secretKey.startsWith("lmk_" + id + "_"));

      for (String wish : java.util.List.of("{\"name\":\"t\",\"roles\":[\"ingest\"],\"expires\":\"2027-01-01\"}",
          "{\"name\":\"t\",\"role\":\"admin\",\"roles\":[\"ingest\"]}")) {
        HttpResponse<String> refused = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
            .header("Authorization", admin).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(wish)).build());
        assertEquals(400, refused.statusCode(), wish + ": " + refused.body());
        assertTrue(refused.body().contains("unknown member"), refused.body());
      }
      HttpResponse<String> listed = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
          .header("Authorization", admin).build());
      assertEquals(200, listed.statusCode());
      // the secret is what follows lmk_<id>_ (base64url, so it may itself hold '_')
      assertFalse(listed.body().contains(secretKey.substring(("lmk_" + id + "_").length())),
          "the list never shows the secret");

      String event = RetailPipelineTest.sale("K-1", "S-0001", "NCR", Instant.now(), "noodles:1:1.00");
      // a misspelt or wished-for parameter is refused before anything is stored, as on every other endpoint
      for (String query : List.of("?fitler=1", "?dry-run=true")) {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(URI.create(base
            + "/api/v1/products/retail.transactions/events" + query)).header("X-API-Key", secretKey)
            .header("Content-Type", "application/x-ndjson").POST(HttpRequest.BodyPublishers.ofString(
                RetailPipelineTest.sale("K-Q", "S-0001", "NCR", Instant.now(), "noodles:1:1.00"))).build());
        assertEquals(400, unknown.statusCode(), query + ": " + unknown.body());
        assertTrue(unknown.body().contains("unknown query parameter"), unknown.body());
      }
      assertEquals(202, ingest(base, "X-API-Key", secretKey, event).statusCode());
      assertEquals(202, ingest(base, "Authorization", "ApiKey " + secretKey, event).statusCode());
      assertEquals(401, ingest(base, "X-API-Key", secretKey + "x", event).statusCode(), "wrong secret");
      HttpResponse<String> both = send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/products/retail.transactions/rows")).header("X-API-Key", secretKey).header("Authorization", admin)
          .build());
      assertEquals(401, both.statusCode(), "two identities, neither served: " + both.body());
      assertTrue(both.body().contains("send one credential, not both"), "says what to change: " + both.body());
      // the same header twice: which one counts would be a guess too (java.net.http sends a repeated header as is)
      HttpResponse<String> twice = send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/products/retail.transactions/rows")).header("Authorization", admin).header("Authorization",
          "Bearer nonsense").build());
      assertEquals(401, twice.statusCode(), twice.body());
      assertTrue(twice.body().contains("send one credential, once"), twice.body());
      HttpResponse<String> twiceListed = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
          .header("Authorization", admin).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"t2\",\"roles\":[\"ingest\",\"ingest\"]}")).build());
      assertEquals(201, twiceListed.statusCode(), twiceListed.body());
      assertEquals("[\"ingest\"]", JSON.readTree(twiceListed.body()).path("roles").toString(), twiceListed.body());
      HttpResponse<String> read = send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/products/retail.transactions/rows")).header("X-API-Key", secretKey).build());
      assertEquals(403, read.statusCode(), "an ingest key cannot read");
      HttpResponse<String> notAdmin = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys"))
          .header("X-API-Key", secretKey).build());
      assertEquals(403, notAdmin.statusCode());

      HttpResponse<String> revoked = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys/" + id))
          .header("Authorization", admin).DELETE().build());
      assertEquals(204, revoked.statusCode(), revoked.body());
      assertEquals(401, ingest(base, "X-API-Key", secretKey, event).statusCode(), "revoked");
      HttpResponse<String> one = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys/" + id))
          .header("Authorization", admin).build());
      assertEquals(200, one.statusCode(), one.body());
      assertTrue(one.body().contains("\"id\":\"" + id + "\"") && one.body().contains("\"revoked\":"), one.body());
      assertEquals(key.get("created"), JSON.readTree(one.body()).get("created"), "one instant, as created and as listed");
      assertFalse(one.body().contains(secretKey.substring(("lmk_" + id + "_").length())), "never the secret");
      assertEquals(404, send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/api-keys/nope"))
          .header("Authorization", admin).build()).statusCode());

      assertStoredOnlyHashed(node, id, secretKey.substring(("lmk_" + id + "_").length()));
    }
  }

  /**
   * "Stored hashed": the key's record holds a hash, not the secret, and the secret is nowhere in the node's data,
   * neither in any table's rows (read decoded, so Parquet's compression cannot hide it) nor in any file under its
   * home (metadata, catalog database, logs).
   */
  private void assertStoredOnlyHashed(MeshNode node, String id, String secret) throws Exception {
    Catalog catalog = node.warehouse().catalog();
    List<TableIdentifier> tables = new ArrayList<>();
    for (Namespace namespace : ((SupportsNamespaces) catalog).listNamespaces()) {
      tables.addAll(catalog.listTables(namespace));
    }
    TableIdentifier apiKeys = TableIdentifier.of("lakemesh", "api_keys");
    assertTrue(tables.contains(apiKeys), tables.toString());
    int created = 0;
    for (TableIdentifier name : tables) {
      Table table = catalog.loadTable(name);
      if (table.currentSnapshot() == null) {
        continue;
      }
      try (CloseableIterable<Record> rows = TableReader.read(table)) {
        for (Record row : rows) {
          assertFalse(String.valueOf(row).contains(secret), "the secret in " + name + ": " + row);
          if (name.equals(apiKeys) && id.equals(row.getField("key_id")) && "created".equals(row.getField("event"))) {
            created++;
            assertTrue(String.valueOf(row.getField("secret_hash")).matches("[0-9a-f]{64}"),
                "a SHA-256 in hex: " + row);
          }
        }
      }
    }
    assertEquals(1, created, "the key's record was read");
    try (Stream<Path> files = Files.walk(home)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(secret),
            "the secret in " + file);
      }
    }
  }

  @Test
  void fuzzedIngestBodiesNeverCrashAndEveryAcceptedEventIsAccountedFor() throws Exception {
    Random random = new Random(7);
    int accepted = 0;
    try (MeshNode node = MeshNode.start(RetailPipelineTest.config(home))) {
      String base = "http://127.0.0.1:" + node.httpPort();
      String token = "Bearer " + node.devAdminToken();
      String valid = RetailPipelineTest.sale("F-0", "S-0001", "NCR", Instant.now(), "noodles:2:3.50");
      for (int i = 0; i < 150; i++) {
        byte[] body = mutate(valid.replace("F-0", "F-" + i), random);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base
                + "/api/v1/products/retail.transactions/events")).header("Authorization", token)
            .header("Content-Type", random.nextBoolean() ? "application/json" : "application/x-ndjson")
            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertTrue(Set.of(202, 400, 413).contains(r.statusCode()), "status " + r.statusCode() + " for body "
            + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8) + " -> " + r.body());
        if (r.statusCode() == 202) {
          accepted += JSON.readTree(r.body()).get("accepted").asInt();
        } else {
          assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        }
      }
      assertTrue(accepted > 0, "some fuzzed bodies are still JSON objects and get accepted");
      int expected = accepted;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      JsonNode stats;
      do {
        Thread.sleep(300);
        stats = JSON.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/products/retail.transactions"))
            .header("Authorization", token).build()).body()).get("stats");
      } while ((stats.path("rows").path("bronze").asInt() < expected
          || stats.path("rows").path("silver").asInt() + stats.path("quarantined").asInt()
              + stats.path("duplicatesDropped").asInt() < expected)
          && System.nanoTime() < deadline);
      int bronze = stats.path("rows").path("bronze").asInt();
      int silver = stats.path("rows").path("silver").asInt();
      int quarantined = stats.path("quarantined").asInt();
      int duplicates = stats.path("duplicatesDropped").asInt();
      assertEquals(expected, bronze, "every accepted event is in bronze: " + stats);
      assertEquals(expected, silver + quarantined + duplicates, "and is in silver, quarantined or a duplicate: "
          + stats);
    }
  }

  /** One random mutation of a valid event: bit flips, truncation, deep nesting, huge strings, bad UTF-8, types. */
  static byte[] mutate(String event, Random random) {
    byte[] b = event.getBytes(StandardCharsets.UTF_8);
    switch (random.nextInt(9)) {
      case 0 -> {
        return b; // unchanged
      }
      case 1 -> {
        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        return b;
      }
      case 2 -> {
        return java.util.Arrays.copyOf(b, random.nextInt(b.length));
      }
      case 3 -> {
        return ("[" + "[".repeat(200) + "]".repeat(200) + "]").getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> {
        return event.replace("\"NCR\"", "\"" + "N".repeat(200_000) + "\"").getBytes(StandardCharsets.UTF_8);
      }
      case 5 -> {
        byte[] bad = java.util.Arrays.copyOf(b, b.length);
        int at = event.indexOf("NCR");
        bad[at] = (byte) 0xC3;
        bad[at + 1] = (byte) 0x28; // invalid UTF-8 sequence inside a string
        return bad;
      }
      case 6 -> {
        return event.replace("\"total_amount\":", "\"total_amount\":{\"x\":").replace(",\"items\"", "},\"items\"")
            .getBytes(StandardCharsets.UTF_8);
      }
      case 7 -> {
        return ("{\"a\":" + "{\"a\":".repeat(100) + "1" + "}".repeat(101)).getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return (event + "\n" + event.replace("NCR", "CAR")).getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  private static HttpResponse<String> ingest(String base, String header, String value, String event)
      throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + "/api/v1/products/retail.transactions/events"))
        .header(header, value).header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofString(event)).build());
  }

  private static HttpResponse<String> send(HttpRequest request) throws Exception {
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
