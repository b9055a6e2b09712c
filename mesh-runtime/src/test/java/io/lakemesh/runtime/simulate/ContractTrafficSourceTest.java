package io.lakemesh.runtime.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Traffic made from a contract: what it calls valid, the contract accepts; what it calls invalid, it rejects. */
class ContractTrafficSourceTest {

  private static Contract contract(String yaml) throws Exception {
    return ContractParser.parseAll("c.odcs.yaml", yaml).get(0);
  }

  private static void checkMix(Contract contract) {
    ContractTrafficSource source = new ContractTrafficSource(contract, contract.id());
    RowValidator validator = RowValidator.compile(contract);
    SplittableRandom random = new SplittableRandom(42);
    Set<String> valid = new HashSet<>();
    for (int i = 0; i < 300; i++) {
      String event = source.nextEvent(random, TrafficSource.EventKind.VALID);
      assertInstanceOf(Outcome.Accepted.class, validator.validate(event.getBytes(StandardCharsets.UTF_8),
          Instant.now()), event);
      valid.add(event);
      String bad = source.nextEvent(random, TrafficSource.EventKind.INVALID);
      assertInstanceOf(Outcome.Rejected.class, validator.validate(bad.getBytes(StandardCharsets.UTF_8),
          Instant.now()), bad);
    }
    assertTrue(valid.size() > 290, "events differ: " + valid.size());
    assertTrue(valid.contains(source.nextEvent(random, TrafficSource.EventKind.DUPLICATE)),
        "a duplicate repeats an event made before");
  }

  @Test
  void theShipmentsExampleGetsValidInvalidAndRepeatedEvents() throws Exception {
    checkMix(contract(Files.readString(Path.of("..", "contracts", "src", "test", "resources", "aggregate",
        "shipments.odcs.yaml"))));
  }

  @Test
  void patternsListedValuesBoundsDatesAndArraysAreMet() throws Exception {
    checkMix(contract("""
        apiVersion: v3.1.0
        kind: DataContract
        id: iot.readings
        version: 1.0.0
        status: active
        domain: iot
        schema:
          - name: readings
            properties:
              - {name: reading_id, logicalType: string, primaryKey: true, required: true}
              - {name: device, logicalType: string, required: true, logicalTypeOptions: {pattern: '^D-[0-9]{4}[A-Z]$'}}
              - name: site
                logicalType: string
                required: true
                quality:
                  - {metric: invalidValues, arguments: {validValues: [north, south]}, mustBe: 0}
              - {name: level, logicalType: integer, required: true, logicalTypeOptions: {minimum: 3, exclusiveMaximum: 7}}
              - {name: price, logicalType: number, physicalType: 'decimal(5,2)', logicalTypeOptions: {minimum: 10}}
              - {name: day, logicalType: date, logicalTypeOptions: {format: dd/MM/yyyy}}
              - {name: seen, logicalType: timestamp, required: true}
              - {name: ok, logicalType: boolean}
              - name: tags
                logicalType: array
                logicalTypeOptions: {minItems: 2, maxItems: 4}
                items: {logicalType: string, logicalTypeOptions: {maxLength: 5}}
        """));
  }

  @Test
  void keysShorterThanAUuidAreMadeWithinTheirLength() throws Exception {
    checkMix(contract("""
        apiVersion: v3.1.0
        kind: DataContract
        id: telecom.cdrs
        version: 1.0.0
        status: active
        domain: telecom
        schema:
          - name: cdrs
            properties:
              - {name: cdr_id, physicalType: VARCHAR2(20 CHAR), primaryKey: true, required: true}
              - {name: cell_id, physicalType: VARCHAR2(8), primaryKey: true, primaryKeyPosition: 2, required: true}
              - {name: country, physicalType: CHAR(2), required: true}
              - {name: landing_url, logicalType: string, required: true, logicalTypeOptions: {format: uri}}
              - {name: client_ip, logicalType: string, logicalTypeOptions: {format: ipv4}}
              - {name: host, logicalType: string, logicalTypeOptions: {format: hostname}}
        """));
  }

  @Test
  void aContractWhoseRulesGeneratedValuesMissIsRefusedWithTheRule() throws Exception {
    Contract sales = contract(Files.readString(Path.of("..", "domains", "retail", "contracts",
        "transactions.odcs.yaml")));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ContractTrafficSource(sales,
        sales.id()).nextEvent(new SplittableRandom(1), TrafficSource.EventKind.VALID));
    assertTrue(e.getMessage().startsWith("cannot make events that retail.transactions's contract accepts"),
        e.getMessage());
    assertTrue(e.getMessage().contains("needs a traffic source of its domain's own"), e.getMessage());
    assertEquals("retail.transactions", sales.id());
  }
}
