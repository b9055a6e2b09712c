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
  void aNewMajorVersionRunsBesideTheOldOne() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", CUSTOMER_ID, ""));
    assertEquals(Verdict.NEW_MAJOR, diff.verdict());
    assertTrue(diff.verdict().deployable());
    assertEquals("""
        NEW MAJOR  retail.transactions 1.0.0 -> 2.0.0: 1 breaking change, 1 compatible
          breaking    field 'customer_id' (string) is removed: readers of it break
          compatible  version changes from 1.0.0 to 2.0.0
        deploys beside 1.0.0 as a new major version of retail.transactions
        """, diff.render());
  }

  @Test
  void aMajorBumpWithOnlyCompatibleChangesEvolvesInPlace() {
    Contract running = parse("transactions", T.text());
    ContractDiff diff = ContractDiff.compare(running, transactions("2.0.0", "maxLength: 64", "maxLength: 80"));
    assertEquals(Verdict.COMPATIBLE, diff.verdict());
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
}
