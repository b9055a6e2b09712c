package io.lakemesh.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractExplainCommandTest {

  @TempDir
  Path dir;

  private CliRun explain(String contract) throws IOException {
    Path file = dir.resolve("orders.odcs.yaml");
    Files.writeString(file, contract);
    return CliRun.execute(new ContractExplainCommand(), file.toString());
  }

  private static void assertLine(String out, String regex) {
    assertTrue(out.lines().anyMatch(l -> l.matches(regex)), () -> "no line matches " + regex + " in\n" + out);
  }

  @Test
  void aDirectoryOrSeveralFilesAreExplainedFileByFile() throws IOException {
    Path contracts = Files.createDirectory(dir.resolve("contracts"));
    Files.writeString(contracts.resolve("orders.odcs.yaml"), ContractLintCommandTest.orders());
    Files.writeString(contracts.resolve("hub_daily.odcs.yaml"), Files.readString(Path.of("..", "contracts", "src",
        "test", "resources", "aggregate", "hub_daily.odcs.yaml")));
    Files.writeString(contracts.resolve("notes.txt"), "not a contract");
    CliRun run = CliRun.execute(new ContractExplainCommand(), contracts.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertLine(run.out(), "shop\\.orders 2\\.1\\.0 \\(active\\): orders");
    assertLine(run.out(), "Aggregation \\(from logistics\\.shipments, kept incrementally\\)");

    // an invalid one among them: its problems, the others explained, exit 1
    Path broken = dir.resolve("broken.odcs.yaml");
    Files.writeString(broken, "apiVersion: v3.1.0\nkind: DataContract\n");
    run = CliRun.execute(new ContractExplainCommand(), contracts.resolve("orders.odcs.yaml").toString(),
        broken.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertLine(run.out(), "shop\\.orders 2\\.1\\.0 \\(active\\): orders");
    assertTrue(run.err().contains("explain: " + broken + " is not a valid contract"), run.err());
    assertEquals(2, CliRun.execute(new ContractExplainCommand(), dir.resolve("nowhere").toString()).exitCode());
  }

  @Test
  void anOlderMajorBesideANewerOneSaysTheIdItIsServedUnder() throws IOException {
    Path contracts = Files.createDirectories(dir.resolve("majors"));
    String orders = ContractLintCommandTest.orders();
    Files.writeString(contracts.resolve("orders.odcs.yaml"), orders);
    Files.writeString(contracts.resolve("orders-v3.odcs.yaml"), orders.replace("version: 2.1.0", "version: 3.0.0"));
    CliRun run = CliRun.execute(new ContractExplainCommand(), contracts.toString());
    assertEquals(0, run.exitCode(), run.err());
    assertLine(run.out(), "  served as shop\\.orders@v2 beside major version 3, which is shop\\.orders");
    assertEquals(1, run.out().split("served as", -1).length - 1, "only the older major: " + run.out());
  }

  @Test
  void aDeclaredGoldShowsWhatEachColumnHolds() throws IOException {
    CliRun run = explain(Files.readString(Path.of("..", "contracts", "src", "test", "resources", "aggregate",
        "hub_daily.odcs.yaml")));
    String out = run.out();
    assertEquals(0, run.exitCode(), out + run.err());
    assertLine(out, "  transform +declared by the columns \\(see Aggregation\\)");
    assertLine(out, "Aggregation \\(from logistics\\.shipments, kept incrementally\\)");
    assertLine(out, "  day +group by day\\(shipped_at\\)");
    assertLine(out, "  kind +group by parcels\\.kind");
    assertLine(out, "  shipments +count\\(distinct shipment_id\\)");
    assertLine(out, "  heaviest +max\\(parcels\\.weight\\)");
  }

  @Test
  void showsWhatTheContractYields() throws IOException {
    CliRun run = explain(ContractLintCommandTest.orders());
    String out = run.out();
    assertEquals(0, run.exitCode(), out + run.err());
    assertEquals("", run.err());

    // the product
    assertLine(out, "shop\\.orders 2\\.1\\.0 \\(active\\): orders");
    assertLine(out, "  stage +source \\(tables: bronze, silver, quarantine\\)");
    assertLine(out, "  primary key +order_id");
    assertLine(out, "  kafka partitions +6");
    assertLine(out, "  raw topic +shop\\.orders\\.raw \\(records keyed by order_id, murmur2-partitioned: see README,"
        + " Ingest\\)");
    // the Iceberg schema, one line per column with id, type, required, nested columns indented
    assertLine(out, "  \\(ids as a new table gets them; a table evolved in place keeps its own, in its Iceberg"
        + " metadata\\)");
    assertLine(out, " +1  order_id +string +required");
    assertLine(out, " +5  total +decimal\\(10, 2\\) +required");
    assertLine(out, " +4  email +string +optional");
    assertLine(out, " +\\d+  lines +list +required");
    assertLine(out, " +\\d+    element +struct +required");
    assertLine(out, " +\\d+      qty +int +required");
    assertLine(out, "  identifier fields: order_id");
    // the partition spec, in partition-key order
    assertLine(out, " +1000  placed_at_day +day\\(placed_at\\)");
    assertLine(out, " +1001  country +identity\\(country\\)");
    // the checks each field gets
    assertLine(out, "  order_id +string; required; pattern \\^O-\\[0-9\\]\\{6\\}\\$");
    assertLine(out, "  country +string; required; rule country_known \\(invalidValues\\): one of \\[PH, SG, MY\\]"
        + " -> error");
    assertLine(out, "  total +number as decimal\\(10, 2\\): at most 2 decimal places, 8 digits before the point;"
        + " required; minimum 0");
    assertLine(out, "  lines +array; required; minItems 1; maxItems 50");
    assertLine(out, "  lines\\[\\]\\.qty +integer \\(32-bit\\); required; exclusiveMinimum 0");
    // rules with their severity
    assertLine(out, "  total_is_line_sum +error +abs\\(sum\\(lines\\.map\\(l, l\\.amount\\)\\) - total\\) <= 0\\.01");
    assertLine(out, " +the lines add up to the total");
    assertLine(out, "  not_in_future +warning +placed_at <= now \\+ duration\\(\"5m\"\\)");
    assertLine(out, "  unique_order +error +duplicateValues must be 0   \\(over order_id\\)");
    assertLine(out, " +always met in silver, which drops re-sent events by primary key \\(counted as duplicatesDropped\\)");
    // access and SLAs
    assertLine(out, "  shop_admin +read-write +Everything in the shop domain\\.");
    assertLine(out, "  analyst +read");
    assertLine(out, "  email +restricted");
    assertLine(out, "  freshness +90 s   \\(orders\\.placed_at\\)");
    assertLine(out, "  latency +15 s");
  }

  @Test
  void anIsoObjectiveIsAlsoShownAsTheStatsWriteIt() throws IOException {
    String orders = ContractLintCommandTest.orders();
    String latency = "  - property: latency\n    value: 15\n    unit: s\n";
    assertTrue(orders.contains(latency), orders);
    CliRun run = explain(orders.replace(latency, "  - property: latency\n    value: PT0.5S\n"));
    assertEquals(0, run.exitCode(), run.err());
    assertLine(run.out(), "  latency +PT0\\.5S \\(500ms\\)");
  }

  @Test
  void shareRulesAreBatchRulesAndRolesShowTheirFiltersAndMasks() throws IOException {
    CliRun run = explain(ContractLintCommandTest.orders()
        .replace("""
      - name: email
        logicalType: string
""", """
      - name: email
        logicalType: string
        quality:
          - {name: email_mostly_there, metric: nullValues, mustBeLessThan: 10, unit: percent, severity: warning}
          - {name: email_not_blank, metric: missingValues, mustBe: 0}
          - {name: email_given, metric: missingValues, arguments: {missingValues: [null, '', 'N/A']}, mustBe: 0}
""")
        .replace("""
  - role: analyst
    access: read
""", """
  - role: analyst
    access: read
    customProperties:
      - property: lakemeshRowFilter
        value: row.country == claims.country
      - property: lakemeshMasks
        value: {restricted: hash}
"""));
    String out = run.out();
    assertEquals(0, run.exitCode(), out + run.err());
    // judged per batch, so not a per-row check of the field; the per-row rule is
    assertLine(out, "  email +string; optional; rule email_not_blank \\(missingValues\\): not null or blank -> error;.*");
    // an empty string among the missing values shows as '', not as nothing
    assertTrue(out.contains("rule email_given (missingValues): neither null nor one of ['', 'N/A'] -> error"),
        out);
    assertTrue(out.lines().noneMatch(l -> l.startsWith("  email ") && l.contains("email_mostly_there")), out);
    assertLine(out, "  email_mostly_there +warning +nullValues must be < 10% +\\(on email\\)");
    // each role: its actions, the rows it reads and how it sees classified columns
    assertLine(out, " +actions: read, ingest");
    assertLine(out, " +rows: row\\.country == claims\\.country");
    assertLine(out, " +masks: restricted -> hash");
    assertLine(out, " +rows: every row");
    assertLine(out, " +masks: none \\(every column in clear\\)");
  }

  @Test
  void aVarcharLengthShowsAsTheMaxLengthItImposes() throws IOException {
    String orders = ContractLintCommandTest.orders();
    String email = "      - name: email\n        logicalType: string\n";
    assertTrue(orders.contains(email), orders);
    CliRun run = explain(orders.replace(email, email + "        physicalType: varchar(120)\n"));
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertLine(run.out(), "  email +string; optional; maxLength 120 \\(from physicalType varchar\\(120\\)\\)");
  }

  @Test
  void anInvalidContractIsListedLikeLintAndExits1() throws IOException {
    CliRun run = explain(ContractLintCommandTest.orders().replace("apiVersion: v3.1.0", "apiVersion: v9"));
    assertEquals(1, run.exitCode());
    assertTrue(run.out().lines().allMatch(l -> l.startsWith(dir.resolve("orders.odcs.yaml") + ": /")), run.out());
    assertTrue(run.out().contains(": /apiVersion: "), run.out());
    assertEquals(1, run.err().lines().count(), run.err());
  }

  @Test
  void aMissingFileIsAUsageErrorInOneLine() {
    CliRun run = CliRun.execute(new ContractExplainCommand(), dir.resolve("nope.yaml").toString());
    assertEquals(2, run.exitCode());
    assertEquals(List.of("explain: no such file or directory: " + dir.resolve("nope.yaml")), run.err().lines().toList());

    CliRun none = CliRun.execute(new ContractExplainCommand());
    assertEquals(2, none.exitCode());
    assertEquals(1, none.err().lines().count(), none.err());
  }
  @Test
  void aContractWithSeveralObjectsIsExplainedProductByProduct() throws IOException {
    CliRun run = explain("""
        apiVersion: v3.1.0
        kind: DataContract
        id: 53581432-6c55-4ba2-a65f-72344a91553a
        version: 1.0.0
        status: active
        schema:
          - name: tbl
            properties:
              - {name: txn_ref_dt, logicalType: date, required: true}
          - name: Rcvr Tbl
            relationships:
              - {from: Rcvr_Tbl.rcvr_id, to: tbl.txn_ref_dt}
            quality:
              - {type: text, name: reviewed, description: A steward reviews new receivers weekly.}
              - {type: custom, engine: soda, name: soda_check, implementation: "row_count > 0", severity: error}
            properties:
              - {name: rcvr_id, logicalType: string, primaryKey: true, required: true}
        """);
    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertLine(run.out(), "default\\.tbl 1\\.0\\.0 \\(active\\): tbl");
    assertLine(run.out(), "  product +default\\.tbl \\(schema object 'tbl' of contract 53581432-.*\\)");
    assertLine(run.out(), "  domain +default \\(the contract names none\\)");
    assertLine(run.out(), "  primary key +- \\(none: every accepted event is a row; re-sent events are not deduplicated\\)");
    assertLine(run.out(), "default\\.rcvr_tbl 1\\.0\\.0 \\(active\\): Rcvr Tbl");
    assertLine(run.out(), "  primary key +rcvr_id");
    assertLine(run.out(), "  reviewed +text +A steward reviews new receivers weekly\\.");
    assertLine(run.out(), "  soda_check +soda +\"row_count > 0\"");
    assertLine(run.out(), " +severity error is not enforced");
    assertLine(run.out(), "  foreignKey: Rcvr_Tbl\\.rcvr_id -> tbl\\.txn_ref_dt");
  }

  @Test
  void aForeignKeyDeclaredTwiceIsListedOnceAndASqlRuleShowsItsThreshold() throws IOException {
    CliRun run = explain("""
        apiVersion: v3.1.0
        kind: DataContract
        id: 0b7c3a52-5d7e-4d1f-9a57-2f4c8e1d6b90
        domain: pay
        version: 1.0.0
        status: active
        roles:
          - role: fraud
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {pci: hash}}
          - role: emea
            access: read
            customProperties:
              - {property: lakemeshRowFilter, value: row.region == "EU"}
        schema:
          - name: accounts
            properties:
              - {name: account_id, logicalType: string, primaryKey: true, required: true}
          - name: payments
            relationships:
              - {type: foreignKey, from: payments.account_id, to: accounts.account_id}
            quality:
              - {name: few_big, type: sql, query: "SELECT COUNT(*) FROM ${object} WHERE amount > 1000",
                 mustBeBetween: [0, 80]}
            properties:
              - {name: payment_id, logicalType: string, primaryKey: true, required: true}
              - name: account_id
                logicalType: string
                relationships:
                  - {type: foreignKey, to: accounts.account_id}
              - {name: amount, logicalType: number}
              - {name: card_number, logicalType: string, classification: pci}
              - {name: region, logicalType: string}
        """);
    String out = run.out();
    assertEquals(0, run.exitCode(), out + run.err());
    assertTrue(out.contains("sql: SELECT COUNT(*) FROM ${object} WHERE amount > 1000 -> must be between 0 and 80"),
        out);
    // accounts: the roles were written for payments
    assertLine(out, " +masks: pci -> hash \\(no column of this table\\)");
    assertLine(out, " +rows: none of this table's \\(the row filter reads columns it does not have\\)");
    assertLine(out, " +masks: pci -> hash");
    assertLine(out, " +rows: row.region == \"EU\"");
    assertEquals(1, out.lines().filter(l -> l.equals("  foreignKey: payments.account_id -> accounts.account_id"))
        .count(), out);
  }

  @Test
  void aContractWithoutSchemaObjectsShowsWhatItHolds() throws IOException {
    CliRun run = explain("""
        apiVersion: v3.1.0
        kind: DataContract
        id: 3f2c1b7a-roles-only
        version: 1.0.0
        status: active
        roles:
          - {role: analyst, access: read}
          - {role: auditors}
        slaProperties:
          - {property: latency, value: 4, unit: d, element: tab1.txn_ref_dt}
        """);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().endsWith("a valid ODCS contract with no schema objects: it describes no data product to run\n"
        + "It holds (these apply to a contract's products; it has none):\n"
        + "  role analyst (access read)\n"
        + "  role auditors (no access: grants nothing)\n"
        + "  sla latency 4 d (tab1.txn_ref_dt)\n"), run.out());
  }
}
