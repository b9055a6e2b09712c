package io.lakemesh.retail;

import io.lakemesh.runtime.product.Aggregation;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;

/**
 * retail.daily_sales: revenue, units and transactions per day (UTC) × region × store × category.
 *
 * <p>A transaction counts once per category it has at least one line in; silver has already deduplicated
 * transactions, so summing these ones is a distinct count.
 */
public final class DailySales implements Aggregation {

  @Override
  public String name() {
    return "daily_sales";
  }

  @Override
  public void contribute(Record sale, Emitter out) {
    LocalDate day = ((OffsetDateTime) sale.getField("ts")).withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
    Object region = sale.getField("region");
    Object store = sale.getField("store_id");
    Map<String, Totals> byCategory = new LinkedHashMap<>();
    for (Object o : (List<?>) sale.getField("items")) {
      Record item = (Record) o;
      Totals t = byCategory.computeIfAbsent((String) item.getField("category"), c -> new Totals());
      t.revenue = t.revenue.add((BigDecimal) item.getField("line_amount"));
      t.units += ((Number) item.getField("qty")).longValue();
    }
    byCategory.forEach((category, t) -> out.emit(List.of(day, region, store, category), t.revenue, t.units, 1L));
  }

  private static final class Totals {
    BigDecimal revenue = BigDecimal.ZERO;
    long units;
  }
}
