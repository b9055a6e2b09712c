package io.lakemesh.runtime.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.InvalidContractException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node loads at start, and what it refuses before anything runs. */
class ProductCatalogTest {
  private static final Path EXAMPLES = Path.of("..", "contracts", "src", "test", "resources", "aggregate");

  @TempDir
  Path dir;

  private ProductCatalog load() throws InvalidContractException {
    return ProductCatalog.load(ProductCatalogTest.class.getClassLoader(), List.of(dir), false);
  }

  @Test
  void aDomainModulesContractFolderIsReadWholeFromAJarAndFromADirectory() throws Exception {
    // the module's index names its folder: a contract file added to it is deployed with no list to keep
    Path classes = dir.resolve("classes");
    Path folder = Files.createDirectories(classes.resolve("lakemesh/contracts/logistics"));
    Files.copy(EXAMPLES.resolve("shipments.odcs.yaml"), folder.resolve("shipments.odcs.yaml"));
    Files.copy(EXAMPLES.resolve("hub_daily.odcs.yaml"), Files.createDirectories(folder.resolve("gold"))
        .resolve("hub_daily.odcs.yaml"));
    Files.writeString(folder.resolve("notes.yaml"), "not: a contract\n");
    Files.writeString(Files.createDirectories(classes.resolve("META-INF/lakemesh")).resolve("contracts.list"),
        "# the folder\nlakemesh/contracts/logistics/\n");
    Path jar = dir.resolve("logistics.jar");
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar));
        var files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString()));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
    }
    for (Path root : List.of(classes, jar)) {
      try (var loader = new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, null)) {
        ProductCatalog catalog = ProductCatalog.load(loader, List.of(), true);
        assertEquals(List.of("logistics.hub_daily", "logistics.shipments"),
            catalog.all().stream().map(Product::id).sorted().toList(), root.toString());
        Product gold = catalog.find("logistics.hub_daily").orElseThrow();
        assertEquals(Optional.of("built-in contract lakemesh/contracts/logistics/gold/hub_daily.odcs.yaml"),
            catalog.source(gold), root.toString());
        assertTrue(catalog.isBuiltIn(gold));
      }
    }
  }

  @Test
  void everyRefusedFileIsNamedNotOnlyTheFirst() throws Exception {
    Files.writeString(dir.resolve("a.odcs.yaml"), "apiVersion: v3.1.0\nkind: DataContract\n");
    Files.writeString(dir.resolve("b.odcs.yaml"), "not: [closed");
    InvalidContractException e = assertThrows(InvalidContractException.class, this::load);
    assertTrue(e.getMessage().startsWith("2 contract files are refused"), e.getMessage());
    assertTrue(e.getMessage().contains("a.odcs.yaml") && e.getMessage().contains("b.odcs.yaml"), e.getMessage());
  }

  @Test
  void aGoldProductPinnedToARetiredMajorSaysTheWaysOut() throws Exception {
    Files.writeString(dir.resolve("shipments.odcs.yaml"), Files.readString(EXAMPLES.resolve("shipments.odcs.yaml"))
        .replace("version: 1.0.0", "version: 2.0.0"));
    Files.writeString(dir.resolve("hub_daily.odcs.yaml"), Files.readString(EXAMPLES.resolve("hub_daily.odcs.yaml"))
        .replace("value: logistics.shipments", "value: logistics.shipments@v1"));
    IllegalStateException e = assertThrows(IllegalStateException.class, this::load);
    assertTrue(e.getMessage().contains("logistics.hub_daily reads logistics.shipments@v1, which no contract declares"
        + " (that major's file is gone, retiring it): deploy its contract again, retire logistics.hub_daily too"),
        e.getMessage());
  }

  @Test
  void aContractWhoseTableIcebergRefusesIsNamedWithItsFile() throws Exception {
    Path file = dir.resolve("events.odcs.yaml");
    try (java.io.InputStream in = ProductCatalogTest.class.getResourceAsStream(
        "/contracts/events-partitioned-by-day.odcs.yaml")) {
      Files.writeString(file, new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
          + "      - {name: at_day, logicalType: date}\n");
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, this::load);
    assertEquals("ops.events in " + file + ": cannot build its Iceberg table: a property is named 'at_day', the name"
        + " Iceberg gives a partition field of this contract (<column>_<transform>, e.g. ts_day for day(ts)): rename"
        + " the property (lakemesh contract lint says where)", e.getMessage());
  }

  @Test
  void aDeclaredGoldProductIsPlannedAgainstItsSourceAndMayPinItsMajor() throws Exception {
    Files.copy(EXAMPLES.resolve("shipments.odcs.yaml"), dir.resolve("shipments.odcs.yaml"));
    Files.writeString(dir.resolve("hub_daily.odcs.yaml"), Files.readString(EXAMPLES.resolve("hub_daily.odcs.yaml"))
        .replace("value: logistics.shipments", "value: logistics.shipments@v1"));
    ProductCatalog catalog = load();
    Product gold = catalog.find("logistics.hub_daily").orElseThrow();
    assertTrue(catalog.aggregation(gold) instanceof DeclaredAggregation);
    assertEquals("logistics.shipments", catalog.upstreamOf(gold, null).id());
  }

  @Test
  void aGoldProductOverAGoldProductIsRefused() throws Exception {
    Files.copy(EXAMPLES.resolve("shipments.odcs.yaml"), dir.resolve("shipments.odcs.yaml"));
    String gold = Files.readString(EXAMPLES.resolve("hub_daily.odcs.yaml"));
    Files.writeString(dir.resolve("hub_daily.odcs.yaml"), gold);
    Files.writeString(dir.resolve("hub_rollup.odcs.yaml"), gold.replace("id: logistics.hub_daily",
        "id: logistics.hub_rollup").replace("name: hub_daily", "name: hub_rollup")
        .replace("value: logistics.shipments", "value: logistics.hub_daily"));
    IllegalStateException e = assertThrows(IllegalStateException.class, this::load);
    assertTrue(e.getMessage().startsWith("logistics.hub_rollup reads logistics.hub_daily, a gold product"),
        e.getMessage());
  }

  @Test
  void twoFilesOfOneMajorVersionAreBothNamedAndEachProductKnowsItsFile() throws Exception {
    Path first = dir.resolve("shipments.odcs.yaml");
    Files.copy(EXAMPLES.resolve("shipments.odcs.yaml"), first);
    ProductCatalog catalog = load();
    assertEquals(Optional.of(first.toString()), catalog.source(catalog.find("logistics.shipments").orElseThrow()));

    Path copy = dir.resolve("shipments-copy.odcs.yaml");
    Files.writeString(copy, Files.readString(first).replace("version: 1.0.0", "version: 1.1.0"));
    IllegalStateException e = assertThrows(IllegalStateException.class, this::load);
    assertTrue(e.getMessage().contains("1.0.0 in " + first) && e.getMessage().contains("1.1.0 in " + copy),
        e.getMessage());
  }

  @Test
  void aNewMajorRoutedByAnotherKeyThanTheOldOneIsRefused() throws Exception {
    String v1 = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.orders
        version: 1.4.0
        status: active
        domain: shop
        schema:
          - name: orders
            properties:
              - {name: tenant_id, logicalType: string, primaryKey: true, required: true}
              - {name: order_id, logicalType: string, primaryKey: true, required: true}
        """;
    Files.writeString(dir.resolve("orders.odcs.yaml"), v1);
    // the same first key column, another second one: routing is unchanged, so both majors may run
    Files.writeString(dir.resolve("orders-v2.odcs.yaml"), v1.replace("version: 1.4.0", "version: 2.0.0")
        .replace("{name: order_id, logicalType: string, primaryKey: true", "{name: order_no, logicalType: string,"
            + " primaryKey: true"));
    assertEquals(2, load().all().size());
    Files.writeString(dir.resolve("orders-v2.odcs.yaml"), v1.replace("version: 1.4.0", "version: 2.0.0")
        .replace("{name: tenant_id, logicalType: string, primaryKey: true, required: true}",
            "{name: tenant_id, logicalType: string, required: true}"));
    IllegalStateException e = assertThrows(IllegalStateException.class, this::load);
    assertTrue(e.getMessage().contains("changes from 'tenant_id' (string) to 'order_id' (string)")
        && e.getMessage().contains("re-sent events would be stored twice"), e.getMessage());
  }
}
