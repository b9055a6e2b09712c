package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.junit.jupiter.api.Test;

/** Rows whose optional column is null are found with {@code has(row.<column>)}, as the README shows. */
class NullFiltersTest {

  @Test
  void hasOnTheRowTellsNullFromSet() throws Exception {
    Contract contract;
    try (InputStream in = getClass().getResourceAsStream("/contracts/filters.odcs.yaml")) {
      contract = ContractParser.parse("filters.odcs.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    Schema schema = IcebergMapping.schema(contract);
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    GenericRecord withS = GenericRecord.create(schema);
    withS.setField("s", "x");
    GenericRecord withoutS = GenericRecord.create(schema);
    Instant now = Instant.parse("2026-11-25T10:00:00Z");

    RowPredicate isNull = cel.compile("!has(row.s)");
    RowPredicate isSet = cel.compile("has(row.s) && row.s == \"x\"");
    assertTrue(isNull.test(withoutS, now));
    assertFalse(isNull.test(withS, now));
    assertTrue(isSet.test(withS, now));
    assertFalse(isSet.test(withoutS, now));
    InvalidExpressionException error = org.junit.jupiter.api.Assertions.assertThrows(
        InvalidExpressionException.class, () -> cel.compile("s == null"));
    assertTrue(error.getMessage().equals("s == null: a missing value is not null here (write !has(row.s) for a missing"
        + " value, has(row.s) for a present one)"), error.getMessage());
  }

  @Test
  void aNullComparisonIsRefusedForTimestampsAndObjectsToo() throws Exception {
    Contract contract = ContractParser.parse("trips", """
        apiVersion: v3.1.0
        kind: DataContract
        id: fleet.trips
        version: 1.0.0
        status: active
        schema:
          - name: trips
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: dropoff_ts, logicalType: timestamp}
              - name: dropoff
                logicalType: object
                properties:
                  - {name: city, logicalType: string}
                  - {name: at, logicalType: timestamp}
        """);
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    // CEL lets these through (timestamps and objects are nullable messages to it), but they never match here
    for (String filter : new String[] {"dropoff_ts == null", "null == dropoff_ts", "dropoff != null",
        "dropoff.at == null", "id == \"a\" || dropoff == null"}) {
      InvalidExpressionException error = org.junit.jupiter.api.Assertions.assertThrows(
          InvalidExpressionException.class, () -> cel.compile(filter), filter);
      assertTrue(error.getMessage().contains("a missing value is not null here (write !has(row."), error.getMessage());
    }
    InvalidExpressionException nested = org.junit.jupiter.api.Assertions.assertThrows(
        InvalidExpressionException.class, () -> cel.compile("dropoff.at == null"));
    assertTrue(nested.getMessage().contains("!has(row.dropoff.at)"), nested.getMessage());
    cel.compile("!has(row.dropoff_ts) || !has(row.dropoff.at)");
    // the row itself is no column: CEL's checker refuses comparing it with null, a 400 (it was an
    // IndexOutOfBoundsException, a 500)
    InvalidExpressionException row = org.junit.jupiter.api.Assertions.assertThrows(
        InvalidExpressionException.class, () -> cel.compile("row == null"));
    assertTrue(row.getMessage().contains("'(map(string, dyn), null)'"), row.getMessage());
  }
}
