package io.lakemesh.contracts.sla;

import static io.lakemesh.contracts.RetailContracts.DAILY_SALES;
import static io.lakemesh.contracts.RetailContracts.TRANSACTIONS;
import static io.lakemesh.contracts.RetailContracts.problemsAfter;
import static io.lakemesh.contracts.RetailContracts.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.RetailContracts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServiceLevelsTest {
  static final String FRESHNESS = "  - property: freshness\n    value: 60\n    unit: s\n";
  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  static ServiceLevels transactionsWithFreshness(String value, String unit) throws Exception {
    String replacement = "  - property: freshness\n    value: " + value + "\n"
        + (unit.isEmpty() ? "" : "    unit: " + unit + "\n");
    return ServiceLevels.of(RetailContracts.parseEdited(TRANSACTIONS, replace(FRESHNESS, replacement)));
  }

  @Test
  void theRetailContractsPromiseFreshnessAndLatency() throws Exception {
    ServiceLevels transactions = ServiceLevels.of(RetailContracts.parse(TRANSACTIONS));
    assertEquals(Optional.of(Duration.ofSeconds(60)), transactions.freshness());
    assertEquals(Optional.of("transactions.ts"), transactions.freshnessElement());
    assertEquals(Optional.of(Duration.ofSeconds(30)), transactions.latency());
    assertTrue(transactions.others().isEmpty());

    ServiceLevels dailySales = ServiceLevels.of(RetailContracts.parse(DAILY_SALES));
    assertEquals(Optional.of(Duration.ofMinutes(2)), dailySales.freshness());
    assertTrue(dailySales.latency().isEmpty());
  }

  @ParameterizedTest(name = "{0} {1} = {2}")
  @CsvSource({
      "60, s, PT60S",
      "1500, ms, PT1.5S",
      "5, m, PT5M",
      "5, min, PT5M",
      "2, minutes, PT2M",
      "2, h, PT2H",
      "1.5, h, PT1H30M",
      "1, d, PT24H",
      "1, day, PT24H",
      "3, days, PT72H",
      "1, w, PT168H",
      "10, S, PT10S",
      "PT5M, '', PT5M",
      "'\"90\"', s, PT90S",
  })
  void freshnessReadsValueAndUnit(String value, String unit, String expected) throws Exception {
    assertEquals(Optional.of(Duration.parse(expected)), transactionsWithFreshness(value, unit).freshness());
  }

  @Test
  void otherSlaPropertiesAreKeptAsWritten() throws Exception {
    ServiceLevels levels = ServiceLevels.of(RetailContracts.parseEdited(TRANSACTIONS, replace(FRESHNESS,
        FRESHNESS + "  - property: retention\n    value: 3\n    unit: y\n")));
    assertEquals(1, levels.others().size());
    assertEquals("retention", levels.others().get(0).property());
    assertEquals("3", levels.others().get(0).value());
    assertEquals("y", levels.others().get(0).unit());
  }

  @Test
  void anSlaWhoseElementNamesAnotherObjectIsThatObjectsProducts() throws Exception {
    List<io.lakemesh.contracts.model.Contract> products = io.lakemesh.contracts.ContractParser.parseAll("fleet", """
        apiVersion: v3.1.0
        kind: DataContract
        id: 4a1c0c6e-fleet
        version: 1.0.0
        status: active
        domain: fleet
        schema:
          - name: vehicles
            properties:
              - {name: vin, logicalType: string, primaryKey: true, required: true}
              - {name: updated_at, logicalType: timestamp}
          - name: depots
            properties:
              - {name: depot_id, logicalType: string, primaryKey: true, required: true}
              - {name: opened, logicalType: timestamp}
        slaProperties:
          - {property: freshness, value: 60, unit: s, element: vehicles.updated_at}
          - {property: freshness, value: 1, unit: d, element: Depots.opened}
          - {property: latency, value: 30, unit: s}
        """);
    assertEquals(2, products.size());
    ServiceLevels vehicles = ServiceLevels.of(products.get(0));
    ServiceLevels depots = ServiceLevels.of(products.get(1));
    assertEquals(Optional.of(Duration.ofSeconds(60)), vehicles.freshness());
    assertEquals(Optional.of(Duration.ofDays(1)), depots.freshness(), "its own, not the vehicles' (any case)");
    assertEquals(Optional.of(Duration.ofSeconds(30)), vehicles.latency(), "an SLA without an object is everyone's");
    assertEquals(Optional.of(Duration.ofSeconds(30)), depots.latency());
  }

  static void assertProblem(List<Problem> problems, String path, String... words) {
    assertTrue(problems.stream().anyMatch(p -> p.path().equals(path)
            && List.of(words).stream().allMatch(w -> p.reason().contains(w))),
        () -> "expected a problem at " + path + " mentioning " + List.of(words) + ", got " + problems);
  }

  static List<Problem> freshnessProblems(String value, String unit) {
    String replacement = "  - property: freshness\n    value: " + value + "\n"
        + (unit == null ? "" : "    unit: " + unit + "\n");
    return problemsAfter(TRANSACTIONS, replace(FRESHNESS, replacement));
  }

  @Test
  void invalidUnitsAndValuesAreProblemsWithTheirPaths() {
    assertProblem(freshnessProblems("60", "fortnight"), "/slaProperties/0/unit", "unknown unit 'fortnight'");
    assertProblem(freshnessProblems("3", "y"), "/slaProperties/0/unit", "unknown unit 'y'");
    assertProblem(freshnessProblems("3", "M"), "/slaProperties/0/unit", "unknown unit 'M'");
    assertProblem(freshnessProblems("soon", "s"), "/slaProperties/0/value", "needs a number", "soon");
    assertProblem(freshnessProblems("true", "s"), "/slaProperties/0/value", "needs a number");
    assertProblem(freshnessProblems("-5", "m"), "/slaProperties/0/value", "longer than zero");
    assertProblem(freshnessProblems("0", "s"), "/slaProperties/0/value", "longer than zero");
    assertProblem(freshnessProblems("0.4", "ms"), "/slaProperties/0/value", "at least 1 ms", "0.4 ms");
    assertProblem(freshnessProblems("PT0.0005S", null), "/slaProperties/0/value", "at least 1 ms");
    assertProblem(freshnessProblems("1e300", "s"), "/slaProperties/0/value", "too long");
    assertProblem(freshnessProblems("60", null), "/slaProperties/0/unit", "needs a unit");
    assertProblem(freshnessProblems("null", "s"), "/slaProperties/0/value", "needs a value");
    assertProblem(problemsAfter(TRANSACTIONS, replace(FRESHNESS, FRESHNESS + FRESHNESS)),
        "/slaProperties/1/property", "freshness is declared twice");
  }

  @Test
  void freshnessIsBreachedWhenTheLastCommitIsOlderThanTheObjective() throws Exception {
    ServiceLevels levels = ServiceLevels.of(RetailContracts.parse(TRANSACTIONS));

    SlaVerdict fresh = levels.evaluateFreshness(NOW.minusSeconds(42), NOW);
    assertEquals(SlaVerdict.Status.MET, fresh.status());
    assertTrue(fresh.ok());
    assertEquals(Duration.ofSeconds(42), fresh.observed());
    assertEquals("freshness met: last commit 42s ago, within the 1m objective", fresh.sentence());

    assertTrue(levels.evaluateFreshness(NOW.minusSeconds(60), NOW).ok(), "exactly at the limit is met");

    SlaVerdict stale = levels.evaluateFreshness(NOW.minusSeconds(185), NOW);
    assertTrue(stale.breached());
    assertEquals(Duration.ofSeconds(60), stale.objective());
    assertEquals("freshness breached: last commit 3m 5s ago, 2m 5s over the 1m objective", stale.sentence());

    SlaVerdict ahead = levels.evaluateFreshness(NOW.plusSeconds(3), NOW);
    assertEquals(Duration.ZERO, ahead.observed(), "a commit from a clock ahead of ours is fresh");
    assertTrue(ahead.ok());
  }

  @Test
  void latencyIsBreachedWhenTheObservedTimeExceedsTheObjective() throws Exception {
    ServiceLevels levels = ServiceLevels.of(RetailContracts.parse(TRANSACTIONS));
    assertTrue(levels.evaluateLatency(Duration.ofMillis(2500)).ok());
    assertEquals("latency met: observed 2.5s, within the 30s objective",
        levels.evaluateLatency(Duration.ofMillis(2500)).sentence());
    SlaVerdict slow = levels.evaluateLatency(Duration.ofSeconds(95));
    assertTrue(slow.breached());
    assertEquals("latency breached: observed 1m 35s, 1m 5s over the 30s objective", slow.sentence());
    assertEquals("latency met: observed 250ms, within the 30s objective",
        levels.evaluateLatency(Duration.ofMillis(250)).sentence());
  }

  @Test
  void anUndeclaredObjectiveIsNeverBreached() throws Exception {
    ServiceLevels gold = ServiceLevels.of(RetailContracts.parse(DAILY_SALES));
    SlaVerdict latency = gold.evaluateLatency(Duration.ofHours(5));
    assertEquals(SlaVerdict.Status.NOT_DECLARED, latency.status());
    assertFalse(latency.breached());
    assertTrue(latency.sentence().startsWith("no latency objective declared"), latency.sentence());
  }
}
