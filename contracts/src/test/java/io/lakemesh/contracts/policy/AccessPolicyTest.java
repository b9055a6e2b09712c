package io.lakemesh.contracts.policy;

import static io.lakemesh.contracts.RetailContracts.DAILY_SALES;
import static io.lakemesh.contracts.RetailContracts.TRANSACTIONS;
import static io.lakemesh.contracts.RetailContracts.problemsAfter;
import static io.lakemesh.contracts.RetailContracts.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.RetailContracts;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.iceberg.data.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
  static final byte[] SALT = "deployment-secret".getBytes();
  static Contract transactions;
  static AccessPolicy policy;

  @BeforeAll
  static void load() throws Exception {
    transactions = RetailContracts.parse(TRANSACTIONS);
    policy = AccessPolicy.of(transactions, SALT);
  }

  static Map<String, Object> sale(String region, String customer) {
    Map<String, Object> row = new HashMap<>();
    row.put("transaction_id", "T-1");
    row.put("region", region);
    row.put("customer_id", customer);
    row.put("total_amount", new BigDecimal("30.50"));
    return row;
  }

  @Test
  void theRetailTransactionsContractDeclaresTheSecurityIssuesPolicy() {
    assertEquals("retail.transactions", policy.product());
    assertEquals(List.of("retail_admin", "analyst", "ingest"), policy.roles().stream().map(RoleAccess::role).toList());

    RoleAccess admin = policy.role("retail_admin").orElseThrow();
    assertEquals(Set.of(Action.READ, Action.INGEST, Action.ADMIN), admin.actions());
    assertTrue(admin.rowFilter().isEmpty());
    assertTrue(admin.masks().isEmpty());

    RoleAccess analyst = policy.role("analyst").orElseThrow();
    assertEquals(Set.of(Action.READ), analyst.actions());
    assertEquals("row.region == claims.region", analyst.rowFilter().orElseThrow().source());
    assertInstanceOf(ColumnMask.Hash.class, analyst.maskFor("restricted").orElseThrow());
    assertInstanceOf(ColumnMask.Hash.class, analyst.maskFor("RESTRICTED").orElseThrow());
    assertTrue(analyst.maskFor("public").isEmpty());

    RoleAccess ingest = policy.role("ingest").orElseThrow();
    assertEquals(Set.of(Action.INGEST), ingest.actions());

    assertTrue(policy.role("nobody").isEmpty(), "deny by default");
    assertEquals(Map.of("customer_id", "restricted"), policy.classifiedColumns());
  }

  @Test
  void actionsComeFromTheCallersRolesAndNothingElse() {
    assertTrue(policy.allows(List.of("ingest"), Action.INGEST));
    assertFalse(policy.allows(List.of("ingest"), Action.READ));
    assertFalse(policy.allows(List.of("analyst"), Action.INGEST));
    assertTrue(policy.allows(List.of("analyst", "ingest"), Action.INGEST));
    assertTrue(policy.allows(List.of("retail_admin"), Action.ADMIN));
    assertFalse(policy.allows(List.of("analyst", "ingest"), Action.ADMIN));
    assertFalse(policy.allows(List.of("admin", "stranger"), Action.READ), "roles the contract does not name");
    assertTrue(policy.reader(List.of("ingest")).isEmpty(), "ingest does not read");
  }

  @Test
  void theDailySalesContractHasNoIngestRole() throws Exception {
    AccessPolicy gold = AccessPolicy.of(RetailContracts.parse(DAILY_SALES));
    assertEquals(Set.of(Action.READ, Action.ADMIN), gold.role("retail_admin").orElseThrow().actions());
    assertEquals(Set.of(Action.READ), gold.role("analyst").orElseThrow().actions());
    assertTrue(gold.role("ingest").isEmpty());
    assertFalse(gold.allows(List.of("retail_admin", "analyst", "ingest"), Action.INGEST));
    assertTrue(gold.role("analyst").orElseThrow().rowFilter().isPresent());
  }

  @Test
  void anAnalystSeesTheRowsOfTheRegionInTheirClaims() {
    RowAccessFilter filter = policy.role("analyst").orElseThrow().rowFilter().orElseThrow();
    assertTrue(filter.test(sale("NCR", "C-1"), Map.of("region", "NCR", "sub", "alice")));
    assertFalse(filter.test(sale("CAR", "C-1"), Map.of("region", "NCR")));
  }

  @Test
  void aMissingOrMistypedClaimShowsNoRowsRatherThanFailing() {
    RowAccessFilter filter = policy.role("analyst").orElseThrow().rowFilter().orElseThrow();
    assertFalse(filter.test(sale("NCR", "C-1"), Map.of()));
    assertFalse(filter.test(sale("NCR", "C-1"), Map.of("sub", "mallory")));
    assertFalse(filter.test(sale("NCR", "C-1"), Map.of("region", 7)));
    assertFalse(filter.test(sale("NCR", "C-1"), Map.of("region", List.of("NCR"))));
    assertFalse(filter.test(sale("NCR", "C-1"), null));
    assertFalse(filter.test(sale(null, "C-1"), Map.of("region", "NCR")), "a null column matches nothing");
  }

  @Test
  void rowFiltersReadIcebergRecordsToo() {
    var schema = IcebergMapping.schema(transactions);
    GenericRecord row = GenericRecord.create(schema);
    row.setField("transaction_id", "T-9");
    row.setField("region", "Region VII");
    row.setField("ts", OffsetDateTime.parse("2026-11-25T08:15:30Z"));
    row.setField("total_amount", new BigDecimal("12.00"));
    RoleAccess analyst = policy.role("analyst").orElseThrow();
    assertTrue(analyst.sees(row, Map.of("region", "Region VII")));
    assertFalse(analyst.sees(row, Map.of("region", "NCR")));
    assertTrue(policy.role("retail_admin").orElseThrow().sees(row, Map.of()), "no filter: every row");
  }

  @Test
  void filtersSeeTypedColumnsAndJsonLikeClaims() throws Exception {
    Contract gold = RetailContracts.parseEdited(DAILY_SALES,
        replace("value: row.region == claims.region",
            "value: row.units >= claims.min_units && row.category in claims.categories"));
    RowAccessFilter filter = AccessPolicy.of(gold).role("analyst").orElseThrow().rowFilter().orElseThrow();
    Map<String, Object> row = Map.of("day", "2026-11-25", "region", "NCR", "units", 7, "category", "noodles",
        "revenue", new BigDecimal("99.50"));
    assertTrue(filter.test(row, Map.of("min_units", 5, "categories", List.of("noodles", "snacks"))));
    assertFalse(filter.test(row, Map.of("min_units", 8L, "categories", List.of("noodles"))));
    assertFalse(filter.test(row, Map.of("min_units", 5, "categories", List.of("snacks"))));
  }

  @Test
  void aCallerWithSeveralRolesGetsTheUnionOfRowsAndPerRowTheLeastMasking() {
    Map<String, Object> ncr = sale("NCR", "C-1");
    Map<String, Object> car = sale("CAR", "C-2");
    Map<String, Object> claims = Map.of("region", "NCR");

    ReadAccess analyst = policy.reader(List.of("analyst")).orElseThrow();
    assertFalse(analyst.allRows());
    assertEquals(Set.of("customer_id"), analyst.maskedColumns());
    assertInstanceOf(ColumnMask.Hash.class, analyst.view(ncr, claims).orElseThrow().get("customer_id"));
    assertTrue(analyst.view(car, claims).isEmpty(), "another region's row is hidden");

    ReadAccess withIngest = policy.reader(List.of("analyst", "ingest")).orElseThrow();
    assertEquals(List.of("analyst"), withIngest.roles().stream().map(RoleAccess::role).toList());
    assertTrue(withIngest.view(car, claims).isEmpty(), "a role that does not read never widens reading");

    ReadAccess withAdmin = policy.reader(List.of("analyst", "retail_admin")).orElseThrow();
    assertTrue(withAdmin.allRows());
    assertTrue(withAdmin.maskedColumns().isEmpty());
    assertEquals(Map.of(), withAdmin.view(car, claims).orElseThrow());
  }

  @Test
  void aClearViewOfSomeRowsDoesNotUnmaskTheRest() throws Exception {
    // "regional" reads its region in clear; "auditor" reads every row with customer_id redacted
    UnaryOperator<String> edit = replace("  - role: ingest\n    access: write\n", String.join("\n",
        "  - role: regional",
        "    access: read",
        "    customProperties:",
        "      - property: lakemeshRowFilter",
        "        value: row.region == claims.region",
        "  - role: auditor",
        "    access: read",
        "    customProperties:",
        "      - property: lakemeshMasks",
        "        value: {restricted: redact}",
        "  - role: ingest",
        "    access: write",
        ""));
    AccessPolicy p = AccessPolicy.of(RetailContracts.parseEdited(TRANSACTIONS, edit), SALT);
    ReadAccess both = p.reader(List.of("regional", "auditor", "analyst")).orElseThrow();
    Map<String, Object> claims = Map.of("region", "NCR");
    assertTrue(both.allRows());
    assertEquals(Set.of("customer_id"), both.maskedColumns(), "masked on some rows: not filterable");
    assertEquals(Map.of(), both.view(sale("NCR", "C-1"), claims).orElseThrow(), "own region: in clear");
    ColumnMask other = both.view(sale("CAR", "C-2"), claims).orElseThrow().get("customer_id");
    assertEquals(new ColumnMask.Redact(), other, "other regions: only the auditor's redacted view");
    assertEquals(Optional.of("***"), Optional.ofNullable(other.apply("C-2")));
  }

  @Test
  void ofRefusesAnInvalidPolicyEvenWithoutTheParser() throws Exception {
    Contract c = transactions;
    Contract broken = new Contract(c.id(), c.name(), c.version(), c.status(), c.domain(), c.dataProduct(),
        c.description(), c.owner(), c.table(), List.of(new Contract.RoleGrant("x", "read", null,
            List.of(new Contract.CustomProperty("lakemeshActions", List.of("read", "delete"))))), List.of(),
        c.settings(), c.document());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessPolicy.of(broken));
    assertTrue(e.getMessage().contains("/roles/0/customProperties/0/value/1"), e.getMessage());
  }

  // --- invalid policies: every problem with its JSON pointer ---

  static void assertProblem(List<Problem> problems, String path, String... words) {
    assertTrue(problems.stream().anyMatch(p -> p.path().equals(path)
            && List.of(words).stream().allMatch(w -> p.reason().contains(w))),
        () -> "expected a problem at " + path + " mentioning " + List.of(words) + ", got " + problems);
  }

  @Test
  void aRowFilterThatDoesNotCompileIsAProblemAtItsValue() throws Exception {
    List<Problem> problems = problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.regoin == claims.region"));
    assertProblem(problems, "/roles/1/customProperties/0/value", "analyst", "regoin");
    assertEquals(1, problems.size(), problems::toString);

    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.region")),
        "/roles/1/customProperties/0/value", "bool");
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.total_amount == 'x'")),
        "/roles/1/customProperties/0/value", "_==_");
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: region == claims.region")),
        "/roles/1/customProperties/0/value", "region");
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: [row.region]")),
        "/roles/1/customProperties/0/value", "CEL expression");
    // inside objects too: a misspelt item property, and a string used as a number
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.items.exists(i, i.qyt > 0)")),
        "/roles/1/customProperties/0/value", "has no property 'qyt'");
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.items.exists(i, i.product_id + 1 == 2)")),
        "/roles/1/customProperties/0/value", "_+_");
    // a decimal plus an int: the hint, not the checker's list of every overload of _+_
    List<Problem> mixed = problemsAfter(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.total_amount + 1 > 2.0"));
    assertProblem(mixed, "/roles/1/customProperties/0/value", "(double, int)", "write 1.0");
    assertFalse(mixed.toString().contains("candidates"), mixed::toString);
    assertNotNull(io.lakemesh.contracts.RetailContracts.parseEdited(TRANSACTIONS,
        replace("value: row.region == claims.region", "value: row.items.exists(i, i.qty > 1)")));
  }

  @Test
  void anUnknownMaskOrAClassificationNoPropertyHasIsAProblemAtItsKey() {
    assertProblem(problemsAfter(TRANSACTIONS, replace("restricted: hash", "restricted: scramble")),
        "/roles/1/customProperties/1/value/restricted", "unknown mask 'scramble'");
    assertProblem(problemsAfter(TRANSACTIONS, replace("restricted: hash", "restricted: last-0")),
        "/roles/1/customProperties/1/value/restricted", "unknown mask");
    List<Problem> problems = problemsAfter(TRANSACTIONS, replace("restricted: hash", "secret/pii: redact"));
    assertProblem(problems, "/roles/1/customProperties/1/value/secret~1pii", "no property has classification",
        "restricted");
    assertProblem(problemsAfter(TRANSACTIONS, replace("restricted: hash", "restricted: [hash]")),
        "/roles/1/customProperties/1/value/restricted", "unknown mask");
  }

  @Test
  void unknownActionsAccessOrKeysAreProblems() {
    assertProblem(problemsAfter(TRANSACTIONS,
        replace("value: [read, ingest, admin]", "value: [read, ingest, admin, delete]")),
        "/roles/0/customProperties/0/value/3", "unknown action 'delete'");
    assertProblem(problemsAfter(TRANSACTIONS, replace("value: [read, ingest, admin]", "value: admin")),
        "/roles/0/customProperties/0/value", "list");
    assertProblem(problemsAfter(TRANSACTIONS, replace("value: [read, ingest, admin]", "value: []")),
        "/roles/0/customProperties/0/value", "grants nothing");
    assertProblem(problemsAfter(TRANSACTIONS, replace("- property: lakemeshMasks", "- property: lakemeshMask")),
        "/roles/1/customProperties/1/property", "unknown Lakemesh role property 'lakemeshMask'");
  }

  @Test
  void aRoleWithoutAnAccessLakemeshEnforcesIsValidOdcsAndGrantsNothingWithANote() throws Exception {
    // ODCS's access is optional free text: such a document is valid; deny by default, and lint says so as a note
    Contract noAccess = io.lakemesh.contracts.RetailContracts.parseEdited(TRANSACTIONS,
        replace("    access: write\n", ""));
    Contract otherWord = io.lakemesh.contracts.RetailContracts.parseEdited(TRANSACTIONS,
        replace("access: write", "access: post"));
    for (Contract contract : List.of(noAccess, otherWord)) {
      assertEquals(List.of(), AccessPolicy.problems(contract));
      assertFalse(AccessPolicy.of(contract).allows(Set.of("ingest"), Action.INGEST), "grants nothing");
      assertFalse(AccessPolicy.of(contract).allows(Set.of("ingest"), Action.READ), "grants nothing");
    }
    assertEquals(List.of("/roles/2: role 'ingest' grants nothing here (deny by default): it has no access; give it"
        + " access read, write or read-write, or list its actions in lakemeshActions"), AccessPolicy.notes(noAccess));
    assertEquals(List.of("/roles/2/access: role 'ingest' grants nothing here (deny by default): access 'post' is none"
        + " Lakemesh enforces; give it access read, write or read-write, or list its actions in lakemeshActions"),
        AccessPolicy.notes(otherWord));
    // a row filter on such a role filters nothing it could read: a mistake, as on any role that does not read
    assertProblem(problemsAfter(TRANSACTIONS, replace("    access: write\n    description: Posts events from tills and"
        + " store systems.\n", String.join("\n",
            "    description: Posts events from tills and store systems.",
            "    customProperties:",
            "      - property: lakemeshRowFilter",
            "        value: row.region == claims.region",
            ""))),
        "/roles/2/customProperties/0/value", "does not read");
  }

  @Test
  void policiesThatCannotTakeEffectAreProblems() {
    // a row filter on a role that does not read
    assertProblem(problemsAfter(TRANSACTIONS, replace("    description: Posts events from tills and store systems.\n",
        String.join("\n",
            "    description: Posts events from tills and store systems.",
            "    customProperties:",
            "      - property: lakemeshRowFilter",
            "        value: row.region == claims.region",
            ""))),
        "/roles/2/customProperties/0/value", "does not read");
    // ingest into a derived product
    assertProblem(problemsAfter(DAILY_SALES, replace("value: [read, admin]", "value: [read, ingest, admin]")),
        "/roles/0/customProperties/0/value", "ingest", "gold");
    // the same role twice
    assertProblem(problemsAfter(TRANSACTIONS, replace("- role: ingest", "- role: analyst")),
        "/roles/2/role", "duplicate role 'analyst'");
  }
}
