package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.security.audit.AuditEntry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A contract role granted {@code admin} administers that product on the management port (pause, resume, replay),
 * and nothing else: not another product, not the cluster. Against a real node over HTTP.
 */
class ProductAdminTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path home;
  @TempDir
  static Path contracts;
  static MeshNode node;
  static Tokens tokens;

  /** A source product; {@code roles} is the contract's roles block. */
  static String contract(String name, String roles) {
    return """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.%s
        name: %s
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: %s
            properties:
              - name: id
                logicalType: string
                required: true
                primaryKey: true
        roles:
        %s
        """.formatted(name, name, name, roles);
  }

  @BeforeAll
  static void start() throws Exception {
    // orders_admin administers shop.orders; on shop.refunds the same role only reads
    Files.writeString(contracts.resolve("orders.odcs.yaml"), contract("orders", """
          - role: orders_admin
            access: read-write
            customProperties:
              - property: lakemeshActions
                value: [read, ingest, admin]
          - role: orders_reader
            access: read
        """));
    Files.writeString(contracts.resolve("refunds.odcs.yaml"), contract("refunds", """
          - role: orders_admin
            access: read
        """));
    node = MeshNode.start(NodeRequests.nodeConfig(home.resolve("node"), contracts, Map.of(
        "lakemesh.builtin-contracts", false, "lakemesh.pipeline.batch-window", "200ms")));
    tokens = new Tokens(home.resolve("node"));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  static String bearer(String subject, String... roles) throws Exception {
    return "Bearer " + tokens.with(b -> b.subject(subject), roles);
  }

  static HttpResponse<String> mgmt(String method, String path, String authorization, String form)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.managementPort() + path))
        .timeout(Duration.ofSeconds(60));
    if (authorization.startsWith("lmk_")) {
      b.header("X-API-Key", authorization);
    } else {
      b.header("Authorization", authorization);
    }
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded");
    }
    b.method(method, form == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(form));
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts a 403 problem whose detail contains {@code why}. */
  static void assertForbidden(HttpResponse<String> r, String why) throws Exception {
    assertEquals(403, r.statusCode(), r.request().method() + " " + r.request().uri() + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        r.headers().toString());
    String detail = JSON.readTree(r.body()).path("detail").asText();
    assertTrue(detail.contains(why), r.request().uri() + ": " + detail);
  }

  @Test
  void aProductAdminPausesResumesAndReplaysItsProductAndIsAudited() throws Exception {
    String boss = bearer("boss", "orders_admin");
    NodeRequests.postNdjson(node, "shop.orders", "{\"id\":\"O-1\"}\n");
    NodeRequests.awaitStats(node, "shop.orders", s -> s.path("rows").path("silver").asLong() == 1);

    HttpResponse<String> paused = mgmt("POST", "/lakemesh/products/shop.orders/pause", boss, null);
    assertEquals(202, paused.statusCode(), paused.body());
    HttpResponse<String> resumed = mgmt("POST", "/lakemesh/products/shop.orders/resume", boss, null);
    assertEquals(202, resumed.statusCode(), resumed.body());
    HttpResponse<String> replayed = mgmt("POST", "/lakemesh/products/shop.orders/replay?from=beginning", boss, null);
    assertEquals(200, replayed.statusCode(), replayed.body());
    assertEquals(0, JSON.readTree(replayed.body()).path("addedToSilver").asLong(-1), replayed.body());
    // the product's name in another form (its pinned major) is the same product
    HttpResponse<String> pinned = mgmt("POST", "/lakemesh/products/shop.orders@v1/resume", boss, null);
    assertEquals(202, pinned.statusCode(), pinned.body());

    assertTrue(node.audit().flush());
    List<AuditEntry> trail = node.audit().table().readAll();
    for (String action : List.of("pause", "resume", "replay?from=beginning")) {
      for (String outcome : List.of("requested", "ok")) {
        assertTrue(trail.stream().anyMatch(e -> e.action().equals("admin") && e.principal().equals("boss")
            && e.outcome().equals(outcome) && e.detail().equals("POST /lakemesh/products/shop.orders/" + action)
            && "shop.orders".equals(e.product())),
            action + " by the product admin is audited as " + outcome + ": " + trail);
      }
    }
  }

  @Test
  void aProductAdminIsRefusedOnAnotherProduct() throws Exception {
    String boss = bearer("boss", "orders_admin");
    // the role administers shop.orders, so the refusals below are about the product, not the caller
    assertEquals(400, mgmt("POST", "/lakemesh/products/shop.orders/replay", boss, null).statusCode(),
        "a replay of its own product without from is a bad request, not a refusal");
    for (String action : List.of("pause", "resume", "replay?from=beginning")) {
      assertForbidden(mgmt("POST", "/lakemesh/products/shop.refunds/" + action, boss, null),
          "your roles do not allow admin on shop.refunds");
    }
    HttpResponse<String> unknown = mgmt("POST", "/lakemesh/products/shop.nothing/pause", boss, null);
    assertEquals(404, unknown.statusCode(), unknown.body());
    // a typo of a product the caller may act on is named; for a caller who may do nothing with it, it is not (the
    // caller does not learn of it)
    HttpResponse<String> typo = mgmt("POST", "/lakemesh/products/shop.order/pause", boss, null);
    assertEquals(404, typo.statusCode(), typo.body());
    assertTrue(typo.body().contains("(did you mean 'shop.orders'?)"), typo.body());
    HttpResponse<String> stranger = mgmt("POST", "/lakemesh/products/shop.order/pause", bearer("stranger", "nobody"),
        null);
    assertEquals(404, stranger.statusCode(), stranger.body());
    assertTrue(!stranger.body().contains("did you mean"), stranger.body());
    HttpResponse<String> byTheAdmin = mgmt("POST", "/lakemesh/products/shop.refund/pause",
        "Bearer " + node.devAdminToken(), null);
    assertTrue(byTheAdmin.body().contains("(did you mean 'shop.refunds'?)"), byTheAdmin.body());
  }

  @Test
  void aProductAdminIsRefusedOnClusterActions() throws Exception {
    String boss = bearer("boss", "orders_admin");
    assertEquals(400, mgmt("POST", "/lakemesh/products/shop.orders/replay", boss, null).statusCode(),
        "the caller administers shop.orders");
    String member = "/cluster/members/pekko://lakemesh@127.0.0.1:1";
    List<HttpResponse<String>> refused = List.of(
        mgmt("GET", "/cluster/members", boss, null),
        mgmt("PUT", member, boss, "operation=Down"),
        mgmt("PUT", member, boss, "operation=Leave"),
        mgmt("DELETE", member, boss, null),
        mgmt("GET", "/cluster/shards/DataProduct-shop", boss, null),
        mgmt("POST", "/lakemesh/rebalance", boss, null),
        mgmt("POST", "/lakemesh/rebalance", boss, "{\"shop.orders#0\": \"pekko://lakemesh@127.0.0.1:1\"}"),
        mgmt("GET", "/lakemesh/products", boss, null));
    for (HttpResponse<String> r : refused) {
      assertForbidden(r, "cluster administration needs the platform admin role");
    }
  }

  @Test
  void aReaderOrAStrangerIsRefused() throws Exception {
    for (String action : List.of("pause", "resume", "replay?from=beginning")) {
      assertForbidden(mgmt("POST", "/lakemesh/products/shop.orders/" + action, bearer("reader", "orders_reader"),
          null), "your roles do not allow admin on shop.orders");
      // callers with no role on it are told what an unknown id gets: its existence is not confirmed
      for (String caller : List.of(bearer("stranger", "nobody"), bearer("roleless"))) {
        HttpResponse<String> hidden = mgmt("POST", "/lakemesh/products/shop.orders/" + action, caller, null);
        HttpResponse<String> unknown = mgmt("POST", "/lakemesh/products/shop.orderz/" + action, caller, null);
        assertEquals(404, hidden.statusCode(), hidden.body());
        assertEquals(unknown.body().replace("orderz", "orders"), hidden.body());
      }
    }
  }

  @Test
  void aKeyOfAProductAdminRoleIsMadeWithoutWarningAndAdministersTheProduct() throws Exception {
    HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.httpPort() + "/api/v1/admin/api-keys")).header("Authorization", "Bearer " + node.devAdminToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"orders-ops\",\"roles\":[\"orders_admin\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(201, created.statusCode(), created.body());
    JsonNode key = JSON.readTree(created.body());
    assertFalse(key.has("warning"), "the role's admin is enforced: " + created.body());
    String secret = key.path("key").asText();
    HttpResponse<String> paused = mgmt("POST", "/lakemesh/products/shop.orders/pause", secret, null);
    assertEquals(202, paused.statusCode(), paused.body());
    HttpResponse<String> resumed = mgmt("POST", "/lakemesh/products/shop.orders/resume", secret, null);
    assertEquals(202, resumed.statusCode(), resumed.body());
    assertForbidden(mgmt("POST", "/lakemesh/products/shop.refunds/pause", secret, null),
        "your roles do not allow admin on shop.refunds");
  }

  @Test
  void thePlatformAdminStillAdministersEveryProductAndTheCluster() throws Exception {
    String admin = "Bearer " + node.devAdminToken();
    for (String product : List.of("shop.orders", "shop.refunds")) {
      HttpResponse<String> paused = mgmt("POST", "/lakemesh/products/" + product + "/pause", admin, null);
      assertEquals(202, paused.statusCode(), paused.body());
      HttpResponse<String> resumed = mgmt("POST", "/lakemesh/products/" + product + "/resume", admin, null);
      assertEquals(202, resumed.statusCode(), resumed.body());
    }
    for (String read : List.of("/lakemesh/products", "/cluster/members")) {
      HttpResponse<String> r = mgmt("GET", read, admin, null);
      assertEquals(200, r.statusCode(), read + ": " + r.body());
    }
    HttpResponse<String> unknown = mgmt("POST", "/lakemesh/products/shop.nothing/pause", admin, null);
    assertEquals(404, unknown.statusCode(), unknown.body());
  }
}
