package io.lakemesh.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarehouseTest {
  @TempDir Path home;

  @Test
  void localLayoutAndStreamingDefaults() throws Exception {
    TableIdentifier id = TableIdentifier.of("retail", "orders");
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table =
          warehouse.createOrLoad(
              id, Orders.SCHEMA, Orders.SPEC, Map.of("write.target-file-size-bytes", "1048576"));
      assertEquals("lakemesh", warehouse.catalog().name());
      assertTrue(table.io() instanceof LocalFileIO, table.io().getClass().getName());
      assertEquals("file:" + home.resolve("warehouse/retail/orders"), table.location());
      Map<String, String> props = table.properties();
      assertEquals("parquet", props.get("write.format.default"));
      assertEquals("zstd", props.get("write.parquet.compression-codec"));
      assertEquals("true", props.get("write.metadata.delete-after-commit.enabled"));
      assertEquals("50", props.get("write.metadata.previous-versions-max"));
      assertEquals("20", props.get("commit.retry.num-retries"));
      assertEquals("1048576", props.get("write.target-file-size-bytes"), "caller overrides");
      assertEquals(Orders.SPEC.fields().size(), table.spec().fields().size());

      // Second call: same table, not a new one.
      Table again = warehouse.createOrLoad(id, Orders.SCHEMA, Orders.SPEC, Map.of());
      assertEquals(table.uuid(), again.uuid());
    }
    assertTrue(Files.isRegularFile(home.resolve("catalog.db")));
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("catalog.db"));
        Statement st = db.createStatement();
        ResultSet mode = st.executeQuery("PRAGMA journal_mode")) {
      assertTrue(mode.next());
      assertEquals("wal", mode.getString(1).toLowerCase());
    }
  }

  @Test
  void racingCreatorsInTwoProcessesGetOneTable() throws Exception {
    // Two Warehouses on one directory stand for two processes: separate pools and connections.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (Warehouse a = Warehouse.openLocal(home);
        Warehouse b = Warehouse.openLocal(home)) {
      for (int round = 0; round < 5; round++) {
        TableIdentifier id = TableIdentifier.of("ns" + round, "t" + round);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<Table>> results = new ArrayList<>();
        for (Warehouse warehouse : List.of(a, b)) {
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    return warehouse.createOrLoad(id, Orders.SCHEMA, Orders.SPEC, Map.of());
                  }));
        }
        assertEquals(results.get(0).get().uuid(), results.get(1).get().uuid(), "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void openRefusesAJdbcCatalogWithoutUri() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Warehouse.open(Map.of("warehouse", "file:" + home)));
    assertTrue(e.getMessage().contains("uri"), e.getMessage());
  }

  @Test
  void openWithPropertiesPicksLocalFileIoForALocalWarehouse() {
    Map<String, String> props =
        Map.of("uri", "jdbc:sqlite:" + home.resolve("other.db"), "warehouse", home.toString());
    try (Warehouse warehouse = Warehouse.open(props)) {
      Table table =
          warehouse.createOrLoad(
              TableIdentifier.of("t"), Orders.SCHEMA, Orders.SPEC, Map.of());
      assertTrue(table.io() instanceof LocalFileIO);
    }
  }
}
