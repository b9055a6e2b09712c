package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.DeploymentGate;
import io.lakemesh.runtime.storage.TableReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploying new contract versions over running tables: compatible changes evolve the Iceberg schema in place and
 * keep the data, a breaking change on the same major refuses the start with the diff, a new major gets new tables.
 */
class ContractDeploymentTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path home;
  @TempDir
  Path contracts;

  static String contract(String version, String extraProperty, String amountType) {
    return """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.orders
        name: orders
        version: %s
        status: active
        domain: shop
        schema:
          - name: orders
            properties:
              - name: order_id
                logicalType: string
                required: true
                primaryKey: true
              - name: amount
                %s
                required: true
        %s
        """.formatted(version, amountType, extraProperty);
  }

  static final String DECIMAL = "logicalType: number\n        physicalType: decimal(10,2)";
  static final String TEXT = "logicalType: string";
  static final String NOTE = "      - name: note\n        logicalType: string\n        required: false";

  Config config() {
    return NodeRequests.nodeConfig(home, contracts, Map.of("lakemesh.pipeline.batch-window", "200ms"));
  }


  @Test
  void aHomeOfAnEarlierDemoRefusedByTheBuiltInContractSaysWhatToDo() throws Exception {
    // the home an earlier build made for the demo: retail.transactions with the old rule, deployed from a file
    String builtIn;
    try (var in = getClass().getClassLoader().getResourceAsStream("lakemesh/contracts/retail/transactions.odcs.yaml")) {
      builtIn = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    String earlier = builtIn.replace("total_amount) < 0.015'", "total_amount) <= 0.01'");
    assertTrue(!earlier.equals(builtIn), "the rule to change is in the built-in contract");
    Path old = contracts.resolve("transactions.odcs.yaml");
    Files.writeString(old, earlier);
    try (MeshNode node = MeshNode.start(NodeRequests.nodeConfig(home, contracts,
        Map.of("lakemesh.builtin-contracts", false)))) {
      // a sale committed: the demo's tables exist, with the contract they were deployed with (a node that stops
      // before its workers started would leave no tables, and so nothing to compare)
      NodeRequests.postNdjson(node, "retail.transactions", RetailPipelineTest.sale("OLD-1", "S-0001", "NCR",
          java.time.Instant.now().minusSeconds(60), "noodles:2:10.00") + "\n");
      NodeRequests.awaitStats(node, "retail.transactions", s -> s.path("rows").path("silver").asInt() == 1);
    }

    // this build serves its own copy: nothing of the operator's to edit, so the refusal says what to do instead
    Files.delete(old);
    DeploymentGate.RefusedException refused = assertThrows(DeploymentGate.RefusedException.class,
        () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("lines_sum_to_total"), refused.getMessage());
    assertTrue(refused.getMessage().contains("contract: the built-in contract"
        + " lakemesh/contracts/retail/transactions.odcs.yaml, which this build ships; start it on a new --home"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("--no-builtin-contracts"), refused.getMessage());
  }

  @Test
  void compatibleEvolvesInPlaceBreakingIsRefusedNewMajorRunsApart() throws Exception {
    Path file = contracts.resolve("orders.odcs.yaml");
    Files.writeString(file, contract("1.0.0", "", DECIMAL));
    try (MeshNode node = MeshNode.start(config())) {
      post(node, "{\"order_id\":\"O-1\",\"amount\":10.50}\n{\"order_id\":\"O-2\",\"amount\":3.00}\n");
      await(node, "orders_silver", 2);
    }

    Files.writeString(file, contract("1.1.0", NOTE, DECIMAL));
    try (MeshNode node = MeshNode.start(config())) {
      // before any commit under the new schema, the served rows already have the new column (null), and a filter
      // on it binds: Iceberg would read the last snapshot in the schema it was written under, without 'note'
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      JsonNode selected = json.readTree(get(node, "/api/v1/products/shop.orders/rows?select=order_id,note&filter="
          + java.net.URLEncoder.encode("!has(row.note)", java.nio.charset.StandardCharsets.UTF_8) + "&limit=10"));
      assertEquals(json.readTree("[{\"order_id\":\"O-1\",\"note\":null},{\"order_id\":\"O-2\",\"note\":null}]"),
          sortedById(selected), selected.toString());
      JsonNode none = json.readTree(get(node, "/api/v1/products/shop.orders/rows?filter=" + java.net.URLEncoder.encode(
          "note == \"gift\"", java.nio.charset.StandardCharsets.UTF_8)));
      assertEquals(0, none.size(), "a filter on the new column matches no old row: " + none);
      post(node, "{\"order_id\":\"O-3\",\"amount\":1.25,\"note\":\"gift\"}\n");
      List<Record> rows = await(node, "orders_silver", 3);
      Record o3 = rows.stream().filter(r -> r.getField("order_id").equals("O-3")).findFirst().orElseThrow();
      Record o1 = rows.stream().filter(r -> r.getField("order_id").equals("O-1")).findFirst().orElseThrow();
      assertEquals("gift", o3.getField("note"));
      assertNull(o1.getField("note"), "old rows read the new optional column as null, no rewrite");

      // the contract as deployed, fetched from the node, is what the next edit is checked against before a restart
      HttpResponse<String> deployed = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/shop.orders/contract")).header("Authorization", "Bearer "
          + node.devAdminToken()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, deployed.statusCode(), deployed.body());
      assertEquals("application/yaml", deployed.headers().firstValue("Content-Type").orElse(""));
      assertTrue(deployed.body().contains("version: \"1.1.0\"\n") && deployed.body().contains("- name: note\n"),
          deployed.body());
      Files.writeString(contracts.resolve("orders-1.2.0.proposed"), contract("1.2.0", NOTE, TEXT));
      Files.writeString(contracts.resolve("deployed.proposed"), deployed.body());
      java.io.StringWriter printed = new java.io.StringWriter();
      int exit = new picocli.CommandLine(new io.lakemesh.runtime.cli.ContractCommand())
          .setOut(new java.io.PrintWriter(printed)).setErr(new java.io.PrintWriter(printed))
          .execute("diff", contracts.resolve("deployed.proposed").toString(),
              contracts.resolve("orders-1.2.0.proposed").toString());
      assertEquals(1, exit, printed.toString());
      assertTrue(printed.toString().startsWith("BREAKING  shop.orders 1.1.0 -> 1.2.0") && printed.toString()
          .contains("'amount'"), printed.toString());
      Files.delete(contracts.resolve("orders-1.2.0.proposed"));
      Files.delete(contracts.resolve("deployed.proposed"));
      // and as JSON for a client that asks for it: the same document the file holds
      HttpResponse<String> asJson = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + node.httpPort() + "/api/v1/products/shop.orders/contract")).header("Authorization", "Bearer "
          + node.devAdminToken()).header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      assertEquals("application/json", asJson.headers().firstValue("Content-Type").orElse(""));
      // preferences by q-value (RFC 9110); nothing it can send is a 406
      for (var accept : Map.of("application/json, application/yaml;q=0.5", "200 application/json",
          "application/yaml;q=0.2, application/json;q=0.1", "200 application/yaml", "*/*", "200 application/yaml",
          "text/csv", "406 application/problem+json").entrySet()) {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.httpPort() + "/api/v1/products/shop.orders/contract")).header("Authorization", "Bearer "
            + node.devAdminToken()).header("Accept", accept.getKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(accept.getValue(), answer.statusCode() + " " + answer.headers().firstValue("Content-Type")
            .orElse(""), accept.getKey() + ": " + answer.body());
      }
      assertEquals(new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml
          .YAMLFactory()).readTree(contract("1.1.0", NOTE, DECIMAL)), json.readTree(asJson.body()));
    }

    Files.writeString(file, contract("1.2.0", NOTE, TEXT));
    DeploymentGate.RefusedException refused = assertThrows(DeploymentGate.RefusedException.class,
        () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("amount") && refused.getMessage().contains("BREAKING"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("contract file: " + file), "names the file to edit: "
        + refused.getMessage());

    // a new major version deploys beside the old one: keep both files, both run on the same raw events
    Files.writeString(file, contract("1.1.0", NOTE, DECIMAL));
    Files.writeString(contracts.resolve("orders-v2.odcs.yaml"), contract("2.0.0", NOTE, TEXT));
    try (MeshNode node = MeshNode.start(config())) {
      String catalog = get(node, "/api/v1/products");
      assertTrue(catalog.contains("\"shop.orders\"") && catalog.contains("\"shop.orders@v1\""), catalog);
      post(node, "shop.orders", "{\"order_id\":\"O-9\",\"amount\":\"ten\"}\n");
      post(node, "shop.orders@v1", "{\"order_id\":\"O-4\",\"amount\":2.50}\n");
      // each version has judged all five events of the log (stored or quarantined, nothing left to read) before
      // the exact contents are checked: "at least n rows" could be seen before O-9 was judged
      for (String version : List.of("shop.orders", "shop.orders@v1")) {
        NodeRequests.awaitStats(node, version, s -> s.path("lag").asLong() == 0
            && s.path("rows").path("bronze").asInt() == 5
            && s.path("rows").path("silver").asInt() + s.path("rows").path("quarantine").asInt() == 5);
      }
      List<Record> v2 = await(node, "orders_v2_silver", 1);
      assertEquals(List.of("O-9"), v2.stream().map(r -> r.getField("order_id")).toList(),
          "2.0.0 has its own tables; of the log's events only those valid under 2.0.0 reach them");
      List<Record> v1 = await(node, "orders_silver", 4);
      assertEquals(List.of("O-1", "O-2", "O-3", "O-4"), v1.stream().map(r -> (String) r.getField("order_id"))
          .sorted().toList(), "1.x keeps running: O-4 joins O-1..O-3, O-9 (text amount) is not valid for it");
      String v1Quarantine = get(node, "/api/v1/products/shop.orders@v1/quarantine");
      assertTrue(v1Quarantine.contains("O-9") && !v1Quarantine.contains("O-4"), v1Quarantine);
      assertTrue(v1Quarantine.contains("\"product\":\"shop.orders@v1\"") && !v1Quarantine.contains(
          "\"product\":\"shop.orders\""), "an older major's rows say which major: " + v1Quarantine);
      String v1Stats = get(node, "/api/v1/products/shop.orders@v1");
      assertTrue(v1Stats.contains("\"version\":\"1.1.0\""), v1Stats);
      // the newest major can be pinned too, so a reader written against 2.x keeps reading 2.x after a 3.0.0
      String v2Stats = get(node, "/api/v1/products/shop.orders@v2");
      assertTrue(v2Stats.contains("\"version\":\"2.0.0\""), v2Stats);
      // metrics name the contract and its major: 1.x's series go on under the labels they had before 2.0.0
      // came, and 2.0.0's are series of their own (one series' counter never goes back)
      String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create("http://127.0.0.1:" + node.managementPort() + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("lakemesh_quarantined_total{major=\"1\",product=\"shop.orders\",service=\"lakemesh\"} 1.0")
          && metrics.contains("lakemesh_quarantined_total{major=\"2\",product=\"shop.orders\",service=\"lakemesh\"} 4.0")
          && !metrics.contains("shop.orders@v"), metrics);
    }

    // a breaking change of the older major: the diff's "next major" (2.0.0) already runs, and the refusal says so
    Files.writeString(file, contract("1.2.0", NOTE, TEXT));
    DeploymentGate.RefusedException olderMajor = assertThrows(DeploymentGate.RefusedException.class,
        () -> MeshNode.start(config()).close());
    assertTrue(olderMajor.getMessage().contains("note: major 2 is taken (shop.orders runs major 2 beside it): a new"
        + " major goes above it (3.0.0)"), olderMajor.getMessage());
    assertTrue(olderMajor.getMessage().contains("needs a new major version (3.0.0), which runs beside 1.1.0")
        && !olderMajor.getMessage().contains("(2.0.0)"), "the diff line names the free major too: "
        + olderMajor.getMessage());

    // the old major retired by removing its file: not served, its tables kept, and the node says so
    Files.delete(file);
    ch.qos.logback.classic.Logger gateLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        io.lakemesh.runtime.product.DeploymentGate.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    gateLog.addAppender(logged);
    try (MeshNode node = MeshNode.start(config())) {
      assertTrue(get(node, "/api/v1/products").contains("\"shop.orders\""));
      assertTrue(logged.list.stream().anyMatch(e -> e.getFormattedMessage().startsWith("shop.orders_silver holds the"
          + " data of product shop.orders version 1.1.0, whose contract file is gone")),
          logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList()
              .toString());
    } finally {
      gateLog.detachAppender(logged);
    }
  }

  @Test
  void aContractWithLineSeparatorsInItsTextRestartsAsItDeployed() throws Exception {
    // NEL and LS inside strings: YAML 1.1 reads them as line breaks in places, JSON never; the node keeps the deployed
    // contract as JSON and must read it back as JSON, or the same file looks changed (and here breaking) at restart
    // YAML's \N and \L escapes: the document holds the characters themselves
    String nel = contract("1.0.0", "    quality:\n      - {type: custom, engine: cel, name: tagged, implementation:"
        + " \"order_id != 'x\\Ny'\"}", DECIMAL).replace("status: active\n", "status: active\ndescription: {purpose:"
        + " \"a\\Nb\\Lc\"}\n");
    Files.writeString(contracts.resolve("orders.odcs.yaml"), nel);
    ch.qos.logback.classic.Logger gateLog = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        DeploymentGate.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    gateLog.addAppender(logged);
    try {
      for (int start = 0; start < 2; start++) {
        try (MeshNode node = MeshNode.start(config())) {
          String deployed = get(node, "/api/v1/products/shop.orders/contract");
          assertTrue(deployed.contains("tagged"), deployed);
        }
      }
      assertTrue(logged.list.stream().noneMatch(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN)),
          "the unchanged file is no change: " + logged.list.stream().map(
              ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList());
    } finally {
      gateLog.detachAppender(logged);
    }
  }

  @Test
  void afterARelaxedRuleAReplayBringsQuarantinedEventsToSilver() throws Exception {
    Path file = contracts.resolve("orders.odcs.yaml");
    String capped = DECIMAL + "\n        logicalTypeOptions:\n          maximum: 100";
    String relaxed = DECIMAL + "\n        logicalTypeOptions:\n          maximum: 1000";
    Files.writeString(file, contract("1.0.0", "", capped));
    try (MeshNode node = MeshNode.start(config())) {
      post(node, "{\"order_id\":\"O-1\",\"amount\":50}\n{\"order_id\":\"O-2\",\"amount\":500}\n");
      await(node, "orders_silver", 1);
      await(node, "orders_quarantine", 1);
    }
    Files.writeString(file, contract("1.1.0", "", relaxed)); // a wider range: compatible, deployed in place
    try (MeshNode node = MeshNode.start(config())) {
      JsonNode first = replay(node);
      assertEquals(1, first.get("addedToSilver").asInt(), first.toString());
      List<Record> silver = await(node, "orders_silver", 2);
      assertEquals(java.util.Set.of("O-1", "O-2"), silver.stream().map(r -> r.getField("order_id"))
          .collect(java.util.stream.Collectors.toSet()), "O-2 passes the relaxed rule");
      JsonNode again = replay(node);
      assertEquals(0, again.get("addedToSilver").asInt(), "a second replay adds nothing: " + again);
      assertEquals(2, await(node, "orders_silver", 2).size());
      assertEquals(1, await(node, "orders_quarantine", 1).size(), "quarantine keeps what was rejected then");
    }
  }

  @Test
  void aContractWithSeveralSchemaObjectsRunsOneProductPerObject() throws Exception {
    // as ODCS examples write contracts: a UUID id, several tables; one of them without a primary key
    Files.writeString(contracts.resolve("shop.odcs.yaml"), """
        apiVersion: v3.1.0
        kind: DataContract
        id: 0b7c2b8e-6a0e-4c55-8f0e-3c1d2a9f4e11
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: orders
            properties:
              - {name: order_id, logicalType: string, primaryKey: true, required: true}
              - {name: amount, logicalType: number, required: true}
          - name: lines
            properties:
              - {name: order_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1, required: true}
              - {name: line_no, logicalType: integer, primaryKey: true, primaryKeyPosition: 2, required: true}
          - name: Page Views
            customProperties:
              - {property: lakemeshPartitions, value: 1}
            properties:
              - {name: page, logicalType: string, required: true}
        """);
    try (MeshNode node = MeshNode.start(config())) {
      String catalog = get(node, "/api/v1/products");
      assertTrue(catalog.contains("\"shop.orders\"") && catalog.contains("\"shop.page_views\""), catalog);
      String viewsProduct = get(node, "/api/v1/products/shop.page_views");
      assertTrue(viewsProduct.contains("\"schemaObject\":\"Page Views\""), viewsProduct);
      post(node, "shop.orders", "{\"order_id\":\"O-1\",\"amount\":1}\n{\"order_id\":\"O-1\",\"amount\":1}\n"
          + "{\"order_id\":\"O-2\",\"amount\":2}\n");
      post(node, "shop.page_views", "{\"page\":\"/a\"}\n{\"page\":\"/a\"}\n{\"page\":\"/b\"}\n{\"pg\":1}\n");
      assertEquals(2, await(node, "orders_silver", 2).size());
      // a composite key routes by its first column: copies sent apart meet in one partition and count once
      // (between copies, 8,000 other lines: more than the producer's 256 KB batch, after which an unkeyed event
      // would be sent to another partition)
      for (int i = 0; i < 6; i++) {
        post(node, "shop.lines", "{\"order_id\":\"O-1\",\"line_no\":1}\n");
        StringBuilder filler = new StringBuilder();
        for (int j = 0; j < 8_000; j++) {
          filler.append("{\"order_id\":\"F-").append(i).append("\",\"line_no\":").append(j).append("}\n");
        }
        post(node, "shop.lines", filler.toString());
      }
      JsonNode lines = NodeRequests.awaitStats(node, "shop.lines",
          s -> s.path("rows").path("bronze").asLong() == 48_006 && s.path("lag").asLong(-1) == 0);
      assertEquals(48_001, lines.path("rows").path("silver").asLong(), lines.toString());
      assertEquals(5, lines.path("duplicatesDropped").asLong(), lines.toString());
      List<Record> views = await(node, "page_views_silver", 3);
      assertEquals(List.of("/a", "/a", "/b"), views.stream().map(r -> (String) r.getField("page")).sorted().toList(),
          "without a primary key every accepted event is a row");
      assertEquals(1, await(node, "page_views_quarantine", 1).size());
      HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
              + node.managementPort() + "/lakemesh/products/shop.page_views/replay?from=beginning"))
          .header("Authorization", "Bearer " + node.devAdminToken()).POST(HttpRequest.BodyPublishers.noBody())
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(409, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("no primary key"), refused.body());
    }
    try (MeshNode node = MeshNode.start(config())) {
      // a restart resumes from the committed offsets: nothing is read twice, key or no key
      post(node, "shop.page_views", "{\"page\":\"/c\"}\n");
      assertEquals(4, await(node, "page_views_silver", 4).size());
      Thread.sleep(1_000);
      assertEquals(4, await(node, "page_views_silver", 4).size());
      assertEquals(2, await(node, "orders_silver", 2).size());
    }
    // a schema object dropped under the same major: its readers lose a product with data, so the start is refused
    String original = Files.readString(contracts.resolve("shop.odcs.yaml"));
    String withoutViews = original.substring(0, original.indexOf("  - name: Page Views"));
    Files.writeString(contracts.resolve("shop.odcs.yaml"), withoutViews.replace("version: 1.0.0", "version: 1.1.0"));
    DeploymentGate.RefusedException refused = assertThrows(DeploymentGate.RefusedException.class,
        () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("shop.page_views 1.0.0: contract 0b7c2b8e-6a0e-4c55-8f0e-3c1d2a9f4e11"
        + " 1.1.0 no longer describes it"), refused.getMessage());
    // a refused start deploys nothing, not even the contract's compatible objects: the file that ran still starts
    Files.writeString(contracts.resolve("shop.odcs.yaml"), original);
    MeshNode.start(config()).close();
    // under a new major version it may go; its tables stay as they are
    Files.writeString(contracts.resolve("shop.odcs.yaml"), withoutViews.replace("version: 1.0.0", "version: 2.0.0"));
    try (MeshNode node = MeshNode.start(config())) {
      assertTrue(node.warehouse().catalog().tableExists(
          org.apache.iceberg.catalog.TableIdentifier.of("shop", "page_views_silver")));
    }
  }

  @Test
  void aNewMajorKeyedByAnotherFirstColumnIsRefusedAlsoOnceTheOldFileIsGone() throws Exception {
    String v1 = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.orders
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: orders
            properties:
              - {name: tenant_id, logicalType: string, required: true, primaryKey: true, primaryKeyPosition: 1}
              - {name: order_id, logicalType: string, required: true, primaryKey: true, primaryKeyPosition: 2}
        """;
    Path file = contracts.resolve("orders.odcs.yaml");
    Files.writeString(file, v1);
    try (MeshNode node = MeshNode.start(config())) {
      post(node, "{\"tenant_id\":\"t1\",\"order_id\":\"O-1\"}\n");
      await(node, "orders_silver", 1);
    }
    // the 1.x file retired, 2.0.0 keyed by order_id alone: the raw topic's history was routed by tenant_id
    Files.writeString(file, v1.replace("version: 1.0.0", "version: 2.0.0").replace(
        "{name: tenant_id, logicalType: string, required: true, primaryKey: true, primaryKeyPosition: 1}",
        "{name: tenant_id, logicalType: string, required: true}").replace("primaryKeyPosition: 2",
        "primaryKeyPosition: 1"));
    DeploymentGate.RefusedException refused = assertThrows(DeploymentGate.RefusedException.class,
        () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("were routed by another first primary-key column"),
        refused.getMessage());
  }

  private static JsonNode sortedById(JsonNode rows) {
    var sorted = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    java.util.stream.StreamSupport.stream(rows.spliterator(), false)
        .sorted(java.util.Comparator.comparing((JsonNode r) -> r.path("order_id").asText())).forEach(sorted::add);
    return sorted;
  }

  private static JsonNode replay(MeshNode node) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + node.managementPort() + "/lakemesh/products/shop.orders/replay?from=beginning"))
        .header("Authorization", "Bearer " + node.devAdminToken()).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
  }

  private static String get(MeshNode node, String path) throws Exception {
    return NodeRequests.get(node, path);
  }

  private static void post(MeshNode node, String ndjson) throws Exception {
    post(node, "shop.orders", ndjson);
  }

  private static void post(MeshNode node, String product, String ndjson) throws Exception {
    NodeRequests.postNdjson(node, product, ndjson);
  }

  private static List<Record> await(MeshNode node, String table, int rows) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    var id = org.apache.iceberg.catalog.TableIdentifier.of("shop", table);
    while (System.nanoTime() < deadline) {
      if (node.warehouse().catalog().tableExists(id)) {
        Table t = node.warehouse().catalog().loadTable(id);
        List<Record> out = new ArrayList<>();
        if (t.currentSnapshot() != null) {
          try (CloseableIterable<Record> it = TableReader.read(t)) {
            it.forEach(r -> out.add(r.copy()));
          }
        }
        if (out.size() >= rows) {
          return out;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError(table + " did not reach " + rows + " rows");
  }

  private static int count(Table t) throws Exception {
    int n = 0;
    try (CloseableIterable<Record> it = TableReader.read(t)) {
      for (Record ignored : it) {
        n++;
      }
    }
    return n;
  }
}
