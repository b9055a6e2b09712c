package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.model.Contract;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** duplicateValues counts what it names: a property, the properties of arguments.properties together, or the key. */
class BatchChecksTest {

  @Test
  void duplicateValuesCountsTheColumnsItNamesAndNeverTheKey() throws Exception {
    Contract contract = ContractParser.parse("users", """
        apiVersion: v3.1.0
        kind: DataContract
        id: crm.users
        version: 1.0.0
        status: active
        schema:
          - name: users
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: email
                logicalType: string
                quality:
                  - {name: email_unique, metric: duplicateValues, mustBe: 0}
              - {name: first, logicalType: string}
              - {name: last, logicalType: string}
            quality:
              - {name: name_unique, metric: duplicateValues, arguments: {properties: [first, last]}, mustBe: 0}
              - {name: email_unique_too, metric: duplicateValues, arguments: {properties: [email]}, mustBe: 0}
              - {name: key_unique, metric: duplicateValues, arguments: {properties: [id]}, mustBe: 0}
              - {name: object_unique, metric: duplicateValues, mustBe: 0}
        """);
    List<Map<String, String>> rows = List.of(
        Map.of("id", "1", "email", "a@x", "first", "Ana", "last", "Cruz"),
        Map.of("id", "2", "email", "a@x", "first", "Ana", "last", "Reyes"),
        Map.of("id", "3", "email", "b@x", "first", "Ana", "last", "Cruz"));
    java.util.function.ToLongFunction<List<String>> duplicatesOf = columns -> {
      Set<List<String>> seen = new HashSet<>();
      long repeats = 0;
      for (Map<String, String> r : rows) {
        List<String> values = new ArrayList<>();
        columns.forEach(c -> values.add(r.get(c)));
        repeats += seen.add(values) ? 0 : 1;
      }
      return repeats;
    };
    Map<String, Boolean> passed = new java.util.TreeMap<>();
    for (BatchChecks.Verdict v : BatchChecks.of(contract).evaluate(
        new BatchChecks.BatchFacts(rows.size(), rows.size(), Map.of(), duplicatesOf))) {
      passed.put(v.rule(), v.passed());
    }
    assertEquals(Map.of("email_unique", false, "email_unique_too", false, "name_unique", false, "key_unique", true,
        "object_unique", true), passed);
  }

  @Test
  void thresholdRulesInsideObjectsAndArrayItemsAreJudgedPerBatchToo() throws Exception {
    Contract contract = ContractParser.parse("things", """
        apiVersion: v3.1.0
        kind: DataContract
        id: qa.things
        version: 1.0.0
        status: active
        schema:
          - name: things
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: obj
                logicalType: object
                properties:
                  - name: v
                    logicalType: string
                    quality:
                      - {name: v_mostly_there, metric: nullValues, mustBeLessThan: 50, unit: percent, severity: critical}
              - name: arr
                logicalType: array
                items:
                  logicalType: object
                  properties:
                    - name: w
                      logicalType: string
                      quality:
                        - {name: w_valid, metric: invalidValues, arguments: {validValues: [a, b]},
                           mustBeLessThan: 10, unit: percent}
        """);
    List<BatchChecks.Verdict> verdicts = BatchChecks.of(contract).evaluate(new BatchChecks.BatchFacts(10, 10,
        Map.of("v_mostly_there", 6L, "w_valid", 1L), columns -> 0));
    Map<String, Boolean> passed = new java.util.TreeMap<>();
    verdicts.forEach(v -> passed.put(v.rule(), v.passed()));
    assertEquals(Map.of("v_mostly_there", false, "w_valid", false), passed, "60 % null, 10 % invalid rows");
  }
}
