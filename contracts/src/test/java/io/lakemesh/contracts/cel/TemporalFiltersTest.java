package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dates and times are text in CEL: they compare as the rows API writes them ({@code 10:15:00}, not java.time's
 * {@code 10:15}), and a literal written otherwise is refused instead of comparing as text.
 */
class TemporalFiltersTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static RowExpressions cel;
  private static List<GenericRecord> rows;

  @BeforeAll
  static void contract() throws Exception {
    Contract contract = ContractParser.parse("auths", """
        apiVersion: v3.1.0
        kind: DataContract
        id: pay.auths
        version: 1.0.0
        status: active
        schema:
          - name: auths
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: d, logicalType: date}
              - {name: t, logicalType: time}
              - {name: at, logicalType: timestamp}
        """);
    Schema schema = IcebergMapping.schema(contract);
    cel = RowExpressions.forFields(contract.table().fields());
    rows = List.of(row(schema, "a", "2026-09-01", LocalTime.of(10, 15)),
        row(schema, "b", "2026-10-15", LocalTime.of(10, 15, 0, 500_000_000)),
        row(schema, "c", "2026-11-25", LocalTime.MIDNIGHT),
        row(schema, "d", "2026-11-25", LocalTime.of(23, 59, 59, 999_999_000)));
  }

  private static GenericRecord row(Schema schema, String id, String day, LocalTime time) {
    GenericRecord r = GenericRecord.create(schema);
    r.setField("id", id);
    r.setField("d", LocalDate.parse(day));
    r.setField("t", time);
    return r;
  }

  private static List<String> matching(String filter) throws Exception {
    RowPredicate p = cel.compile(filter);
    List<String> ids = new java.util.ArrayList<>();
    for (GenericRecord r : rows) {
      if (p.test(r, NOW)) {
        ids.add((String) r.getField("id"));
      }
    }
    return ids;
  }

  @Test
  void timesCompareAsTheRowsApiWritesThem() throws Exception {
    assertEquals(List.of("a"), matching("t == \"10:15:00\""));
    assertEquals(List.of("b"), matching("t == \"10:15:00.5\""));
    assertEquals(List.of("c"), matching("t == \"00:00:00\""));
    assertEquals(List.of("a", "c"), matching("t < \"10:15:00.5\""));
    assertEquals(List.of("a", "b", "d"), matching("t >= \"10:15:00\""));
    assertEquals(List.of("d"), matching("t > \"23:59:59.9\""));
    assertEquals(List.of("a", "c"), matching("t in [\"10:15:00\", \"00:00:00\"]"));
    assertEquals(List.of("a"), matching("row.t.startsWith(\"10:15:00\") && size(row.t) == 8"));
  }

  @Test
  void timestampAndDurationLiteralsCelReadsAreAccepted() throws Exception {
    for (String filter : new String[] {"at > timestamp(\"2026-11-26T00:00:00Z\")",
        "at > timestamp(\"2026-11-26T08:00:00.123+08:00\")", "at > now - duration(\"1h30m\")",
        "at > now - duration(\"1.5s\")", "at < now + duration(\"-90ms\")", "at > now - duration(\"0\")"}) {
      cel.compile(filter);
    }
  }

  @Test
  void datesCompareAsIsoText() throws Exception {
    assertEquals(List.of("a", "b"), matching("d < \"2026-11-01\""));
    assertEquals(List.of("c", "d"), matching("row.d == \"2026-11-25\""));
  }

  @Test
  void aLiteralNotWrittenAsTheColumnsValuesIsRefused() {
    for (String[] bad : new String[][] {
        {"t == \"10:15\"", "write \"10:15:00\""},
        {"t < \"9:00\"", "'9:00' is not a time"},
        {"t == \"10:15:00.123456789\"", "write \"10:15:00.123456\""},
        {"t > \"25:99\"", "'25:99' is not a time"},
        {"\"10:15:00.500\" == t", "write \"10:15:00.5\""},
        {"d < \"2026-9-1\"", "'2026-9-1' is not a date"},
        {"d < \"+12026-01-01\"", "outside the years 0000-9999"},
        {"d >= \"2026-11-25T00:00:00Z\"", "is not a date"},
        {"d in [\"2026-11-25\", \"not-a-date\"]", "'not-a-date' is not a date"},
        {"at > \"2026-01-01\"", "compare with timestamp("},
        {"at > timestamp(\"2026-11-26\")", "'2026-11-26' is not a timestamp with an offset"},
        {"at > now - duration(\"1 hour\")", "'1 hour' is not a duration"}}) {
      InvalidExpressionException e = assertThrows(InvalidExpressionException.class, () -> cel.compile(bad[0]),
          bad[0]);
      assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
    }
  }
}
