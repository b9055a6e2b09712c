package io.lakemesh.contracts.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.aggregate.AggregateExpression.GroupBy;
import io.lakemesh.contracts.aggregate.AggregateExpression.KeyFunction;
import io.lakemesh.contracts.aggregate.AggregateExpression.Measure;
import io.lakemesh.contracts.aggregate.AggregateExpression.MeasureFunction;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gold products declared column by column: the expressions, and what is refused against the upstream. */
class AggregatePlanTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = AggregatePlanTest.class.getResourceAsStream("/aggregate/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Contract contract(String yaml) throws InvalidContractException {
    return ContractParser.parseAll("test.odcs.yaml", yaml).get(0);
  }

  private static Contract shipments() throws Exception {
    return contract(resource("shipments.odcs.yaml"));
  }

  /** The example gold contract with one column's transformLogic replaced. */
  private static String goldWith(String column, String logic) throws IOException {
    String yaml = resource("hub_daily.odcs.yaml");
    int at = yaml.indexOf("- name: " + column + "\n");
    int line = yaml.indexOf("transformLogic: ", at);
    int end = yaml.indexOf('\n', line);
    return yaml.substring(0, line) + "transformLogic: " + logic + yaml.substring(end);
  }

  /** What the parser refuses in a gold contract on its own (lint of one file). */
  private static List<Problem> refused(String goldYaml) {
    return assertThrows(InvalidContractException.class, () -> contract(goldYaml)).problems();
  }

  private static List<String> problems(String goldYaml) throws Exception {
    return AggregatePlan.problems(contract(goldYaml), shipments()).stream().map(Problem::toString).toList();
  }

  @Test
  void readsEveryForm() {
    assertEquals(new GroupBy(KeyFunction.VALUE, "address.city"), AggregateExpression.parse(" address.city "));
    assertEquals(new GroupBy(KeyFunction.DAY, "ts"), AggregateExpression.parse("day(ts)"));
    assertEquals(new GroupBy(KeyFunction.HOUR, "ts"), AggregateExpression.parse("HOUR( ts )"));
    assertEquals(new GroupBy(KeyFunction.MONTH, "ts"), AggregateExpression.parse("month(ts)"));
    assertEquals(new GroupBy(KeyFunction.YEAR, "ts"), AggregateExpression.parse("year(ts)"));
    assertEquals(new Measure(MeasureFunction.SUM, "items.qty"), AggregateExpression.parse("sum(items.qty)"));
    assertEquals(new Measure(MeasureFunction.COUNT, null), AggregateExpression.parse("count()"));
    assertEquals(new Measure(MeasureFunction.COUNT, "carrier"), AggregateExpression.parse("count(carrier)"));
    assertEquals(new Measure(MeasureFunction.COUNT_DISTINCT, "id"),
        AggregateExpression.parse("count(DISTINCT id)"));
    assertEquals(new Measure(MeasureFunction.MIN, "ts"), AggregateExpression.parse("min(ts)"));
    assertEquals(new Measure(MeasureFunction.MAX, "ts"), AggregateExpression.parse("max(ts)"));
    assertEquals("count(distinct id)", AggregateExpression.parse("count(distinct id)").toString());
  }

  @Test
  void refusesWhatItDoesNotKnowWithTheFormsItDoes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AggregateExpression.parse("avg(weight)"));
    assertTrue(e.getMessage().contains("unknown function 'avg'") && e.getMessage().contains("sum(x)"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AggregateExpression.parse("sum(weight * 2)"));
    assertTrue(e.getMessage().contains("is not a path"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AggregateExpression.parse("sum(distinct weight)"));
    assertTrue(e.getMessage().contains("only count takes distinct"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AggregateExpression.parse("SELECT sum(x) FROM t"));
    assertThrows(IllegalArgumentException.class, () -> AggregateExpression.parse("sum()"));
    e = assertThrows(IllegalArgumentException.class, () -> AggregateExpression.parse("count(distinct)"));
    assertTrue(e.getMessage().contains("needs the upstream key it counts"), e.getMessage());
  }

  @Test
  void theExamplePlansEveryColumn() throws Exception {
    Contract gold = contract(resource("hub_daily.odcs.yaml"));
    assertTrue(AggregatePlan.isDeclared(gold));
    assertEquals(List.of(), AggregatePlan.problems(gold));
    AggregatePlan plan = AggregatePlan.of(gold, shipments());
    assertEquals("parcels", plan.array());
    assertEquals(List.of("day", "hub", "kind"), plan.keys().stream().map(AggregatePlan.Column::name).toList());
    assertEquals(List.of("shipments", "parcels", "pieces", "weight", "heaviest", "insured", "first_shipped"),
        plan.measures().stream().map(AggregatePlan.Column::name).toList());
    AggregatePlan.Column kind = plan.keys().get(2);
    assertEquals(List.of("parcels", "kind"), kind.path());
    assertEquals(1, kind.arrayDepth());
    assertEquals(0, plan.keys().get(1).arrayDepth());
    assertNull(plan.measures().get(1).source(), "count() reads no value");
  }

  @Test
  void aColumnWithoutTransformLogicOrOfTheWrongKindIsNamed() throws Exception {
    String yaml = resource("hub_daily.odcs.yaml").replace("        transformLogic: hub\n", "");
    List<Problem> problems = refused(yaml);
    assertEquals(1, problems.size(), problems.toString());
    assertEquals("/schema/0/properties/1", problems.get(0).path());
    assertTrue(problems.get(0).reason().contains("'hub' needs transformLogic"), problems.toString());

    List<String> found = refused(goldWith("hub", "max(hub)")).stream().map(Problem::toString).toList();
    assertTrue(found.get(0).startsWith("/schema/0/properties/1/transformLogic: 'hub' is a key column"),
        found.toString());
    found = refused(goldWith("weight", "hub")).stream().map(Problem::toString).toList();
    assertTrue(found.get(0).contains("'weight' is not a key column") && found.get(0).contains("sum(hub)"),
        found.toString());
    found = refused(goldWith("weight", "median(weight)")).stream().map(Problem::toString).toList();
    assertTrue(found.get(0).contains("unknown function 'median'"), found.toString());
  }

  @Test
  void pathsAreResolvedAgainstTheUpstream() throws Exception {
    assertEquals(List.of("/schema/0/properties/1/transformLogic: 'hubb': logistics.shipments has no property"
        + " 'hubb' (it has: shipment_id, hub, status, shipped_at, carrier, address, total_weight, parcels)"),
        problems(goldWith("hub", "hubb")));
    assertTrue(problems(goldWith("pieces", "sum(parcels.piece)")).get(0)
        .contains("the items of 'parcels' has no property 'piece' (it has: kind, weight, pieces, insured_value)"));
    assertTrue(problems(goldWith("hub", "address")).get(0).contains("'address' is an object: name one of its"
        + " properties, e.g. address.city"));
    assertTrue(problems(goldWith("hub", "parcels")).get(0).contains("is an array of objects"));
    assertEquals(List.of(), problems(goldWith("hub", "address.city")));
  }

  @Test
  void keysAndExtremesComeFromRequiredValues() throws Exception {
    assertTrue(problems(goldWith("hub", "carrier")).get(0).contains("'carrier' is optional in logistics.shipments"),
        "a key that could be null");
    assertTrue(problems(goldWith("hub", "address.zip")).get(0).contains("optional"));
    assertTrue(problems(goldWith("heaviest", "max(parcels.insured_value)")).stream()
        .anyMatch(p -> p.contains("optional") && p.contains("max reads required properties")));
  }

  @Test
  void countDistinctIsOnlyForTheUpstreamKey() throws Exception {
    List<String> found = problems(goldWith("shipments", "count(distinct hub)"));
    assertEquals(1, found.size(), found.toString());
    assertTrue(found.get(0).contains("only for the upstream's key ('shipment_id')"), found.toString());
  }

  @Test
  void typesMustFitTheColumn() throws Exception {
    assertTrue(problems(goldWith("weight", "sum(hub)")).get(0).contains("not a number"));
    assertTrue(problems(goldWith("shipments", "sum(parcels.weight)")).get(0)
        .contains("needs a decimal with at least 3 places"), "decimals are not summed into a whole number");
    assertTrue(problems(goldWith("insured", "sum(parcels.pieces)")).isEmpty(), "a sum of integers into a double");
    assertTrue(problems(goldWith("weight", "sum(parcels.insured_value)")).get(0)
        .contains("a sum of floating-point numbers is a double"));
    assertTrue(problems(goldWith("day", "day(hub)")).get(0).contains("not a timestamp or date"));
    assertTrue(problems(goldWith("day", "hour(shipped_at)")).get(0).contains("an hour is a timestamp"));
    assertTrue(problems(goldWith("day", "shipped_at")).get(0).contains("the upstream value is a timestamp"));
    assertTrue(problems(goldWith("pieces", "count(carrier)")).isEmpty());
    assertTrue(problems(goldWith("heaviest", "count()")).get(0).contains("a count is an integer"));
    // a max keeps the upstream value as it is: fewer digits before the point than decimal(10,3) can overflow
    String narrow = goldWith("heaviest", "max(parcels.weight)").replace("decimal(10,3)\n        required: true\n"
        + "        transformLogic: max", "decimal(8,3)\n        required: true\n        transformLogic: max");
    assertEquals(List.of("/schema/0/properties/7/transformLogic: 'heaviest' (a decimal(8, 3)) cannot hold"
        + " max(parcels.weight): the upstream value is a decimal(10, 3)"), problems(narrow));
    String wider = narrow.replace("decimal(8,3)", "decimal(11,4)");
    assertEquals(List.of(), problems(wider), "more digits on both sides hold every value");
  }

  @Test
  void twoArraysCannotBeExploded() throws Exception {
    String upstream = resource("shipments.odcs.yaml") + """
              - name: extra
                logicalType: array
                items:
                  logicalType: string
        """;
    Contract source = contract(upstream);
    Contract gold = contract(goldWith("hub", "extra"));
    List<String> found = AggregatePlan.problems(gold, source).stream().map(Problem::toString).toList();
    assertTrue(found.stream().anyMatch(p -> p.contains("reads the array 'parcels'") || p.contains("reads the"
        + " array 'extra'")), found.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AggregatePlan.of(gold,
        source));
    assertTrue(e.getMessage().startsWith("logistics.hub_daily cannot be computed from logistics.shipments:\n  "),
        e.getMessage());
  }

  @Test
  void aContractThatNamesAJavaTransformationDeclaresNothing() throws Exception {
    String yaml = resource("hub_daily.odcs.yaml").replace("    value: logistics.shipments\n",
        "    value: logistics.shipments\n  - property: lakemeshTransform\n    value: hub_daily\n");
    Contract gold = contract(yaml);
    assertInstanceOf(Contract.class, gold);
    assertTrue(!AggregatePlan.isDeclared(gold));
    assertEquals(List.of(), AggregatePlan.problems(gold, shipments()));
  }

  @Test
  void changingADeclaredColumnIsBreakingRespacingIsNot() throws Exception {
    Contract running = contract(resource("hub_daily.odcs.yaml"));
    io.lakemesh.contracts.evolution.ContractDiff same = io.lakemesh.contracts.evolution.ContractDiff.compare(
        running, contract(goldWith("weight", "SUM( parcels.weight )").replace("version: 1.0.0", "version: 1.0.1")));
    assertEquals(io.lakemesh.contracts.evolution.Verdict.COMPATIBLE, same.verdict(), same.render());

    io.lakemesh.contracts.evolution.ContractDiff changed = io.lakemesh.contracts.evolution.ContractDiff.compare(
        running, contract(goldWith("heaviest", "min(parcels.weight)").replace("version: 1.0.0", "version: 1.1.0")));
    assertEquals(io.lakemesh.contracts.evolution.Verdict.BREAKING, changed.verdict(), changed.render());
    assertTrue(changed.render().contains("gold column 'heaviest' changes from max(parcels.weight) to"
        + " min(parcels.weight)"), changed.render());

    String added = resource("hub_daily.odcs.yaml").replace("version: 1.0.0", "version: 1.1.0") + """
              - name: lightest
                logicalType: number
                physicalType: decimal(10,3)
                required: true
                transformLogic: min(parcels.weight)
        """;
    io.lakemesh.contracts.evolution.ContractDiff grown = io.lakemesh.contracts.evolution.ContractDiff.compare(
        running, contract(added));
    assertEquals(io.lakemesh.contracts.evolution.Verdict.BREAKING, grown.verdict(), grown.render());
    assertTrue(grown.render().contains("gold column 'lightest' (min(parcels.weight)) is added: the stored rows hold"
        + " no value for it, and on this major it would count only rows that arrive from now on (a new major computes"
        + " it over the whole upstream)"), grown.render());
    assertEquals(1, grown.changes().stream().filter(c -> c.description().contains("'lightest'")).count(),
        "said once, not again as a required field added: " + grown.render());
  }
}
