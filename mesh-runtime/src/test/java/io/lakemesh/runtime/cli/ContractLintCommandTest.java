package io.lakemesh.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractLintCommandTest {

  @TempDir
  Path dir;

  static String orders() throws IOException {
    try (InputStream in = ContractLintCommandTest.class.getResourceAsStream("/contracts/cli-orders.odcs.yaml")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  @Test
  void aDirectoryOfValidContractsPasses() throws IOException {
    write("orders.odcs.yaml", orders());
    write("nested/orders-v2.odcs.yml", orders().replace("id: shop.orders", "id: shop.orders_v2"));
    Path notes = write("nested/notes.yaml", "title: not a contract; a node skips it, and so does lint");
    write("notes.txt", "not a contract, not looked at");
    write("target/classes/copy.odcs.yaml", "build output: skipped");
    write(".cache/state.json", "tool state: skipped");

    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());

    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals("lint: 2 contracts, no problems\n", run.out());
    assertEquals("lint: skipped " + notes + ": contract files are named *.odcs.yaml, *.odcs.yml or *.odcs.json"
        + " (name it explicitly to lint it anyway)\n", run.err());
  }

  @Test
  void aConfigMapsLinksAreReadOnceAndALinkToNothingIsNamed() throws Exception {
    // a Kubernetes ConfigMap volume: each file a link into ..data, itself a link to a hidden timestamped directory
    write("..2026_11_27_07_00_00.1/orders.odcs.yaml", orders());
    Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("..2026_11_27_07_00_00.1"));
    Files.createSymbolicLink(dir.resolve("orders.odcs.yaml"), Path.of("..data", "orders.odcs.yaml"));
    Files.createSymbolicLink(dir.resolve("gone.odcs.yaml"), Path.of("..data", "gone.odcs.yaml"));

    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());

    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals("lint: 1 contract, no problems\n", run.out());
    assertEquals("lint: skipped " + dir.resolve("gone.odcs.yaml") + ": a link to nothing\n", run.err());
    // the node reads the directory alike: the contract once, not also its copy in the hidden directory
    assertEquals(List.of("shop.orders"), io.lakemesh.runtime.product.ProductCatalog.load(
        ContractLintCommandTest.class.getClassLoader(), List.of(dir), false).all().stream()
            .map(io.lakemesh.runtime.product.Product::id).toList());
  }

  @Test
  void aRoleWithoutAnAccessLakemeshEnforcesIsANoteNotAProblem() throws IOException {
    // ODCS makes a role's access optional free text: the document is valid, and the role grants nothing here
    Path file = write("orders.odcs.yaml", orders().replace("roles:\n", "roles:\n  - role: auditors\n"
        + "  - role: viewers\n    access: readOnly\n"));

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals("lint: 1 contract, no problems\n", run.out());
    assertTrue(run.err().contains("lint: note: " + file + ": shop.orders: /roles/0: role 'auditors' grants nothing"
        + " here (deny by default): it has no access"), run.err());
    assertTrue(run.err().contains("/roles/1/access: role 'viewers' grants nothing here (deny by default): access"
        + " 'readOnly' is none Lakemesh enforces"), run.err());
  }

  @Test
  void aFileWithProblemsStillGetsItsNotes() throws IOException {
    // the problem (a property named like the day(placed_at) partition field) is found after the file parsed: the
    // role's note comes in the same run, not only once the problem is fixed
    Path file = write("orders.odcs.yaml", orders().replace("roles:\n", "roles:\n  - role: auditors\n")
        .replace("      - name: email\n", "      - {name: placed_at_day, logicalType: date}\n      - name: email\n"));

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains("the name Iceberg gives a partition field"), run.out());
    assertTrue(run.err().contains("lint: note: " + file + ": shop.orders: /roles/0: role 'auditors' grants nothing"),
        run.err());
  }

  @Test
  void aTimestampFormatThatIsNoPatternIsANote() throws IOException {
    Path file = write("t.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.t
        version: 1.0.0
        status: active
        schema:
          - name: t
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: at, logicalType: timestamp, logicalTypeOptions: {format: "yyyy-MM-ddTHH:mm:ssZ"}}
              - {name: ok, logicalType: timestamp, logicalTypeOptions: {format: "yyyy-MM-dd'T'HH:mm:ssX"}}
        """);

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(0, run.exitCode(), run.out() + run.err());
    assertEquals(1, run.err().lines().filter(l -> l.contains("no date-time pattern")).count(), run.err());
    assertTrue(run.err().contains("/schema/0/properties/1: 'at' has format 'yyyy-MM-ddTHH:mm:ssZ', which is no"
        + " date-time pattern Lakemesh can read"), run.err());
  }

  @Test
  void anObjectRequiringAMemberItDoesNotDeclareIsANote() throws IOException {
    Path file = write("g.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.g
        version: 1.0.0
        status: active
        schema:
          - name: g
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: position
                logicalType: object
                logicalTypeOptions: {required: [lat, lon, alt]}
                properties:
                  - {name: lat, logicalType: number}
                  - {name: lon, logicalType: number}
              - {name: serial, logicalType: string, unique: true}
        """);

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(0, run.exitCode(), "valid JSON Schema, so a note: " + run.out() + run.err());
    assertTrue(run.err().contains("/schema/0/properties/1/logicalTypeOptions/required: 'position' requires member"
        + " 'alt', which it does not declare"), run.err());
    assertFalse(run.err().contains("member 'lat'"), run.err());
    assertTrue(run.err().contains("/schema/0/properties/2/unique: 'serial' is declared unique, which Lakemesh does not"
        + " check"), run.err());
  }

  @Test
  void aRelationshipIntoAnotherLintedContractIsCheckedThere() throws IOException {
    String customers = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.customers
        version: 1.0.0
        status: active
        schema:
          - name: customers
            properties:
              - {name: customer_id, logicalType: string, primaryKey: true, required: true}
        """;
    String payments = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.payments
        version: 1.0.0
        status: active
        schema:
          - name: payments
            properties:
              - {name: payment_id, logicalType: string, primaryKey: true, required: true}
              - name: customer
                logicalType: string
                relationships:
                  - {to: %s}
        """;
    write("customers.odcs.yaml", customers);
    Path good = write("payments.odcs.yaml", payments.formatted("customers.customer_id"));
    CliRun clean = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(0, clean.exitCode(), clean.out() + clean.err());

    write("payments.odcs.yaml", payments.formatted("customers.custmer_id"));
    CliRun typo = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, typo.exitCode(), typo.out() + typo.err());
    assertTrue(typo.out().contains(good + ": /schema/0/properties/1/relationships/0/to: 'customers.custmer_id':"
        + " shop.customers has no property 'custmer_id'"), typo.out());

    // an object no linted contract has: a note, not a problem
    write("payments.odcs.yaml", payments.formatted("accounts.account_id"));
    CliRun elsewhere = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(0, elsewhere.exitCode(), elsewhere.out() + elsewhere.err());
    assertTrue(elsewhere.err().contains("names schema object 'accounts', which no linted (or built-in) contract has"),
        elsewhere.err());
  }

  @Test
  void aGoldContractWhoseAggregationNoModuleProvidesIsAProblem() throws IOException {
    // the retail gold contract, linted on a class path without the retail module (no aggregation at all)
    Path gold = write("daily_sales.odcs.yaml",
        Files.readString(Path.of("..", "domains", "retail", "contracts", "daily_sales.odcs.yaml")));

    CliRun run = CliRun.execute(new ContractLintCommand(), gold.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith(gold + ": /customProperties/2/value: no domain module on this class path"
        + " provides the aggregation 'daily_sales' (known: [])"), run.out());
  }

  private static String aggregateExample(String name) throws IOException {
    return Files.readString(Path.of("..", "contracts", "src", "test", "resources", "aggregate", name));
  }

  @Test
  void aDeclaredGoldIsCheckedAgainstItsUpstreamWhenBothAreLinted() throws IOException {
    write("shipments.odcs.yaml", aggregateExample("shipments.odcs.yaml"));
    Path gold = write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml"));
    CliRun clean = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(0, clean.exitCode(), clean.out() + clean.err());
    assertTrue((clean.out() + clean.err()).contains("logistics.hub_daily: kind, pieces, weight, heaviest, insured"
        + " read into array 'parcels', so each of its elements is a row of its own for every column"),
        "a note, not a problem: " + clean.out() + clean.err());

    write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml")
        .replace("transformLogic: sum(parcels.pieces)", "transformLogic: sum(parcels.piece)"));
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith(gold + ": /schema/0/properties/5/transformLogic: 'parcels.piece': the items of"
        + " 'parcels' has no property 'piece'"), run.out());
  }

  @Test
  void anUpstreamInAFileWithProblemsIsNamedAsPossiblyThere() throws IOException {
    write("shipments.odcs.yaml", aggregateExample("shipments.odcs.yaml").replace("apiVersion: v3.1.0",
        "apiVersion: v9"));
    Path gold = write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml"));
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains(gold + ": /customProperties/1/value: logistics.hub_daily reads logistics.shipments,"
        + " which none of the linted contracts (nor a built-in one) declares, unless it is in shipments.odcs.yaml,"
        + " whose problems keep it from being read: fix those first"), run.out());
  }

  @Test
  void aGoldProductsUnknownUpstreamIsAProblemWhenLintedTogetherANoteAlone() throws IOException {
    write("shipments.odcs.yaml", aggregateExample("shipments.odcs.yaml"));
    Path gold = write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml")
        .replace("value: logistics.shipments", "value: logistics.shipmnts"));

    CliRun together = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, together.exitCode(), together.out() + together.err());
    assertTrue(together.out().startsWith(gold + ": /customProperties/1/value: logistics.hub_daily reads"
        + " logistics.shipmnts, which none of the linted contracts (nor a built-in one) declares: a node with these"
        + " contracts would refuse to start"), together.out());

    CliRun alone = CliRun.execute(new ContractLintCommand(), gold.toString());
    assertEquals(0, alone.exitCode(), alone.out() + alone.err());
    assertTrue(alone.err().startsWith("lint: note: " + gold + ": logistics.hub_daily reads logistics.shipmnts"),
        alone.err());
  }

  @Test
  void aGoldProductReadsASourceProductPinnedToAMajorIfItLikes() throws IOException {
    write("shipments.odcs.yaml", aggregateExample("shipments.odcs.yaml"));
    write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml")
        .replace("value: logistics.shipments", "value: logistics.shipments@v1"));
    CliRun pinned = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(0, pinned.exitCode(), pinned.out() + pinned.err());

    // a gold product over a gold product: its upstream's rows are rewritten, never appended, so it would go stale
    Path rollup = write("hub_rollup.odcs.yaml", aggregateExample("hub_daily.odcs.yaml")
        .replace("id: logistics.hub_daily", "id: logistics.hub_rollup").replace("name: hub_daily", "name: hub_rollup")
        .replace("value: logistics.shipments", "value: logistics.hub_daily"));
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith(rollup + ": /customProperties/1/value: logistics.hub_rollup reads"
        + " logistics.hub_daily, a gold product"), run.out());
  }

  @Test
  void everyProblemIsOneLineWithFilePointerAndReason() throws IOException {
    Path good = write("orders.odcs.yaml", orders());
    Path bad = write("broken.odcs.yaml", orders()
        .replace("apiVersion: v3.1.0", "apiVersion: v9")                             // not an ODCS version
        .replace("logicalType: timestamp", "logicalType: datetime"));                // unknown logical type
    Path badRule = write("bad-rule.odcs.yaml", orders()
        .replace("'placed_at <= now + duration(\"5m\")'", "'placed_at <= later'"));  // CEL that does not check
    Path yaml = write("garbage.json", "{ not: [valid");

    CliRun run = CliRun.execute(new ContractLintCommand(), good.toString(), bad.toString(), badRule.toString(),
        yaml.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    List<String> lines = run.out().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith(bad + ": /apiVersion: ") && l.contains("v3.1.0")),
        run.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith(bad + ": /schema/0/properties/2/logicalType: ")
        && l.contains("datetime")), run.out());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith(badRule + ": /schema/0/quality/1/implementation: ")
        && l.contains("not_in_future") && l.contains("later")), run.out());
    assertTrue(lines.stream().anyMatch(l -> l.equals(yaml + ": /: not valid JSON: line 1, column 3: Unexpected"
        + " character ('n' (code 110)): was expecting double-quote to start field name")), run.out());
    assertTrue(lines.stream().noneMatch(l -> l.startsWith(good.toString())), run.out());
    String summary = lines.get(lines.size() - 1);
    int problems = lines.size() - 1;
    assertEquals("lint: 4 contracts, 3 with problems, " + problems + " problems", summary);
    assertEquals("", run.err());
  }

  @Test
  void aPartitionTransformThatDoesNotFitItsColumnIsAProblem() throws IOException {
    Path file = write("orders.odcs.yaml", orders().replace("""
        partitioned: true
        partitionKeyPosition: 2
""", """
        partitioned: true
        partitionKeyPosition: 2
        customProperties:
          - property: partitionTransform
            value: day
"""));

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertEquals(List.of(file + ": /schema/0/properties/1/customProperties/0/value: partition transform day does not apply to 'country' of type"
        + " string", "lint: 1 contract, 1 with problems, 1 problem"), run.out().lines().toList());
  }

  @Test
  void aMissingPathIsAUsageErrorInOneLine() throws IOException {
    Path good = write("orders.odcs.yaml", orders());

    CliRun run = CliRun.execute(new ContractLintCommand(), good.toString(), dir.resolve("nope.yaml").toString());

    assertEquals(2, run.exitCode());
    assertEquals("lint: no such file or directory: " + dir.resolve("nope.yaml") + "\n", run.err());
    assertEquals("", run.out(), "nothing is linted on a usage error");
  }

  @Test
  void noPathOrADirectoryWithoutContractsIsAUsageError() throws IOException {
    CliRun none = CliRun.execute(new ContractLintCommand());
    assertEquals(2, none.exitCode());
    assertEquals(1, none.err().lines().count(), none.err());
    assertTrue(none.err().startsWith("lint: Missing required parameter"), none.err());

    write("readme.md", "# nothing here");
    CliRun empty = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(2, empty.exitCode());
    assertEquals("lint: no contract files (*.odcs.yaml, *.odcs.yml, *.odcs.json) in " + dir + "\n", empty.err());
  }

  @Test
  void anSqlRuleThatDoesNotBindIsOneLineAtItsQuery() throws IOException {
    Path file = write("sql.odcs.yaml", orders() + """
      - name: typo
        type: sql
        query: SELEC nonsense FROM
        mustBe: 0
      - name: escape
        type: sql
        query: SELECT COUNT(*) FROM read_csv('/etc/passwd')
        mustBe: 0
      - name: fine
        type: sql
        query: SELECT COUNT(*) FROM ${object}, UNNEST(lines) AS t(l) WHERE l.amount < 0
        mustBe: 0
""");

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    List<String> lines = run.out().lines().toList();
    assertEquals(3, lines.size(), run.out());
    assertTrue(lines.get(0).startsWith(file + ": /schema/0/quality/3/query: sql rule 'typo': Parser Error: syntax"
        + " error at or near \"SELEC\""), run.out());
    assertTrue(lines.get(1).startsWith(file + ": /schema/0/quality/4/query: sql rule 'escape': Permission Error"),
        run.out());
  }

  /** The orders contract with a second column named {@code name} after order_id, and an sql rule that does not bind. */
  private static String withSecondColumnAndABadSqlRule(String name) throws IOException {
    String key = """
      - name: order_id
        logicalType: string
        required: true
        primaryKey: true
        primaryKeyPosition: 1
""";
    return orders().replace(key, key + "      - name: " + name + "\n        logicalType: string\n") + """
      - name: typo
        type: sql
        query: SELEC nonsense FROM
        mustBe: 0
""";
  }

  @Test
  void sqlRulesAreCheckedInTheSameLintAsAColumnsOwnProblem() throws IOException {
    // two properties of one name: the table the sql rules bind against is made of the columns that map, once each,
    // so a broken rule is listed beside the duplicate, not on the next run
    Path file = write("dup.odcs.yaml", withSecondColumnAndABadSqlRule("order_id"));

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains(file + ": /schema/0/properties/1/name: duplicate property name 'order_id'"),
        run.out());
    assertTrue(run.out().contains(file + ": /schema/0/quality/3/query: sql rule 'typo': Parser Error"), run.out());
    assertFalse(run.out().contains("could not be checked"), run.out());
  }

  @Test
  void columnsTheSqlEngineCannotTellApartAreOneProblemAndTheOtherFilesAreStillLinted() throws IOException {
    Path file = write("case.odcs.yaml", withSecondColumnAndABadSqlRule("ORDER_ID"));
    write("other.odcs.yaml", orders().replace("id: shop.orders", "id: shop.other"));

    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().contains(file + ": /schema/0/quality/3: sql rules need column names that differ by more"
        + " than case (the SQL engine, DuckDB, does not tell 'order_id' and 'ORDER_ID' apart)"), run.out());
    assertTrue(run.out().endsWith("lint: 2 contracts, 1 with problems, 1 problem\n"), run.out());
  }

  @Test
  void severalDocumentsInOneFileAreRefused() throws IOException {
    Path file = write("two.odcs.yaml", orders() + "\n---\n" + orders());

    CliRun run = CliRun.execute(new ContractLintCommand(), file.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith(file + ": /: the file holds 2 YAML documents"), run.out());
  }

  @Test
  void twoContractsWhoseProductsWouldWriteTheSameTablesAreAProblem() throws IOException {
    write("a.odcs.yaml", orders().replace("id: shop.orders", "id: shop.sales.contract"));
    Path second = write("b.odcs.yaml", orders().replace("id: shop.orders", "id: shop.sales_contract"));

    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());

    assertEquals(1, run.exitCode(), run.out() + run.err());
    assertTrue(run.out().startsWith(second + ": /schema/0: product shop.sales_contract would write table"
        + " shop.sales_contract_v2_silver, as product shop.sales.contract ("), run.out());
  }

  @Test
  void aRuleLakemeshDoesNotRunIsNotedWhenItsSeverityWouldKeepDataOut() throws IOException {
    write("t.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: qa.t
        version: 1.0.0
        status: active
        schema:
          - name: t
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
            quality:
              - {name: py_check, type: custom, engine: python, implementation: "df.id.notnull().all()", severity: critical}
              - {name: note_only, type: text, description: "ids are issued by the till", severity: info}
              - {name: unsaid, type: text, description: "no severity written: ODCS's default is no promise"}
        """);
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(0, run.exitCode(), run.out() + run.err());
    String all = run.out() + run.err();
    assertTrue(all.contains("rule 'py_check' is documentation (Lakemesh runs library metrics, cel and sql rules):"
        + " its severity critical is not enforced"), all);
    assertTrue(!all.contains("note_only"), "an info rule keeps nothing out: " + all);
    assertTrue(!all.contains("unsaid"), "a text rule without a severity is plain documentation: " + all);
  }

  @Test
  void aRowFilterThatFitsOnlyOneTableOfAContractIsNotedForTheOthers() throws IOException {
    write("shop.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop
        domain: shop
        version: 1.0.0
        status: active
        roles:
          - role: regional
            access: read
            customProperties:
              - {property: lakemeshRowFilter, value: row.region == claims.region}
        schema:
          - name: orders
            properties:
              - {name: order_id, logicalType: string, primaryKey: true, required: true}
              - {name: region, logicalType: string}
          - name: order_lines
            properties:
              - {name: line_id, logicalType: string, primaryKey: true, required: true}
        """);
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    String all = run.out() + run.err();
    assertEquals(0, run.exitCode(), all);
    assertTrue(all.contains("/roles/0/customProperties/0/value: role 'regional' sees no rows of shop.order_lines: its"
        + " row filter reads columns that table does not have"), all);
    assertTrue(!all.contains("rows of shop.orders"), "the filter fits orders: " + all);
    assertEquals(1, all.lines().filter(l -> l.contains("role 'regional'")).count(), "one note per role: " + all);
  }

  @Test
  void aMaskOfAClassificationOneTableHasIsFineAndOneNoTableHasIsRefusedOnce() throws IOException {
    write("bank.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: bank
        domain: bank
        version: 1.0.0
        status: active
        roles:
          - role: fraud
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {pci: hash, secret: redact}}
        schema:
          - name: accounts
            properties:
              - {name: account_id, logicalType: string, primaryKey: true, required: true}
          - name: payments
            properties:
              - {name: payment_id, logicalType: string, primaryKey: true, required: true}
              - {name: card_number, logicalType: string, classification: pci}
        """);
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    String all = run.out() + run.err();
    assertEquals(1, run.exitCode(), all);
    assertTrue(!all.contains("/pci"), "payments has pci, and the role reads every row of accounts: " + all);
    assertTrue(!all.contains("sees no rows"), all);
    assertEquals(1, all.lines().filter(l -> l.contains("/secret: no property has classification 'secret', so this"
        + " mask masks nothing (classifications in this contract: pci)")).count(), all);
  }

  @Test
  void aTableWithoutColumnsAndAWidthConflictAreNoted() throws IOException {
    write("t.odcs.yaml", """
        apiVersion: v3.1.0
        kind: DataContract
        id: 5b1f0c2e-7d3a-4c8e-9f61-2a4b6c8d0e1f
        domain: crm
        version: 1.0.0
        status: active
        schema:
          - name: customers
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: details
                logicalType: object
                logicalTypeOptions: {required: [num_children], maxProperties: 5}
              - {name: amount, logicalType: number, physicalType: double, logicalTypeOptions: {format: f32}}
              - {name: rx_bytes, logicalType: integer, physicalType: NUMBER(20)}
              - {name: code, logicalType: integer, physicalType: VARCHAR2(5)}
              - {name: balance, logicalType: number, physicalType: NUMBER}
              - {name: rate, logicalType: number, physicalType: 'NUMBER(38,6)'}
              - name: region
                logicalType: string
                quality:
                  - {name: some_rows, metric: rowCount, mustBeGreaterThan: 0}
                  - {name: known_region, metric: invalidValues, arguments: {validValues: [NCR, CAR, NCR]}, mustBe: 0}
          - name: events
        """);
    CliRun run = CliRun.execute(new ContractLintCommand(), dir.toString());
    String all = run.out() + run.err();
    assertEquals(0, run.exitCode(), all);
    assertTrue(all.contains("crm.events: /schema/1: schema object 'events' declares no properties"), all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/2: 'amount' has physicalType double and format f32:"
        + " it is stored as a 32-bit float"), all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/3: 'rx_bytes' is an integer of physicalType"
        + " NUMBER(20) (20 digits), stored as a 64-bit integer"), all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/4: 'code' has the character physicalType"
        + " VARCHAR2(5) but logicalType integer: its length is not checked"), all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/5: 'balance' has physicalType NUMBER without"
        + " precision and scale: it is stored as a 64-bit float"), all);
    assertTrue(!all.contains("'rate'"), "a precision given: no note\n" + all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/7/quality/0/metric: rule 'some_rows' is a rowCount"
        + " on property 'region': it counts the table's rows"), all);
    assertTrue(all.contains("crm.customers: /schema/0/properties/7/quality/1/arguments/validValues/2: rule"
        + " 'known_region' lists \"NCR\" again (first at validValues/0): was another value meant?"), all);
  }

  @Test
  void aGoldProductIsJudgedAgainstTheNewestMajorAndNotedWhenOnlyAnOlderOneFits() throws IOException {
    String v1 = aggregateExample("shipments.odcs.yaml");
    String decimalWeight = "            - name: weight\n              logicalType: number\n"
        + "              physicalType: decimal(10,3)\n";
    assertTrue(v1.contains(decimalWeight), "the test edits the example contract");
    // 2.0.0 stores parcel weights as doubles, which hub_daily's decimal sum cannot be computed from
    write("shipments-v2.odcs.yaml", v1.replace("version: 1.0.0", "version: 2.0.0")
        .replace(decimalWeight, decimalWeight.replace("decimal(10,3)", "double")));
    write("hub_daily.odcs.yaml", aggregateExample("hub_daily.odcs.yaml"));
    CliRun alone = CliRun.execute(new ContractLintCommand(), dir.toString());
    assertEquals(1, alone.exitCode(), "only the new major: the gold does not fit it\n" + alone.out() + alone.err());
    write("shipments.odcs.yaml", v1);
    CliRun both = CliRun.execute(new ContractLintCommand(), dir.toString());
    String all = both.out() + both.err();
    assertEquals(0, both.exitCode(), all);
    assertTrue(all.contains("logistics.hub_daily fits logistics.shipments 1.0.0 but not 2.0.0"), all);
  }
}
