package io.lakemesh.runtime.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.Threshold;
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
      """;

  /** Rules the parser refuses, each with the problem lint reports at its pointer. */
  private static final String BAD_RULES = """
            - name: broken_query
              type: sql
              query: SELECT nope FROM ${object}
              mustBe: 0
            - name: no_escape
              type: sql
              query: SELECT COUNT(*) FROM read_csv('/etc/passwd')
              mustBe: 0
            - name: typo
              type: sql
              query: SELEC nonsense FROM
              mustBe: 0
            - name: not_a_number
              type: sql
              query: SELECT MAX(id) FROM ${table}
              mustBe: 0
            - name: wrong_table
              type: sql
              query: SELECT COUNT(*) FROM shipments
              mustBe: 0
            - name: other_tools_placeholder
              type: sql
              query: SELECT COUNT(*) FROM ${TARGET_TABLE}
              mustBe: 0
            - name: jdbc_parameter
              type: sql
              query: SELECT COUNT(*) FROM ${object} WHERE amount > ?
              mustBe: 0
      """;

  @TempDir
  Path home;

  @Test
  void theParserBindsEachQueryAgainstTheContractsColumnsAndPointsAtIt() {
    InvalidContractException e = assertThrows(InvalidContractException.class,
        () -> ContractParser.parse("orders", CONTRACT + BAD_RULES));
    Map<String, String> byPath = new java.util.HashMap<>();
    e.problems().forEach(p -> byPath.put(p.path(), p.reason()));
    assertEquals(7, e.problems().size(), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/2/query").contains("Binder Error")
        && byPath.get("/schema/0/quality/2/query").contains("nope"), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/3/query").contains("Permission Error"), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/4/query").startsWith("sql rule 'typo': Parser Error"), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/5/query").contains("must return one number"), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/6/query").contains("${object}"), e.getMessage());
    assertTrue(byPath.get("/schema/0/quality/7/query").endsWith("(${TARGET_TABLE} is no placeholder Lakemesh"
        + " replaces: {object} or ${object} is the batch, ${table} the whole table, {property} or ${property} the"
        + " rule's property)"), e.getMessage());
    assertEquals("sql rule 'jdbc_parameter': the query has 1 parameter ('?', '$1'), which nothing binds: write the"
        + " values into the query", byPath.get("/schema/0/quality/8/query"), e.getMessage());
  }

  @Test
  void theSpecsPlaceholdersNameTheBatchAndTheRulesProperty() throws Exception {
    // ODCS's data-quality page writes {object} and {property}; a property-level rule gets its column
    String propertyRule = CONTRACT.replace("        physicalType: decimal(10,2)\n", "        physicalType: decimal(10,2)\n"
        + "        quality:\n"
        + "          - {name: amount_set, type: sql, query: 'SELECT COUNT(*) FROM {object} WHERE {property} IS NULL',"
        + " mustBe: 0}\n"
        + "          - {name: amount_set_too, type: sql, query: 'SELECT COUNT(*) FROM ${object} WHERE ${column} IS NULL',"
        + " mustBe: 0}\n");
    assertTrue(propertyRule.contains("amount_set_too"), "the test edits the contract");
    Contract c = ContractParser.parse("orders", propertyRule);
    assertEquals(4, c.table().fields().stream().mapToLong(f -> f.quality().size()).sum()
        + c.table().quality().size(), c.table().toString());
  }

  @Test
  void onlyOneSelectReturningOneNumberPasses() {
    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put("ATTACH '/tmp/x.db' AS x", "must be one SELECT");
    refused.put("SET enable_external_access=true", "must be one SELECT");
    refused.put("INSTALL httpfs", "must be one SELECT");
    refused.put("PRAGMA database_list", "must be one SELECT");
    refused.put("SELECT 1; SELECT 2", "not 2 statements");
    refused.put("SELECT 1, 2", "one column, a number, not 2 columns");
    refused.put("SELECT TRUE", "must return one number, not BOOLEAN");
    refused.forEach((query, reason) -> {
      InvalidContractException e = assertThrows(InvalidContractException.class,
          () -> ContractParser.parse("orders", CONTRACT + sqlRule(query)), query);
      assertEquals(1, e.problems().size(), e.getMessage());
      assertEquals("/schema/0/quality/2/query", e.problems().get(0).path(), e.getMessage());
      assertTrue(e.problems().get(0).reason().contains(reason), query + ": " + e.getMessage());
    });
    for (String query : List.of("WITH neg AS (SELECT * FROM ${object} WHERE amount < 0) SELECT COUNT(*) FROM neg",
        "SELECT SUM(amount) FROM ${object};", "SELECT SUM(COUNT(*)) OVER () FROM ${table}")) {
      try {
        ContractParser.parse("orders", CONTRACT + sqlRule(query));
      } catch (InvalidContractException e) {
        throw new AssertionError(query + " must pass: " + e.getMessage(), e);
      }
    }
  }

  private static String sqlRule(String query) {
    // the same indentation as the rules of CONTRACT once the text block's margin is stripped
    return "      - name: r\n        type: sql\n        query: \"" + query.replace("\"", "\\\"")
        + "\"\n        mustBe: 0\n";
  }

  /**
   * Lint lists every problem in one run: on a document whose columns have problems of their own (a name twice, a
   * nested name twice), the sql rules are still bound against the columns that map, and a rule that reads a broken
   * column says so (QA: all sql rules waited for the next lint).
   */
  @Test
  void sqlRulesAreCheckedBesideTheColumnsOwnProblems() {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.things
        version: 1.0.0
        status: active
        schema:
          - name: things
            properties:
              - {name: id, logicalType: string, required: true, primaryKey: true}
              - {name: id, logicalType: string}
              - name: loc
                logicalType: object
                properties:
                  - {name: lat, logicalType: number}
                  - {name: lat, logicalType: number}
              - {name: temp, logicalType: number}
            quality:
              - {name: unknown_column, type: sql, query: 'SELECT COUNT(*) FROM ${object} WHERE nosuch > 1', mustBe: 0}
              - {name: reads_loc, type: sql, query: 'SELECT COUNT(*) FROM ${object} WHERE loc IS NULL', mustBe: 0}
              - {name: fine, type: sql, query: 'SELECT COUNT(*) FROM ${object} WHERE temp > 100', mustBe: 0}
        """;
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("t", text));
    String all = e.getMessage();
    assertTrue(all.contains("/schema/0/quality/0/query: sql rule 'unknown_column': Binder Error"), all);
    assertTrue(all.contains("/schema/0/quality/1/query: sql rule 'reads_loc' reads 'loc', whose own problem is"
        + " listed"), all);
    assertFalse(all.contains("quality/2"), all);
    assertFalse(all.contains("could not be checked"), all);
  }

  /** A quarantine reason of a sql rule names its field as a row rule's does (QA: it was empty). */
  @Test
  void aReasonOfARuleOfTheObjectNamesTheColumnsItsQueryReads() throws Exception {
    String text = CONTRACT.replace("        physicalType: decimal(10,2)\n", "        physicalType: decimal(10,2)\n"
        + "        quality:\n"
        + "          - {name: amount_set, type: sql, query: 'SELECT COUNT(*) FROM {object} WHERE {property} IS NULL',"
        + " mustBe: 0}\n")
        + "      - name: ids_match_amounts\n        type: sql\n"
        + "        query: \"SELECT COUNT(*) FROM ${object} o WHERE o.\\\"AMOUNT\\\" > 5 AND lower(id) <> 'amount'\"\n"
        + "        mustBe: 0\n";
    Contract contract = ContractParser.parse("orders", text);
    try (SqlRules rules = SqlRules.of(contract, home)) {
      assertEquals("amount", rules.reasonField("no_negative_amounts"));
      assertEquals("id,amount", rules.reasonField("ids_match_amounts"), "in the contract's order, any case; not"
          + " a string that spells a column");
      assertEquals("", rules.reasonField("table_has_rows"), "a query that reads no column");
      assertEquals("amount", rules.reasonField("amount_set"), "a rule of a property names it");
      assertEquals("", rules.reasonField("no_such_rule"));
    }
  }

  @Test
  void countsOffendersInTheBatchAndRefusesWhatTheSandboxForbids() throws Exception {
    Contract valid = ContractParser.parse("orders", CONTRACT);
    // rules the parser would refuse, put in by hand: the runtime sandbox must hold on its own
    List<QualityRule> quality = new java.util.ArrayList<>(valid.table().quality());
    quality.add(new QualityRule.Sql("broken_query", Severity.ERROR, null, "SELECT nope FROM ${object}",
        Threshold.ZERO));
    quality.add(new QualityRule.Sql("no_escape", Severity.ERROR, null, "SELECT COUNT(*) FROM read_csv('/etc/passwd')",
        Threshold.ZERO));
    // a query written for other tools names the table itself: the whole table, as ${table}
    quality.add(new QualityRule.Sql("by_name", Severity.ERROR, null,
        "SELECT COUNT(*) FROM Orders o WHERE o.amount < 0;", Threshold.ZERO));
    Contract contract = new Contract(valid.id(), valid.name(), valid.version(), valid.status(), valid.domain(),
        valid.dataProduct(), valid.description(), valid.owner(),
        new Contract.TableSchema(valid.table().name(), valid.table().description(), valid.table().fields(), quality),
        valid.roles(), valid.slaProperties(), valid.settings(), valid.document());
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
        Map<String, io.lakemesh.contracts.validate.BatchChecks.Verdict> verdicts = new java.util.HashMap<>();
        rules.evaluate(paths, paths).forEach(v -> verdicts.put(v.rule(), v));
        io.lakemesh.contracts.validate.BatchChecks.Verdict negatives = verdicts.get("no_negative_amounts");
        assertFalse(negatives.passed());
        assertEquals(0, new BigDecimal(2).compareTo(negatives.measured()));
        assertTrue(verdicts.get("table_has_rows").passed());
        assertEquals(0, new BigDecimal(2).compareTo(verdicts.get("by_name").measured()),
            verdicts.get("by_name").message());
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
