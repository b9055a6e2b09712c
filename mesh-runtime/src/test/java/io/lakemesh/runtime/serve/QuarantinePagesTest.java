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
}
