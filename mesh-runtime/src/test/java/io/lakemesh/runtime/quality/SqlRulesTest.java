package io.lakemesh.runtime.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SQL rules on real Parquet files written by Iceberg, evaluated by a sandboxed DuckDB. */
class SqlRulesTest {
  private static final String CONTRACT = """
      apiVersion: v3.1.0
      kind: DataContract
      id: shop.orders
      version: 1.0.0
      status: active
      domain: shop
      schema:
        - name: orders
          properties:
            - name: id
              logicalType: string
              required: true
              primaryKey: true
            - name: amount
              logicalType: number
              physicalType: decimal(10,2)
              required: true
          quality:
            - name: no_negative_amounts
              type: sql
              query: SELECT COUNT(*) FROM ${object} WHERE amount < 0
              mustBe: 0
              severity: critical
            - name: table_has_rows
              type: sql
              query: SELECT COUNT(*) FROM ${table}
              mustBeGreaterThan: 0
            - name: broken_query
              type: sql
              query: SELECT nope FROM ${object}
              mustBe: 0
            - name: no_escape
              type: sql
              query: SELECT COUNT(*) FROM read_csv('/etc/passwd')
              mustBe: 0
      """;

  @TempDir
  Path home;

  @Test
  void countsOffendersInTheBatchAndRefusesWhatTheSandboxForbids() throws Exception {
    Contract contract = ContractParser.parse("orders", CONTRACT);
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      var schema = IcebergMapping.schema(contract);
      Table table = warehouse.createOrLoad(TableIdentifier.of("shop", "orders"), schema,
          IcebergMapping.partitionSpec(contract, schema), Map.of());
      GenericRecord template = GenericRecord.create(table.schema());
      List<DataFile> files = TableWriter.write(table, List.of(
          row(template, "a", "10.00"), row(template, "b", "-1.50"), row(template, "c", "-2.00")));
      List<String> paths = files.stream().map(DataFile::location).toList();
      assertTrue(paths.stream().allMatch(p -> Files.exists(Path.of(p.replaceFirst("^file:", "")))), paths.toString());
      try (SqlRules rules = SqlRules.of(contract, home)) {
        Map<String, SqlRules.Verdict> verdicts = new java.util.HashMap<>();
        rules.evaluate(paths, paths).forEach(v -> verdicts.put(v.rule(), v));
        SqlRules.Verdict negatives = verdicts.get("no_negative_amounts");
        assertFalse(negatives.passed());
        assertEquals(0, new BigDecimal(2).compareTo(negatives.measured()));
        assertTrue(verdicts.get("table_has_rows").passed());
        assertFalse(verdicts.get("broken_query").passed());
        assertTrue(verdicts.get("broken_query").message().contains("cannot run"));
        assertFalse(verdicts.get("no_escape").passed(), "reading outside the warehouse must be refused");
        assertTrue(verdicts.get("no_escape").message().contains("cannot run"), verdicts.get("no_escape").message());
      }
    }
  }

  private static GenericRecord row(GenericRecord template, String id, String amount) {
    GenericRecord r = template.copy();
    r.setField("id", id);
    r.setField("amount", new BigDecimal(amount));
    return r;
  }
}
