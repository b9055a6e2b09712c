package io.lakemesh.contracts.evolution;

import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.O;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.T;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.model.Contract;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verdict around versions, and the rendered diff. */
class ContractDiffTest {
  private static final String CUSTOMER_ID = "      - name: customer_id\n        logicalType: string\n"
      + "        required: false\n        classification: restricted\n"
      + "        description: Loyalty customer, when known. Personal data.\n        tags: [pii]\n";

  private static Contract transactions(String version, String from, String to) {
    String text = T.text();
    assertTrue(text.contains(from));
    return parse("transactions " + version, text.replace(from, to).replace("version: 1.0.0", "version: " + version));
  }

  @Test
  void aMinorVersionDoesNotLetABreakingChangeThrough() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("1.1.0", CUSTOMER_ID, ""));
    assertEquals(Verdict.BREAKING, diff.verdict());
    assertFalse(diff.verdict().deployable());
    assertTrue(diff.render().endsWith(
        "refused: a breaking change needs a new major version (2.0.0), which runs beside 1.0.0\n"), diff.render());
  }

  @Test
  void aKeyWidenedFromIntToLongRoutesAlikeSoANewMajorMayWidenIt() throws Exception {
    String v1 = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.tickets
        version: 1.0.0
        status: active
        schema:
          - name: tickets
            properties:
              - {name: ticket_no, logicalType: integer, physicalType: int, primaryKey: true, required: true}
        """;
    Contract running = ContractParser.parse("v1", v1);
    ContractDiff wider = ContractDiff.compare(running, ContractParser.parse("v2", v1.replace("physicalType: int",
        "physicalType: bigint").replace("version: 1.0.0", "version: 2.0.0")));
    assertEquals(Verdict.NEW_MAJOR, wider.verdict(), wider.render());
    ContractDiff text = ContractDiff.compare(running, ContractParser.parse("v2", v1.replace(
        "logicalType: integer, physicalType: int", "logicalType: string").replace("version: 1.0.0", "version: 2.0.0")));
    assertEquals(Verdict.BREAKING, text.verdict(), text.render());
    assertTrue(text.render().contains("refused, also as a new major version: keep the first primary-key column"),
        text.render());
  }

  @Test
  void anotherPartitionCountIsRefusedAlsoAsANewMajor() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", "lakemeshPartitions\n    value: 3",
        "lakemeshPartitions\n    value: 6"));
    assertEquals(Verdict.BREAKING, diff.verdict(), diff.render());
    assertTrue(diff.render().endsWith("refused, also as a new major version: every major version of"
        + " retail.transactions reads its one raw topic, whose partition count cannot change without moving keys;"
        + " keep lakemeshPartitions (3), or publish the new partitioning as another product\n"), diff.render());
  }

  @Test
  void aVarcharLengthIsJudgedAsTheMaxLengthItImposes() {
    String varchar = "      - name: customer_id\n        logicalType: string\n        physicalType: varchar(20)\n";
    Contract running = parse("transactions", T.text().replace("      - name: customer_id\n        logicalType: string\n",
        varchar));
    ContractDiff wider = ContractDiff.compare(running, parse("wider", T.text().replace("      - name: customer_id\n        logicalType: string\n", varchar.replace("20", "40"))
            .replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(Verdict.COMPATIBLE, wider.verdict(), wider.render());
    assertTrue(wider.render().contains("maxLength of 'customer_id' rises from 20 to 40 (physicalType varchar(20) ->"
        + " varchar(40))"), wider.render());
    ContractDiff narrower = ContractDiff.compare(running, parse("narrower", T.text()
        .replace("      - name: customer_id\n        logicalType: string\n", varchar.replace("20", "10"))
        .replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(Verdict.BREAKING, narrower.verdict(), narrower.render());
    // the same limit written the other way is no change
    ContractDiff same = ContractDiff.compare(running, parse("same", T.text()
        .replace("      - name: customer_id\n        logicalType: string\n",
            "      - name: customer_id\n        logicalType: string\n        logicalTypeOptions: {maxLength: 20}\n")
        .replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(Verdict.COMPATIBLE, same.verdict(), same.render());
    assertFalse(same.render().contains("maxLength"), same.render());
  }

  @Test
  void aVersionThatGoesBackIsToldToRiseNotToTakeANewMajor() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("0.9.0", "maxLength: 64", "maxLength: 80"));
    assertEquals(Verdict.BREAKING, diff.verdict());
    assertTrue(diff.render().endsWith("refused: the version goes back; raise it above 1.0.0 (e.g. 1.1.0)\n"),
        diff.render());
  }

  @Test
  void thresholdsShowAsTheContractWritesThemAndSeverityCaseIsNoChange() {
    Contract running = parse("transactions", T.text());
    ContractDiff looser = ContractDiff.compare(running, transactions("1.1.0", "severity: error", "severity: ERROR"));
    assertEquals("nothing", looser.changes().stream().filter(c -> !c.kind().equals(ChangeKind.VERSION_CHANGED))
        .findAny().map(Change::description).orElse("nothing"), looser.render());
    ContractDiff threshold = ContractDiff.compare(parse("transactions", T_WITH_SHARE.text()),
        parse("t2", T_WITH_SHARE.text().replace("mustBeLessThan: 10", "mustBeLessOrEqualTo: 5")
            .replace("version: 1.0.0", "version: 1.1.0")));
    assertTrue(threshold.render().contains("threshold 'mustBeLessThan: 10 %' -> 'mustBeLessOrEqualTo: 5 %'"),
        threshold.render());
  }

  @Test
  void aCountThresholdThatAdmitsTheSameWholeNumbersIsNoTightening() {
    EvolutionMatrixTest.Base capped = T.with(s -> s.replace("        tags: [pii]\n", "        tags: [pii]\n"
        + "        quality:\n          - name: few_anonymous\n            metric: nullValues\n"
        + "            mustBeLessThan: 1000000\n            severity: critical\n"));
    Contract running = parse("transactions", capped.text());
    ContractDiff same = ContractDiff.compare(running, parse("t2", capped.text()
        .replace("mustBeLessThan: 1000000", "mustBeLessOrEqualTo: 999999").replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(Verdict.COMPATIBLE, same.verdict(), same.render());
    ContractDiff tighter = ContractDiff.compare(running, parse("t3", capped.text()
        .replace("mustBeLessThan: 1000000", "mustBeLessOrEqualTo: 999998").replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(Verdict.BREAKING, tighter.verdict(), tighter.render());
  }

  @Test
  void aRenamedListOfValidValuesIsListed() {
    Contract running = parse("transactions", T.text());
    ContractDiff renamed = ContractDiff.compare(running, transactions("1.1.0", "name: payment_method_valid",
        "name: payment_method_known"));
    assertEquals(Verdict.COMPATIBLE, renamed.verdict(), renamed.render());
    assertTrue(renamed.render().contains("rule 'payment_method_valid' of 'payment_method' is named"
        + " 'payment_method_known' now"), renamed.render());
  }

  /** T with a batch rule: at most 10 % of rows without a customer id. */
  private static final EvolutionMatrixTest.Base T_WITH_SHARE = T.with(s -> s.replace(
      "        tags: [pii]\n", "        tags: [pii]\n        quality:\n          - name: few_anonymous\n"
          + "            metric: nullValues\n            mustBeLessThan: 10\n            unit: percent\n"));

  @Test
  void aNewMajorVersionRunsBesideTheOldOne() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", CUSTOMER_ID, ""));
    assertEquals(Verdict.NEW_MAJOR, diff.verdict());
    assertTrue(diff.verdict().deployable());
    assertEquals("""
        NEW MAJOR  retail.transactions 1.0.0 -> 2.0.0: 1 breaking change, 1 compatible
          breaking    field 'customer_id' (string) is removed: readers of it break
          compatible  version changes from 1.0.0 to 2.0.0
        runs beside 1.0.0 as a new major version of retail.transactions, with tables of its own (served as \
        retail.transactions; the old one as retail.transactions@v1)
        """, diff.render());
  }

  @Test
  void aMajorBumpWithOnlyCompatibleChangesStillRunsBeside() {
    // the runtime gives every major its own tables: a major bump never evolves the old tables in place
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", "maxLength: 64", "maxLength: 80"));
    assertEquals(Verdict.NEW_MAJOR, diff.verdict(), diff.render());
  }

  @Test
  void breakingChangesComeFirstInTheRendering() {
    Contract running = parse("transactions", T.text());
    Contract proposed = transactions("1.0.1", "maxLength: 64", "maxLength: 80");
    proposed = parse("two changes", proposed.document().toString()
        .replace("\"minItems\":1", "\"minItems\":3"));
    ContractDiff diff = ContractDiff.compare(running, proposed);
    assertEquals(List.of(ChangeKind.VERSION_CHANGED, ChangeKind.CONSTRAINT_WIDENED, ChangeKind.CONSTRAINT_NARROWED),
        diff.changes().stream().map(Change::kind).toList(), "changes keep document order");
    String[] lines = diff.render().split("\n");
    assertEquals("BREAKING  retail.transactions 1.0.0 -> 1.0.1: 1 breaking change, 2 compatible", lines[0]);
    assertEquals("  breaking    minItems of 'items' rises from 1 to 3", lines[1]);
    assertEquals(1, diff.breakingChanges().size());
    assertEquals(2, diff.compatibleChanges().size());
  }

  @Test
  void aVersionThatGoesBackIsBreaking() {
    Contract running = parse("orders", O.text());
    ContractDiff diff = ContractDiff.compare(running, parse("orders", O.text().replace("version: 1.3.0",
        "version: 1.2.9")));
    assertEquals(Verdict.BREAKING, diff.verdict(), diff.render());
    assertEquals(ChangeKind.VERSION_CHANGED, diff.breakingChanges().get(0).kind());
  }

  @Test
  void anUnreadableVersionIsRefusedBeforeAnyDiff() {
    // the gate reads the major version from it: a version it cannot read never reaches a diff
    InvalidContractException e = assertThrows(InvalidContractException.class, () -> ContractParser.parse("orders",
        O.text().replace("version: 1.3.0", "version: next")));
    assertEquals("/version", e.problems().get(0).path(), e.getMessage());
  }

  @Test
  void versionsParseLikeSemver() {
    assertEquals(new SemanticVersion(2, 0, 0), SemanticVersion.parse("v2").orElseThrow());
    assertEquals(new SemanticVersion(1, 4, 2), SemanticVersion.parse("1.4.2-rc.1").orElseThrow());
    assertTrue(SemanticVersion.parse("1.x").isEmpty());
    assertTrue(SemanticVersion.parse("latest").isEmpty());
  }

  @Test
  void aDiffIsImmutable() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("1.0.1", "maxLength: 64", "maxLength: 80"));
    assertThrows(UnsupportedOperationException.class, () -> diff.changes().clear());
    assertEquals("ContractDiff[COMPATIBLE  retail.transactions 1.0.0 -> 1.0.1: 2 compatible changes]",
        diff.toString());
  }

  @Test
  void raisingARuleFromWarningToErrorIsBreaking() {
    String error = "future\n        severity: error";
    String warning = "future\n        severity: warning";
    Contract running = parse("warning", T.text().replace(error, warning));
    ContractDiff diff = ContractDiff.compare(running, parse("error", T.text().replace("version: 1.0.0",
        "version: 1.1.0")));
    assertEquals(Verdict.BREAKING, diff.verdict(), diff.render());
    assertTrue(diff.render().contains("breaking    rule 'ts_not_in_future' of the table changes: severity 'warning'"
        + " -> 'error': rows that fail it are now quarantined"), diff.render());
  }

  @Test
  void aNewMajorRunsBesideTheOldOneEvenWithoutOtherChanges() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", "version: 1.0.0", "version: 1.0.0"));
    assertEquals(Verdict.NEW_MAJOR, diff.verdict(), diff.render());
    assertEquals("""
        NEW MAJOR  retail.transactions 1.0.0 -> 2.0.0: 1 compatible change
          compatible  version changes from 1.0.0 to 2.0.0
        runs beside 1.0.0 as a new major version of retail.transactions, with tables of its own (served as \
        retail.transactions; the old one as retail.transactions@v1)
        """, diff.render());
  }

  @Test
  void aChangeUnderTheSameVersionIsFlagged() {
    Contract running = parse("transactions", T.text());
    ContractDiff compatible = ContractDiff.compare(running, transactions("1.0.0", "maxLength: 64", "maxLength: 80"));
    assertEquals(Verdict.COMPATIBLE, compatible.verdict(), compatible.render());
    assertTrue(compatible.render().endsWith("warning: version 1.0.0 is not raised; raise the minor version (1.1.0) so"
        + " consumers can tell the contracts apart\n"), compatible.render());

    ContractDiff breaking = ContractDiff.compare(running, transactions("1.0.0", CUSTOMER_ID, ""));
    assertEquals(Verdict.BREAKING, breaking.verdict(), breaking.render());
    assertTrue(breaking.render().contains("refused: the version is not raised (still 1.0.0)"), breaking.render());

    ContractDiff none = ContractDiff.compare(running, parse("same", T.text()));
    assertTrue(none.render().endsWith("nothing to deploy\n"), none.render());

    // only the three numbers count: a build suffix raises nothing
    ContractDiff suffix = ContractDiff.compare(running, transactions("1.0.0+build.7", "maxLength: 64",
        "maxLength: 80"));
    assertTrue(suffix.render().endsWith("warning: version 1.0.0 is not raised; raise the minor version (1.1.0) so"
        + " consumers can tell the contracts apart\n"), suffix.render());
  }

  @Test
  void aContractOfSeveralTablesWhoseRolesFitSomeOfThemDiffsCleanAgainstItself() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: 1f0e3c4a-8b2d-4e6f-a1c3-5d7e9f0b2a4c
        domain: bank
        version: 1.0.0
        status: active
        roles:
          - role: fraud
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {pci: hash, restricted: redact}}
          - role: emea
            access: read
            customProperties:
              - {property: lakemeshRowFilter, value: row.region == claims.region}
        schema:
          - name: accounts
            properties:
              - {name: account_id, logicalType: string, primaryKey: true, required: true}
              - {name: email, logicalType: string, classification: restricted}
          - name: payments
            properties:
              - {name: payment_id, logicalType: string, primaryKey: true, required: true}
              - {name: card_number, logicalType: string, classification: pci}
              - {name: region, logicalType: string}
        """;
    List<Contract> running = ContractParser.parseAll("bank", text);
    List<Contract> proposed = ContractParser.parseAll("bank 1.1.0", text.replace("version: 1.0.0", "version: 1.1.0")
        .replace("              - {name: email,", "              - {name: nickname, logicalType: string}\n"
            + "              - {name: email,"));
    assertEquals(2, running.size());
    for (int i = 0; i < running.size(); i++) {
      ContractDiff same = ContractDiff.compare(running.get(i), running.get(i));
      assertEquals(Verdict.COMPATIBLE, same.verdict(), same.render());
      assertTrue(same.changes().isEmpty(), same.render());
      ContractDiff next = ContractDiff.compare(running.get(i), proposed.get(i));
      assertEquals(Verdict.COMPATIBLE, next.verdict(), next.render());
    }
  }

  @Test
  void aNewOptionalFieldListsTheChecksItComesWith() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.readings
        domain: iot
        version: 1.0.0
        status: active
        schema:
          - name: readings
            properties:
              - {name: reading_id, logicalType: string, primaryKey: true, required: true}
        """;
    Contract running = ContractParser.parse("v1", text);
    Contract proposed = ContractParser.parse("v1.1", text.replace("version: 1.0.0", "version: 1.1.0") + """
              - name: firmware
                logicalType: string
                logicalTypeOptions: {pattern: "^v[0-9]+$"}
                quality:
                  - {name: fw_cel, type: custom, engine: cel, implementation: "firmware != 'v0'", severity: error}
                  - {name: fw_seen, metric: nullValues, mustBeLessThan: 50, unit: percent, severity: warning}
        """);
    ContractDiff diff = ContractDiff.compare(running, proposed);
    // stored rows hold null, which passes: compatible, but the checks are named, as every change is
    assertEquals(Verdict.COMPATIBLE, diff.verdict(), diff.render());
    assertTrue(diff.render().contains("optional field 'firmware' (string) is added with 3 check(s): an event that"
        + " carried it while it was undeclared (kept in bronze) and fails one of the 2 that keep data out is refused"
        + " from now on\n"), diff.render());
    assertTrue(diff.render().contains("new field 'firmware': rule 'fw_seen' of 'firmware' is added (library:"
        + " nullValues)\n"), diff.render());
    assertTrue(diff.render().contains("new field 'firmware': 'firmware' gets pattern '^v[0-9]+$'\n"), diff.render());
    assertTrue(diff.render().contains("new field 'firmware': rule 'fw_cel' of 'firmware' is added"), diff.render());
    // the members of a new object: their checks too
    ContractDiff object = ContractDiff.compare(running, ContractParser.parse("v1.1", text
        .replace("version: 1.0.0", "version: 1.1.0") + """
              - name: meta
                logicalType: object
                properties:
                  - {name: fw, logicalType: string, logicalTypeOptions: {maxLength: 8}}
                  - {name: board, logicalType: string, required: true}
        """));
    assertTrue(object.render().contains("new field 'meta': 'meta.fw' gets maxLength 8\n"), object.render());
    // a required member: an object without it is refused, which keeps data out like any check
    assertEquals(Verdict.COMPATIBLE, object.verdict(), object.render());
    assertTrue(object.render().contains("new field 'meta': 'meta.board' is required where 'meta' is given\n"),
        object.render());
    assertTrue(object.render().contains("is added with 2 check(s): an event that carried it while it was undeclared"
        + " (kept in bronze) and fails one of the 2 that keep data out"), object.render());
  }

  @Test
  void aFormatThatNarrowsNothingWithinTheBoundsIsStillListed() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.battery
        domain: iot
        version: 1.0.0
        status: active
        schema:
          - name: battery
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: level, logicalType: integer, logicalTypeOptions: {minimum: 0, maximum: 100}}
        """;
    ContractDiff diff = ContractDiff.compare(ContractParser.parse("v1", text), ContractParser.parse("v1.1", text
        .replace("version: 1.0.0", "version: 1.1.0").replace("maximum: 100}", "maximum: 100, format: u8}")));
    assertEquals(Verdict.COMPATIBLE, diff.verdict(), diff.render());
    assertTrue(diff.render().contains("'level' is an unsigned 8-bit integer (format u8) instead of"), diff.render());
  }

  @Test
  void pinningTheUpstreamsMajorIsCompatibleWhileAnotherUpstreamIsNot() throws Exception {
    String gold = java.nio.file.Files.readString(java.nio.file.Path.of("src", "test", "resources", "aggregate",
        "hub_daily.odcs.yaml"));
    Contract running = ContractParser.parse("hub_daily", gold);
    ContractDiff pinned = ContractDiff.compare(running, ContractParser.parse("pinned", gold
        .replace("version: 1.0.0", "version: 1.1.0").replace("value: logistics.shipments", "value: logistics.shipments@v1")));
    assertEquals(Verdict.COMPATIBLE, pinned.verdict(), pinned.render());
    assertTrue(pinned.render().contains("upstream changes from 'logistics.shipments' to 'logistics.shipments@v1':"
        + " deploys only where it names the major whose table the product was computed from"), pinned.render());
    ContractDiff other = ContractDiff.compare(running, ContractParser.parse("other", gold
        .replace("version: 1.0.0", "version: 1.1.0").replace("value: logistics.shipments", "value: logistics.parcels")));
    assertEquals(Verdict.BREAKING, other.verdict(), other.render());
    // both pins written, naming two majors: the table was computed from the first, so a node refuses the second
    Contract onV1 = ContractParser.parse("v1", gold.replace("value: logistics.shipments",
        "value: logistics.shipments@v1"));
    ContractDiff otherMajor = ContractDiff.compare(onV1, ContractParser.parse("v2", gold
        .replace("version: 1.0.0", "version: 1.0.1").replace("value: logistics.shipments", "value: logistics.shipments@v2")));
    assertEquals(Verdict.BREAKING, otherMajor.verdict(), otherMajor.render());
    assertTrue(otherMajor.render().contains("upstream changes from 'logistics.shipments@v1' to 'logistics.shipments@v2':"
        + " the stored rows were computed from the other major's table"), otherMajor.render());
    ContractDiff newMajor = ContractDiff.compare(onV1, ContractParser.parse("v2", gold
        .replace("version: 1.0.0", "version: 2.0.0").replace("value: logistics.shipments", "value: logistics.shipments@v2")));
    assertEquals(Verdict.NEW_MAJOR, newMajor.verdict(), newMajor.render());
  }

  @Test
  void aMaskOfAClassificationNoColumnHasAnyMoreIsRemovedCompatibly() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: crm.contacts
        domain: crm
        version: 1.0.0
        status: active
        roles:
          - role: ops
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {pii: redact}}
        schema:
          - name: contacts
            properties:
              - {name: contact_id, logicalType: string, primaryKey: true, required: true}
              - {name: phone, logicalType: string, classification: pii}
        """;
    Contract running = ContractParser.parse("v1", text);
    // phone is reclassified, with the same mask under the new name: nothing is read in clear
    ContractDiff renamed = ContractDiff.compare(running, ContractParser.parse("v1.1", text
        .replace("version: 1.0.0", "version: 1.1.0").replace("{pii: redact}", "{internal: redact}")
        .replace("classification: pii", "classification: internal")));
    assertEquals(Verdict.COMPATIBLE, renamed.verdict(), renamed.render());
    assertTrue(renamed.render().contains("mask of classification 'pii' for role 'ops' (redact) is removed: no column"
        + " is classified 'pii' any more"), renamed.render());
    // the mask removed while phone keeps its classification: read in clear
    ContractDiff removed = ContractDiff.compare(running, ContractParser.parse("v1.1", text
        .replace("version: 1.0.0", "version: 1.1.0")
        .replace("    customProperties:\n      - {property: lakemeshMasks, value: {pii: redact}}\n", "")));
    assertTrue(removed.render().contains("the role now reads such columns in clear"), removed.render());
    assertEquals(Verdict.BREAKING, removed.verdict(), removed.render());
  }

  @Test
  void whatLakemeshOnlyKeepsIsListedAsADocumentationChange() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: crm.customers
        domain: crm
        version: 1.0.0
        status: active
        servers:
          - {server: prod, type: postgres, host: db.example.com, port: 5432, database: crm, schema: public}
        schema:
          - name: customers
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true, physicalName: cust_id}
              - {name: email, logicalType: string, examples: [a@example.com]}
        """;
    Contract running = ContractParser.parse("v1", text);
    Contract proposed = ContractParser.parse("v1.0.1", text.replace("version: 1.0.0", "version: 1.0.1")
        .replace("physicalName: cust_id", "physicalName: customer_id").replace("port: 5432", "port: 5433")
        .replace("servers:", "customProperties:\n  - {property: dataSteward, value: ana}\nservers:"));
    ContractDiff diff = ContractDiff.compare(running, proposed);
    assertEquals(Verdict.COMPATIBLE, diff.verdict(), diff.render());
    assertTrue(diff.render().contains("compatible  documentation changes at /servers, /customProperties,"
        + " /schema/0/properties/0/physicalName\n"), diff.render());
    ContractDiff same = ContractDiff.compare(running, ContractParser.parse("again", text));
    assertTrue(same.changes().isEmpty(), same.render());
  }

  @Test
  void anObjectRequiringAnotherMemberIsBreakingAndOneRequiringFewerIsNot() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: crm.people
        domain: crm
        version: 1.0.0
        status: active
        schema:
          - name: people
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: details, logicalType: object, logicalTypeOptions: {required: [a]}}
        """;
    Contract one = ContractParser.parse("one", text);
    Contract two = ContractParser.parse("two", text.replace("required: [a]", "required: [a, b]")
        .replace("version: 1.0.0", "version: 1.1.0"));
    assertEquals(Verdict.BREAKING, ContractDiff.compare(one, two).verdict());
    assertEquals(Verdict.COMPATIBLE, ContractDiff.compare(two, ContractParser.parse("three", text
        .replace("version: 1.0.0", "version: 1.2.0"))).verdict());
  }

  @Test
  void aTimestampsFormatZoneAndBoundsAreJudgedByWhatTheyRead() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: log.scans
        domain: log
        version: 1.0.0
        status: active
        schema:
          - name: scans
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: at, logicalType: timestamp, logicalTypeOptions: {minimum: "2020-01-01T00:00:00Z"}}
        """;
    Contract running = ContractParser.parse("v1", text);
    java.util.function.Function<String, Verdict> verdict = changed -> ContractDiff.compare(running,
        parse("next", changed.replace("version: 1.0.0", "version: 1.1.0"))).verdict();
    assertEquals(Verdict.COMPATIBLE, verdict.apply(text.replace("minimum: \"2020-01-01T00:00:00Z\"",
        "minimum: \"2020-01-01\"")), "the same instant written as a date");
    assertEquals(Verdict.COMPATIBLE, verdict.apply(text.replace("minimum: \"2020-01-01T00:00:00Z\"",
        "minimum: \"2019-12-31 00:00:00\"")), "an earlier bound written with a space");
    assertEquals(Verdict.COMPATIBLE, verdict.apply(text.replace("{minimum:", "{format: dd/MM/yyyy HH:mm, minimum:")),
        "a pattern read besides ISO-8601 accepts more");
    assertEquals(Verdict.BREAKING, verdict.apply(text.replace("{minimum:", "{defaultTimezone: Asia/Manila, minimum:")),
        "times without an offset would be stored at other instants");
    Contract patterned = parse("p", text.replace("{minimum:", "{format: dd/MM/yyyy HH:mm, minimum:"));
    assertEquals(Verdict.BREAKING, ContractDiff.compare(patterned, parse("q", text
        .replace("version: 1.0.0", "version: 1.1.0"))).verdict(), "values in the pattern would be refused");
  }

  @Test
  void aNewMajorMayNotChangeTheColumnEventsAreRoutedBy() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: shop.orders
        domain: shop
        version: 1.4.0
        status: active
        schema:
          - name: orders
            properties:
              - {name: tenant_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1, required: true}
              - {name: order_id, logicalType: string, primaryKey: true, primaryKeyPosition: 2, required: true}
        """;
    Contract running = ContractParser.parse("v1", text);
    ContractDiff rekeyed = ContractDiff.compare(running, ContractParser.parse("v2", text
        .replace("version: 1.4.0", "version: 2.0.0")
        .replace("{name: tenant_id, logicalType: string, primaryKey: true, primaryKeyPosition: 1, required: true}",
            "{name: tenant_id, logicalType: string, required: true}")
        .replace("primaryKeyPosition: 2", "primaryKeyPosition: 1")));
    assertEquals(Verdict.BREAKING, rekeyed.verdict(), rekeyed.render());
    assertTrue(rekeyed.render().contains("refused, also as a new major version: keep the first primary-key column"),
        rekeyed.render());
    ContractDiff widerKey = ContractDiff.compare(running, ContractParser.parse("v2b", text
        .replace("version: 1.4.0", "version: 2.0.0")
        .replace("{name: order_id, logicalType: string, primaryKey: true, primaryKeyPosition: 2",
            "{name: order_no, logicalType: string, primaryKey: true, primaryKeyPosition: 2")));
    assertEquals(Verdict.NEW_MAJOR, widerKey.verdict(), "the same first column routes the same: " + widerKey.render());
  }

  @Test
  void aClassifiedFieldRemovedIsARemovalNotADisclosure() throws Exception {
    String text = """
        apiVersion: v3.1.0
        kind: DataContract
        id: hosp.patients
        domain: hosp
        version: 1.1.0
        status: active
        roles:
          - role: researcher
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {phi_contact: last-4}}
        schema:
          - name: patients
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: phone, logicalType: string, classification: phi_contact}
              - {name: email, logicalType: string, classification: phi_contact}
        """;
    ContractDiff diff = ContractDiff.compare(ContractParser.parse("v1", text), ContractParser.parse("v2", text
        .replace("version: 1.1.0", "version: 2.0.0")
        .replace("      - {name: phone, logicalType: string, classification: phi_contact}\n", "")));
    assertTrue(diff.render().contains("field 'phone' (string) is removed"), diff.render());
    assertTrue(diff.changes().stream().noneMatch(c -> c.kind() == ChangeKind.MASK_CHANGED), diff.render());
  }
}
