package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.storage.TableReader;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gold product of a domain with no Java of its own: its contract declares each column ({@code transformLogic}),
 * and a real node (in-process Kafka, Iceberg on SQLite and the file system) keeps it exact across re-sends, invalid
 * and late events and a restart. The expected table is computed here from the events, independently.
 */
class DeclaredGoldTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path EXAMPLES = Path.of("..", "..", "contracts", "src", "test", "resources", "aggregate");
  private static final String[] HUBS = {"MNL", "CEB", "DVO"};
  private static final String[] KINDS = {"box", "envelope", "pallet"};

  @TempDir
  Path home;
  @TempDir
  Path contracts;

  private Config config() {
    return NodeRequests.nodeConfig(home, contracts, Map.of("lakemesh.builtin-contracts", false,
        "lakemesh.pipeline.batch-window", "200ms", "lakemesh.pipeline.gold-interval", "200ms"));
  }


  /** One shipment as posted, and what it adds to the expected table. */
  record Parcel(String kind, BigDecimal weight, int pieces, Double insured) {}

  record Shipment(String id, String hub, OffsetDateTime shippedAt, List<Parcel> parcels) {
    String json() {
      StringBuilder items = new StringBuilder();
      for (Parcel p : parcels) {
        items.append(items.length() == 0 ? "" : ",").append("{\"kind\":\"").append(p.kind())
            .append("\",\"weight\":").append(p.weight().toPlainString()).append(",\"pieces\":").append(p.pieces())
            .append(p.insured() == null ? "" : ",\"insured_value\":" + p.insured()).append('}');
      }
      BigDecimal total = parcels.stream().map(Parcel::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
      return "{\"shipment_id\":\"" + id + "\",\"hub\":\"" + hub + "\",\"status\":\"shipped\",\"shipped_at\":\""
          + shippedAt + "\",\"address\":{\"city\":\"Makati\"},\"total_weight\":" + total.toPlainString()
          + ",\"parcels\":[" + items + "]}";
    }
  }

  private static List<Shipment> shipments(Random random, int from, int count) {
    OffsetDateTime base = OffsetDateTime.of(2026, 11, 20, 0, 0, 0, 0, ZoneOffset.UTC);
    List<Shipment> out = new ArrayList<>();
    for (int i = from; i < from + count; i++) {
      List<Parcel> parcels = new ArrayList<>();
      int n = random.nextInt(4); // some shipments have no parcels: they fall into no group
      for (int p = 0; p < n; p++) {
        parcels.add(new Parcel(KINDS[random.nextInt(KINDS.length)],
            BigDecimal.valueOf(random.nextInt(50_000) + 1, 3), 1 + random.nextInt(5),
            random.nextBoolean() ? null : (double) random.nextInt(1000)));
      }
      out.add(new Shipment("S-" + i, HUBS[random.nextInt(HUBS.length)],
          base.plusMinutes(random.nextInt(3 * 24 * 60)).withOffsetSameInstant(ZoneOffset.ofHours(8)), parcels));
    }
    return out;
  }

  /** day|hub|kind -> shipments, parcels, pieces, weight, heaviest, insured, first_shipped */
  private static Map<String, List<Object>> expected(List<Shipment> accepted) {
    Map<String, List<Object>> out = new TreeMap<>();
    for (Shipment s : accepted) {
      LocalDate day = s.shippedAt().withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
      java.util.Set<String> counted = new java.util.HashSet<>();
      for (Parcel p : s.parcels()) {
        String key = day + "|" + s.hub() + "|" + p.kind();
        List<Object> row = out.computeIfAbsent(key, k -> new ArrayList<>(List.of(0L, 0L, 0L,
            new BigDecimal("0.000"), p.weight(), 0.0, s.shippedAt().toInstant())));
        if (counted.add(key)) {
          row.set(0, (Long) row.get(0) + 1);
        }
        row.set(1, (Long) row.get(1) + 1);
        row.set(2, (Long) row.get(2) + p.pieces());
        row.set(3, ((BigDecimal) row.get(3)).add(p.weight()));
        row.set(4, ((BigDecimal) row.get(4)).max(p.weight()));
        row.set(5, (Double) row.get(5) + (p.insured() == null ? 0.0 : p.insured()));
        java.time.Instant first = (java.time.Instant) row.get(6);
        row.set(6, s.shippedAt().toInstant().isBefore(first) ? s.shippedAt().toInstant() : first);
      }
    }
    return out;
  }

  private static Map<String, List<Object>> gold(MeshNode node) throws Exception {
    return gold(node, "hub_daily_gold");
  }

  private static Map<String, List<Object>> gold(MeshNode node, String table) throws Exception {
    TableIdentifier id = TableIdentifier.of("logistics", table);
    Map<String, List<Object>> out = new TreeMap<>();
    if (!node.warehouse().catalog().tableExists(id)) {
      return out;
    }
    Table t = node.warehouse().catalog().loadTable(id);
    if (t.currentSnapshot() == null) {
      return out;
    }
    try (CloseableIterable<Record> rows = TableReader.read(t)) {
      for (Record r : rows) {
        out.put(r.getField("day") + "|" + r.getField("hub") + "|" + r.getField("kind"), new ArrayList<>(List.of(
            r.getField("shipments"), r.getField("parcels"), r.getField("pieces"), r.getField("weight"),
            r.getField("heaviest"), r.getField("insured"),
            ((OffsetDateTime) r.getField("first_shipped")).toInstant())));
      }
    }
    return out;
  }

  private static void awaitGold(MeshNode node, Map<String, List<Object>> expected) throws Exception {
    awaitGold(node, "hub_daily_gold", expected);
  }

  private static void awaitGold(MeshNode node, String table, Map<String, List<Object>> expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Map<String, List<Object>> actual = gold(node, table);
    while (!actual.equals(expected) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      actual = gold(node, table);
    }
    assertEquals(expected, actual);
  }

  /** The README's example pair: logistics.shipments and the declared gold product logistics.hub_daily. */
  private void deployExamples() throws Exception {
    Files.copy(EXAMPLES.resolve("shipments.odcs.yaml"), contracts.resolve("shipments.odcs.yaml"));
    Files.copy(EXAMPLES.resolve("hub_daily.odcs.yaml"), contracts.resolve("hub_daily.odcs.yaml"));
  }

  private static void post(MeshNode node, List<String> lines) throws Exception {
    NodeRequests.postNdjson(node, "logistics.shipments", String.join("\n", lines) + "\n");
  }

  @Test
  void aDeclaredGoldProductIsExactThroughResendsInvalidAndLateEventsAndARestart() throws Exception {
    deployExamples();
    Random random = new Random(7);
    List<Shipment> first = shipments(random, 0, 300);
    List<Shipment> second = shipments(random, 300, 200);
    List<Shipment> accepted = new ArrayList<>(first);

    try (MeshNode node = MeshNode.start(config())) {
      List<String> lines = new ArrayList<>();
      first.forEach(s -> lines.add(s.json()));
      lines.add(first.get(3).json()); // a re-send: silver keeps one, gold counts it once
      lines.add("{\"shipment_id\":\"S-bad\",\"hub\":\"MNL\"}"); // invalid: quarantined, in no group
      post(node, lines);
      awaitGold(node, expected(accepted));

      // the catalog and the rows API serve it like any product
      String catalog = get(node, "/api/v1/products");
      assertTrue(catalog.contains("\"logistics.hub_daily\""), catalog);
      JsonNode rows = JSON.readTree(get(node, "/api/v1/products/logistics.hub_daily/rows?filter="
          + URLEncoder.encode("hub == 'MNL' && kind == 'box'", StandardCharsets.UTF_8) + "&limit=1000"));
      long expectedRows = expected(accepted).keySet().stream().filter(k -> k.contains("|MNL|box")).count();
      assertEquals(expectedRows, rows.size(), rows.toString());
    }

    // after a restart: new shipments, one late (days before the others), and re-sends of old ones
    List<Shipment> late = List.of(new Shipment("S-late", "CEB",
        OffsetDateTime.of(2026, 11, 20, 1, 0, 0, 0, ZoneOffset.UTC),
        List.of(new Parcel("box", new BigDecimal("9.999"), 2, 5.0))));
    accepted.addAll(second);
    accepted.addAll(late);
    try (MeshNode node = MeshNode.start(config())) {
      List<String> lines = new ArrayList<>();
      second.forEach(s -> lines.add(s.json()));
      late.forEach(s -> lines.add(s.json()));
      first.subList(0, 20).forEach(s -> lines.add(s.json()));
      post(node, lines);
      awaitGold(node, expected(accepted));
    }
  }

  @Test
  void aNewMajorOfTheSourceDoesNotChangeAGoldProductComputedFromTheOldOne() throws Exception {
    deployExamples();
    Random random = new Random(11);
    List<Shipment> first = shipments(random, 0, 120);
    List<Shipment> second = shipments(random, 120, 120);
    try (MeshNode node = MeshNode.start(config())) {
      List<String> lines = new ArrayList<>();
      first.forEach(s -> lines.add(s.json()));
      post(node, lines);
      awaitGold(node, expected(first));
    }
    // shipments 2.0.0 runs beside 1.x and refuses hub DVO; hub_daily (unchanged) keeps reading 1.x, where DVO counts
    String v2 = Files.readString(EXAMPLES.resolve("shipments.odcs.yaml")).replace("version: 1.0.0", "version: 2.0.0")
        .replace("""
              - name: hub
                logicalType: string
                required: true
        """, """
              - name: hub
                logicalType: string
                required: true
                quality:
                  - {name: known_hub, metric: invalidValues, arguments: {validValues: [MNL, CEB]}, mustBe: 0}
        """);
    // ...and stores parcel weights as doubles, which hub_daily's decimal sum could not be computed from: it is
    // planned against the major it reads, so the node starts
    String decimalWeight = "            - name: weight\n              logicalType: number\n"
        + "              physicalType: decimal(10,3)\n";
    assertTrue(v2.contains(decimalWeight), "the test edits the example contract");
    v2 = v2.replace(decimalWeight, decimalWeight.replace("decimal(10,3)", "double"));
    assertTrue(v2.contains("known_hub"), "the test edits the example contract");
    Files.writeString(contracts.resolve("shipments-v2.odcs.yaml"), v2);
    List<Shipment> all = new ArrayList<>(first);
    all.addAll(second);
    try (MeshNode node = MeshNode.start(config())) {
      List<String> lines = new ArrayList<>();
      second.forEach(s -> lines.add(s.json()));
      post(node, lines);
      assertTrue(all.stream().anyMatch(s -> s.hub().equals("DVO") && !s.parcels().isEmpty()));
      awaitGold(node, expected(all));
      // the product's stats say which table it is computed from
      JsonNode stats = JSON.readTree(get(node, "/api/v1/products/logistics.hub_daily")).path("stats");
      assertTrue(stats.path("upstreamTable").asText().endsWith("logistics.shipments_silver"), stats.toString());
      // ...and the stats and the catalog name the older major it reads, not the contract's unpinned id
      assertEquals("logistics.shipments@v1", stats.path("upstream").asText(), stats.toString());
      JsonNode entry = null;
      java.util.Map<String, String> pinned = new java.util.HashMap<>();
      for (JsonNode p : JSON.readTree(get(node, "/api/v1/products"))) {
        entry = p.path("id").asText().equals("logistics.hub_daily") ? p : entry;
        pinned.put(p.path("id").asText(), p.path("pinnedId").asText());
      }
      // each major is discoverable under the id that keeps naming it
      assertEquals("logistics.shipments@v2", pinned.get("logistics.shipments"), pinned.toString());
      assertEquals("logistics.shipments@v1", pinned.get("logistics.shipments@v1"), pinned.toString());
      assertNotNull(entry, "hub_daily is in the catalog");
      assertEquals("logistics.shipments@v1", entry.path("upstream").asText(), entry.toString());
    }
    // pinning the major it reads is no change to its rows: it deploys in place
    Path gold = contracts.resolve("hub_daily.odcs.yaml");
    String unpinned = Files.readString(gold);
    Files.writeString(gold, unpinned.replace("version: 1.0.0", "version: 1.1.0")
        .replace("value: logistics.shipments", "value: logistics.shipments@v1"));
    try (MeshNode node = MeshNode.start(config())) {
      awaitGold(node, expected(all));
      assertEquals("logistics.shipments@v1", JSON.readTree(get(node, "/api/v1/products/logistics.hub_daily"))
          .path("stats").path("upstream").asText());
    }
  }

  @Test
  void retiringTheSourceMajorAGoldProductWasComputedFromIsRefused() throws Exception {
    deployExamples();
    List<Shipment> first = shipments(new Random(12), 0, 40);
    try (MeshNode node = MeshNode.start(config())) {
      List<String> lines = new ArrayList<>();
      first.forEach(s -> lines.add(s.json()));
      post(node, lines);
      awaitGold(node, expected(first));
    }
    // shipments' file now holds 2.0.0: 1.x is retired, and hub_daily (unchanged) would be computed again from 2.x,
    // changing rows it has published
    Path file = contracts.resolve("shipments.odcs.yaml");
    Files.writeString(file, Files.readString(file).replace("version: 1.0.0", "version: 2.0.0"));
    io.lakemesh.runtime.product.DeploymentGate.RefusedException refused = org.junit.jupiter.api.Assertions
        .assertThrows(io.lakemesh.runtime.product.DeploymentGate.RefusedException.class,
            () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("logistics.hub_daily 1.0.0: its table was computed from")
        && refused.getMessage().contains("logistics.shipments_silver, a major version of logistics.shipments that is"
            + " no longer deployed") && refused.getMessage().contains("retire logistics.hub_daily too"),
        refused.getMessage());
    // pinning 2.x is no way out: its rows were computed from 1.x
    Path gold = contracts.resolve("hub_daily.odcs.yaml");
    String unpinned = Files.readString(gold);
    Files.writeString(gold, unpinned.replace("version: 1.0.0", "version: 1.1.0")
        .replace("value: logistics.shipments", "value: logistics.shipments@v2"));
    refused = org.junit.jupiter.api.Assertions.assertThrows(
        io.lakemesh.runtime.product.DeploymentGate.RefusedException.class, () -> MeshNode.start(config()).close());
    assertTrue(refused.getMessage().contains("logistics.hub_daily 1.1.0: its upstream becomes logistics.shipments@v2"
        + " (logistics.shipments_v2_silver), but its table was computed from"), refused.getMessage());
    // the way out the message names: a new major of hub_daily, computed from 2.x
    Files.writeString(gold, unpinned);
    Files.writeString(gold, Files.readString(gold).replace("version: 1.0.0", "version: 2.0.0"));
    try (MeshNode node = MeshNode.start(config())) {
      // shipments 2.x fills from the raw topic's history; hub_daily 2.x is computed from it, 1.x's table stays
      awaitGold(node, "hub_daily_v2_gold", expected(first));
      assertEquals(expected(first), gold(node));
    }
  }

  private static String get(MeshNode node, String path) throws Exception {
    return NodeRequests.get(node, path);
  }
}
