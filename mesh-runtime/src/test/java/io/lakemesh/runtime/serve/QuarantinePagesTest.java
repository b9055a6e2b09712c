package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.runtime.security.ReadScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a quarantine reason may say to a reader who sees a field masked. */
class QuarantinePagesTest {

  @Test
  void aReasonQuotingAMaskedValueIsWithheldOneAboutAnAbsentValueIsNot() throws Exception {
    var contract = ContractParser.parse("patients", """
        apiVersion: v3.1.0
        kind: DataContract
        id: hosp.patients
        version: 1.0.0
        status: active
        roles:
          - role: researcher
            access: read
            customProperties:
              - {property: lakemeshMasks, value: {phi: hash}}
        schema:
          - name: patients
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: mrn, logicalType: string, required: true, classification: phi}
              - {name: born, logicalType: date, classification: phi, logicalTypeOptions: {minimum: "1850-01-01"}}
        """);
    ReadScope researcher = ReadScope.of(AccessPolicy.of(contract).reader(List.of("researcher")).orElseThrow(),
        Map.of());
    ObjectNode row = (ObjectNode) new ObjectMapper().readTree("""
        {"reasons": [
          {"code": "required", "field": "mrn", "rule": "required", "message": "is required"},
          {"code": "minimum", "field": "born", "rule": "minimum", "message": "1849-12-31 is before 1850-01-01"}]}
        """);
    QuarantinePages.withholdMaskedValues(row, researcher);
    assertEquals("is required", row.path("reasons").get(0).path("message").asText());
    assertEquals("the value of born is masked for your roles", row.path("reasons").get(1).path("message").asText());
  }

  @Test
  void aRuleThatFindsNothingIsRefusedOnlyWhenNoRuleOrFieldHasItsName() throws Exception {
    var contract = ContractParser.parse("answers", """
        apiVersion: v3.1.0
        kind: DataContract
        id: poll.answers
        version: 1.0.0
        status: active
        schema:
          - name: answers
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - name: answer
                logicalType: string
                quality:
                  - {metric: invalidValues, arguments: {validValues: [yes, no]}, mustBe: 0}
              - name: lines
                logicalType: array
                items:
                  logicalType: object
                  properties:
                    - {name: sku, logicalType: string, required: true}
        """);
    java.util.Set<String> rules = java.util.Set.of("invalidValues:answer");
    var fields = contract.table().fields();
    assertEquals(java.util.Set.of("id", "answer", "lines", "lines[]", "lines[].sku"),
        io.lakemesh.contracts.model.Field.paths(fields));
    for (String known : List.of("invalidValues:answer", "INVALIDVALUES:answer:answer", "required", "required:id",
        "required:lines[2].sku", "maxLength:id,answer")) {
      new QuarantinePages.Query(known, null, null, null, 10).checkFoundOrKnown(false, rules, fields);
    }
    for (String typo : List.of("invalidValues:answr", "required:stor_id", "requird", "invalidValues")) {
      org.junit.jupiter.api.Assertions.assertThrows(RowQueries.BadQueryException.class,
          () -> new QuarantinePages.Query(typo, null, null, null, 10).checkFoundOrKnown(false, rules, fields), typo);
    }
    // found: never refused
    new QuarantinePages.Query("anything", null, null, null, 10).checkFoundOrKnown(true, rules, fields);
  }
}
