package io.lakemesh.retail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.SnapshotRetention;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gold that fell behind by more than silver's snapshot retention cannot tell what was appended since its last run:
 * it recomputes from all of silver instead, and stays exact.
 */
class GoldRetentionTest {
  @TempDir
  Path home;

  @Test
  void goldBehindTheUpstreamsRetentionRecomputesExactly() throws Exception {
    ProductCatalog catalog = ProductCatalog.load(getClass().getClassLoader(), List.of());
    Product transactions = catalog.find("retail.transactions").orElseThrow();
    Product dailySales = catalog.find("retail.daily_sales").orElseThrow();
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      SilverFixture source = new SilverFixture(warehouse, transactions, 7);
      Table silver = source.silver;
      SourceBatchCommitter committer = source.committer;
      long offset = 0;
      committer.commit(source.sales(offset, 200));
      offset += 200;
      Table gold = StageTables.served(warehouse, dailySales);
      GoldAggregator aggregator = new GoldAggregator(dailySales, catalog.aggregation(dailySales), gold, silver);
      aggregator.run();

      // gold stops; silver goes on and expires everything but its newest snapshot (and the partition tag)
      for (int batch = 0; batch < 3; batch++) {
        committer.commit(source.sales(offset, 200));
        offset += 200;
      }
      Thread.sleep(5);
      new SnapshotRetention(Duration.ZERO, 1, Duration.ZERO).applyToSource(silver, java.util.Set.of(0, 1, 2));
      silver.refresh();
      assertNull(silver.snapshot(aggregator.upstreamSnapshot().orElseThrow()), "gold's position has expired");

      aggregator.run();
      assertEquals(aggregate(silver), view(gold), "gold recomputed from all of silver");
    }
  }

  private static Map<String, String> aggregate(Table silver) throws Exception {
    Map<List<Object>, Object[]> sums = new HashMap<>();
    DailySales logic = new DailySales();
    silver.refresh();
    try (CloseableIterable<Record> rows = TableReader.read(silver)) {
      for (Record r : rows) {
        logic.contribute(r, (key, measures) -> sums.merge(List.copyOf(key), measures, (a, b) -> new Object[] {
            ((BigDecimal) a[0]).add((BigDecimal) b[0]), (Long) a[1] + (Long) b[1], (Long) a[2] + (Long) b[2]}));
      }
    }
    Map<String, String> view = new TreeMap<>();
    sums.forEach((k, m) -> view.put(k.toString(), m[0] + "/" + m[1] + "/" + m[2]));
    return view;
  }

  private static Map<String, String> view(Table gold) throws Exception {
    gold.refresh();
    Map<String, String> view = new TreeMap<>();
    try (CloseableIterable<Record> rows = TableReader.read(gold)) {
      for (Record r : rows) {
        view.put(List.of(r.getField("day"), r.getField("region"), r.getField("store_id"), r.getField("category"))
            .toString(), r.getField("revenue") + "/" + r.getField("units") + "/" + r.getField("transactions"));
      }
    }
    return view;
  }
}
