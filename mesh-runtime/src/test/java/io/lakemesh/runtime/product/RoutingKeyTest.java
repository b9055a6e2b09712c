package io.lakemesh.runtime.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.validate.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The key an event is routed by (from its JSON text) must equal the key a worker computes from the typed row the
 * validator makes of the same event, or a worker would not find its own keys in silver after a restart.
 */
class RoutingKeyTest {

  private static Product product(String keyProperty) throws Exception {
    return Product.of(ContractParser.parse("k.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.keys
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: keys
            properties:
              - %s
              - {name: n, logicalType: integer}
        """.formatted(keyProperty)));
  }

  @ParameterizedTest(name = "{0} written {1}")
  @CsvSource(delimiter = '|', value = {
      "{name: k, logicalType: string, primaryKey: true, required: true}|\"A-1\"|\"A-1\"",
      "{name: k, logicalType: integer, primaryKey: true, required: true}|42|42",
      "{name: k, logicalType: integer, physicalType: bigint, primaryKey: true, required: true}|-7|-7",
      "{name: k, logicalType: number, physicalType: 'decimal(10,2)', primaryKey: true, required: true}|1.5|1.50",
      "{name: k, logicalType: number, physicalType: double, primaryKey: true, required: true}|1.50|1.5",
      "{name: k, logicalType: number, physicalType: double, primaryKey: true, required: true}|-0.0|0",
      "{name: k, logicalType: timestamp, primaryKey: true, required: true}|\"2026-11-25T12:00:00+02:00\"|\"2026-11-25T10:00:00Z\"",
      "{name: k, logicalType: timestamp, primaryKey: true, required: true}|\"2026-11-25T10:00:00\"|\"2026-11-25T10:00:00Z\"",
      "{name: k, logicalType: timestamp, primaryKey: true, required: true}|1795600800000|\"2026-11-25T10:00:00Z\"",
      "{name: k, logicalType: timestamp, primaryKey: true, required: true}|\"2026-11-25\"|\"2026-11-25 00:00:00+0000\"",
      "{name: k, logicalType: timestamp, logicalTypeOptions: {defaultTimezone: Asia/Manila}, primaryKey: true, required: true}|\"2026-11-25 18:00:00\"|\"2026-11-25T10:00:00Z\"",
      "{name: k, logicalType: timestamp, logicalTypeOptions: {format: yyyyMMddHHmmss}, primaryKey: true, required: true}|\"20261125100000\"|1795600800000",
      // stored in microseconds (Iceberg's precision): a nanosecond more is the same key, not a second row
      "{name: k, logicalType: timestamp, primaryKey: true, required: true}|\"2026-11-25T10:00:05.123456789Z\"|\"2026-11-25T10:00:05.123456Z\"",
      "{name: k, logicalType: time, primaryKey: true, required: true}|\"10:15:00.123456789\"|\"10:15:00.123456\"",
      "{name: k, logicalType: time, primaryKey: true, required: true}|\"10:15\"|\"10:15:00\"",
      "{name: k, logicalType: date, primaryKey: true, required: true}|\"2026-11-05\"|\"2026-11-05\"",
      "{name: k, logicalType: date, logicalTypeOptions: {format: dd/MM/yyyy}, primaryKey: true, required: true}|\"05/11/2026\"|\"05/11/2026\""})
  void theKeyOfAnEventAndOfItsTypedRowAgree(String property, String written, String writtenOtherwise)
      throws Exception {
    Product p = product(property);
    RoutingKey routing = RoutingKey.of(p).orElseThrow();
    String key = null;
    for (String json : new String[] {written, writtenOtherwise}) {
      Outcome outcome = p.validator().validate(("{\"k\":" + json + ",\"n\":1}").getBytes(StandardCharsets.UTF_8),
          Instant.parse("2026-11-26T00:00:00Z"));
      assertTrue(outcome instanceof Outcome.Accepted, json + ": " + outcome);
      Object typed = ((Outcome.Accepted) outcome).row().getField("k");
      String text = json.startsWith("\"") ? json.substring(1, json.length() - 1) : json;
      assertEquals(routing.fromValue(typed), routing.fromJson(text), json + " typed as " + typed);
      if (key == null) {
        key = routing.fromJson(text);
      }
      assertEquals(key, routing.fromJson(text), "two ways of writing one key route apart");
    }
  }

  @Test
  void aCompositeKeyRoutesByItsFirstColumnAndNoKeyMeansNoRouting() throws Exception {
    Product composite = Product.of(ContractParser.parse("c.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.lines
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: lines
            properties:
              - {name: line_no, logicalType: integer, primaryKey: true, primaryKeyPosition: 2, required: true}
              - {name: order_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1, required: true}
        """));
    assertEquals("order_id", RoutingKey.of(composite).orElseThrow().column());
    Product none = Product.of(ContractParser.parse("n.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.views
        version: 1.0.0
        status: active
        domain: shop
        schema:
          - name: views
            properties:
              - {name: page, logicalType: string}
        """));
    assertTrue(RoutingKey.of(none).isEmpty());
  }
}
