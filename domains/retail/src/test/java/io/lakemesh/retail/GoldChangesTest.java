package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.pipeline.CommitListener;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gold replaces a whole day partition when one event of that day arrives; its change stream must still carry only
 * the rows that changed, both from the aggregator on its own node and when another node reads the commit back.
 */
class GoldChangesTest {
  @TempDir
  Path home;

  @Test
  void oneMoreSaleChangesOnlyItsOwnGroups() throws Exception {
    ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
    Product transactions = catalog.find("retail.transactions").orElseThrow();
    Product dailySales = catalog.find("retail.daily_sales").orElseThrow();
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      SilverFixture source = new SilverFixture(warehouse, transactions, 11);
      Table silver = source.silver;
      source.committer.commit(source.sales(0, 300));
      Table gold = StageTables.served(warehouse, dailySales);
      List<List<Record>> published = new ArrayList<>();
      CommitListener listener = (product, snapshot, rows) -> published.add(List.copyOf(rows));
      GoldAggregator aggregator = new GoldAggregator(dailySales, catalog.aggregation(dailySales), gold, silver,
          null, listener);
      aggregator.run();
      assertEquals(1, published.size());
      assertEquals(SilverFixture.rowCount(gold), published.get(0).size(), "the first run changes every row it writes");

      List<ConsumerRecord<byte[], byte[]>> one = source.sales(300, 1);
      source.committer.commit(one);
      Record sale = lastSilverRow(silver, one);
      Set<String> expectedGroups = new TreeSet<>();
      for (Object item : (List<?>) sale.getField("items")) {
        expectedGroups.add(sale.getField("region") + "|" + sale.getField("store_id") + "|"
            + ((Record) item).getField("category"));
      }
      aggregator.run();
      gold.refresh();
      List<Record> changed = published.get(1);
      assertEquals(expectedGroups, groups(changed), "only the groups of the new sale are published");
      assertTrue(SilverFixture.rowCount(gold) > changed.size() * 10, "the day holds many more rows than changed");
      assertEquals(render(changed), render(TableReader.changedRows(gold, gold.currentSnapshot())),
          "another node reading the commit back finds the same changed rows");
    }
  }

  private static Record lastSilverRow(Table silver, List<ConsumerRecord<byte[], byte[]>> one) throws Exception {
    silver.refresh();
    List<Record> rows = TableReader.changedRows(silver, silver.currentSnapshot());
    assertEquals(1, rows.size(), "the one sale is in silver: " + new String(one.get(0).value(),
        StandardCharsets.UTF_8));
    return rows.get(0);
  }

  private static Set<String> groups(List<Record> rows) {
    Set<String> groups = new TreeSet<>();
    rows.forEach(r -> groups.add(r.getField("region") + "|" + r.getField("store_id") + "|"
        + r.getField("category")));
    return groups;
  }

  private static Set<String> render(List<Record> rows) {
    Set<String> out = new TreeSet<>();
    rows.forEach(r -> out.add(r.toString()));
    return out;
  }
}
