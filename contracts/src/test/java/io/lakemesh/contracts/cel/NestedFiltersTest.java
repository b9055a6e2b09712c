package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/**
 * Filters over timestamps, dates and decimals inside objects and arrays, on rows as Iceberg's reader returns them:
 * the compiled closures and the interpreter must agree, and both must be able to compare.
 */
class NestedFiltersTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  @Test
  void nestedTimestampsDatesAndDecimalsCompare() throws Exception {
    Contract contract = contract();
    Schema schema = IcebergMapping.schema(contract);
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    GenericRecord row = row(schema);
    GenericRecord ev = GenericRecord.create(schema.findField("ev").type().asStructType());
    ev.setField("at", OffsetDateTime.of(2025, 11, 25, 10, 0, 0, 0, ZoneOffset.UTC));
    ev.setField("day", LocalDate.of(2025, 11, 25));
    ev.setField("kind", "pickup");
    row.setField("ev", ev);
    Types.StructType readingType = schema.findField("readings").type().asListType().elementType().asStructType();
    GenericRecord reading = GenericRecord.create(readingType);
    reading.setField("at", OffsetDateTime.of(2025, 11, 25, 9, 59, 45, 0, ZoneOffset.UTC));
    reading.setField("value", new BigDecimal("3.50"));
    row.setField("readings", List.of(reading));

    assertAgree(cel, row, "ev.at < timestamp('2025-11-25T10:00:01Z')", true);
    assertAgree(cel, row, "ev.at > timestamp('2025-11-25T10:00:01Z')", false);
    assertAgree(cel, row, "row.ev.at == timestamp('2025-11-25T10:00:00Z')", true);
    assertAgree(cel, row, "ev.at + duration('1h') > now", false);
    assertAgree(cel, row, "readings.exists(r, r.at > timestamp('2025-11-25T09:59:30Z'))", true);
    assertAgree(cel, row, "readings.all(r, r.at < timestamp('2025-11-25T09:59:30Z'))", false);
    assertAgree(cel, row, "readings.exists(r, r.value > 3.0)", true);
    assertAgree(cel, row, "ev.day == '2025-11-25' && ev.kind == 'pickup'", true);
  }

  @Test
  void aNullItemDoesNotHideAMatchOfAnother() throws Exception {
    Contract contract = contract();
    Schema schema = IcebergMapping.schema(contract);
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    Types.StructType readingType = schema.findField("readings").type().asListType().elementType().asStructType();
    GenericRecord reading = GenericRecord.create(readingType);
    reading.setField("at", OffsetDateTime.of(2025, 11, 25, 9, 59, 45, 0, ZoneOffset.UTC));
    reading.setField("value", new BigDecimal("3.50"));
    for (List<GenericRecord> items : List.of(java.util.Arrays.asList(null, reading),
        java.util.Arrays.asList(reading, null))) {
      GenericRecord row = row(schema);
      row.setField("readings", items);
      // as CEL's exists and all mean it: one item decides, whatever another (a null one) cannot answer
      assertAgree(cel, row, "readings.exists(r, r.value > 3.0)", true);
      assertAgree(cel, row, "readings.all(r, r.value > 5.0)", false);
      // and a null item can be told: it is null, and it has no members
      assertAgree(cel, row, "readings.exists(r, r == null)", true);
      assertAgree(cel, row, "readings.all(r, r != null && r.value > 3.0)", false);
      assertAgree(cel, row, "readings.exists(r, r != null && r.value > 3.0)", true);
    }
    // a member of an item is absent, never null: the hint is written as the loop reads it
    assertRefused(cel, "readings.exists(r, r.at == null)", "write !has(r.at) for a missing value");
  }

  @Test
  void aFailureOnARowThatLacksANestedValueNamesWhatItLacks() throws Exception {
    Contract contract = contract();
    Schema schema = IcebergMapping.schema(contract);
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    GenericRecord row = row(schema);
    GenericRecord ev = GenericRecord.create(schema.findField("ev").type().asStructType());
    ev.setField("kind", "pickup"); // no `at`, no `day`
    row.setField("ev", ev);
    Types.StructType readingType = schema.findField("readings").type().asListType().elementType().asStructType();
    GenericRecord reading = GenericRecord.create(readingType);
    reading.setField("value", new BigDecimal("3.50")); // no `at`
    row.setField("readings", java.util.Arrays.asList(reading, null));

    RowPredicate at = cel.compile("ev.at < timestamp('2025-11-25T10:00:01Z')");
    dev.cel.runtime.CelEvaluationException missing = org.junit.jupiter.api.Assertions.assertThrows(
        dev.cel.runtime.CelEvaluationException.class, () -> at.test(row, NOW), "CEL cannot compare what is not there");
    assertEquals(List.of("ev.at"), at.absent(row));
    assertEquals(List.of("ev.at"), at.absentBehind(missing, row), "the failure is the absence");
    // a failure of the expression's own stays one, whatever the row lacks
    RowPredicate guarded = cel.compile("!has(ev.at) && int('x') > 0 || ev.at < timestamp('2025-11-25T10:00:01Z')");
    dev.cel.runtime.CelEvaluationException bad = org.junit.jupiter.api.Assertions.assertThrows(
        dev.cel.runtime.CelEvaluationException.class, () -> guarded.test(row, NOW));
    assertEquals(List.of(), guarded.absentBehind(bad, row), bad.getMessage());
    assertEquals(List.of("readings[1]", "readings[0].at"),
        cel.compile("readings.all(r, r.at > timestamp('2025-11-25T09:59:30Z'))").absent(row));
    assertEquals(List.of(), cel.compile("ev.kind == 'x' && size(readings) > 1").absent(row),
        "every value it reads is there");
    row.setField("ev", null);
    assertEquals(List.of("ev"), cel.compile("row.ev.day == '2025-11-25'").absent(row));
  }

  @Test
  void nestedPropertiesAreTypeChecked() throws Exception {
    Contract contract = contract();
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    assertRefused(cel, "ev.knd == 'x'", "'ev' has no property 'knd'");
    assertRefused(cel, "evt.kind == 'x'", "'evt' is not a column (columns: id, ev, readings; also row, now)");
    assertRefused(cel, "ev.kind + 1 == 2", "_+_");
    assertRefused(cel, "ev.kind", "bool");
    assertRefused(cel, "readings.exists(r, r.at > 'x')", "_>_");
    assertRefused(cel, "readings.exists(r, r.value == true)", "_==_");
  }

  /** A row of the test table with only its key set. */
  @Test
  void aFloatColumnComparesAsTheDecimalItPrintsAs() throws Exception {
    Contract contract = ContractParser.parse("f32", """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.humidity
        version: 1.0.0
        status: active
        schema:
          - name: humidity
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: humidity, logicalType: number, logicalTypeOptions: {format: f32}}
        """);
    Schema schema = IcebergMapping.schema(contract);
    assertEquals(Types.FloatType.get(), schema.findField("humidity").type());
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    GenericRecord row = GenericRecord.create(schema);
    row.setField("id", "h1");
    row.setField("humidity", 99.99f); // the API shows 99.99; widened to a double it is 99.98999786376953
    assertAgree(cel, row, "humidity == 99.99", true);
    assertAgree(cel, row, "humidity >= 99.99", true);
    assertAgree(cel, row, "humidity in [99.99]", true);
    assertAgree(cel, row, "humidity > 99.99", false);
    assertAgree(cel, row, "humidity < 99.991 && humidity > 99.989", true);
  }

  private static GenericRecord row(Schema schema) {
    GenericRecord row = GenericRecord.create(schema);
    row.setField("id", "a");
    return row;
  }

  private static Contract contract() throws Exception {
    try (InputStream in = NestedFiltersTest.class.getResourceAsStream("/contracts/nested-filters.odcs.yaml")) {
      return ContractParser.parse("nested-filters.odcs.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void assertRefused(RowExpressions cel, String expression, String mentioning) {
    InvalidExpressionException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidExpressionException.class,
        () -> cel.compile(expression), expression);
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(mentioning), e.getMessage());
  }

  private static void assertAgree(RowExpressions cel, GenericRecord row, String filter, boolean expected)
      throws Exception {
    RowPredicate p = cel.compile(filter);
    assertEquals(expected, p.interpret(row, NOW), "interpreter: " + filter);
    Boolean compiled = p.testCompiled(row, NOW);
    if (compiled != null) {
      assertEquals(expected, compiled, "closures: " + filter);
    }
    assertEquals(expected, p.test(row, NOW), filter);
  }
}
