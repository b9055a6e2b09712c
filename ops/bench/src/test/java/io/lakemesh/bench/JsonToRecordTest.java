package io.lakemesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;

/** The typed baseline's conversion, on the real retail.transactions silver schema. */
class JsonToRecordTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final JsonToRecord converter;

  JsonToRecordTest() throws Exception {
    Product transactions = ProductCatalog.load(getClass().getClassLoader(), List.of())
        .find("retail.transactions").orElseThrow();
    converter = new JsonToRecord(transactions.schema().asStruct());
  }

  private Record convert(String json) throws Exception {
    return converter.convert(JSON.readTree(json));
  }

  private static final String SALE = """
      {"transaction_id":"t-1","store_id":"S-0001","region":"NCR","ts":"2026-11-28T08:00:00Z",
       "payment_method":"cash","total_amount":12.5,"unknown_field":true,
       "items":[{"product_id":"p","product_name":"n","brand":"b","category":"c","qty":2,
                 "unit_price":6.25,"line_amount":12.5}]}""";

  @Test
  void coercesEachValueToItsColumnType() throws Exception {
    Record row = convert(SALE);
    assertEquals("t-1", row.getField("transaction_id"));
    assertEquals(OffsetDateTime.parse("2026-11-28T08:00:00Z"), row.getField("ts"));
    assertEquals(new BigDecimal("12.50"), row.getField("total_amount"));
    assertNull(row.getField("customer_id"));
    Record item = (Record) ((List<?>) row.getField("items")).get(0);
    assertEquals(2, item.getField("qty"));
    assertEquals(new BigDecimal("6.25"), item.getField("unit_price"));
  }

  @Test
  void anEventThatDoesNotFitIsRefusedButNoRuleIsChecked() throws Exception {
    assertThrows(JsonToRecord.Unfit.class, () -> convert(SALE.replace("\"ts\":\"2026-11-28T08:00:00Z\",", "")));
    assertThrows(JsonToRecord.Unfit.class, () -> convert(SALE.replace("2026-11-28T08:00:00Z", "yesterday")));
    assertThrows(JsonToRecord.Unfit.class, () -> convert(SALE.replace("\"qty\":2", "\"qty\":\"two\"")));
    // a region outside the enum and a total that does not add up: a sink writes them as they are
    Record unchecked = convert(SALE.replace("NCR", "Atlantis").replace("\"total_amount\":12.5", "\"total_amount\":99"));
    assertEquals("Atlantis", unchecked.getField("region"));
    assertEquals(new BigDecimal("99.00"), unchecked.getField("total_amount"));
  }
}
