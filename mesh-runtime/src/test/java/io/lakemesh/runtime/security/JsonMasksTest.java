package io.lakemesh.runtime.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.policy.ColumnMask;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Masks of classified members reach into objects and arrays; a value of another shape where the contract has the
 * object or array holding a classified member (a malformed event in quarantine) is hidden whole, never shown in
 * clear nor with the member's own partial mask.
 */
class JsonMasksTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ColumnMask LAST_2 = ColumnMask.parse("last-2", new byte[0]).orElseThrow();

  private static String masked(String row, Map<String, ColumnMask> masks) throws Exception {
    ObjectNode node = (ObjectNode) JSON.readTree(row);
    JsonMasks.apply(node, masks);
    return JSON.writeValueAsString(node);
  }

  @Test
  void membersTheContractDoesNotDeclareShowTheirNamesButNotTheirValues() throws Exception {
    java.util.List<io.lakemesh.contracts.model.Field> declared = io.lakemesh.contracts.ContractParser.parse("visits",
        """
        apiVersion: v3.1.0
        kind: DataContract
        id: health.visits
        version: 2.0.0
        status: active
        domain: health
        schema:
          - name: visits
            properties:
              - {name: id, logicalType: string, required: true, primaryKey: true}
              - name: patient
                logicalType: object
                properties:
                  - {name: clinic, logicalType: string}
              - name: notes
                logicalType: array
                items:
                  logicalType: object
                  properties:
                    - {name: at, logicalType: string}
        """).table().fields();
    ObjectNode event = (ObjectNode) JSON.readTree("{\"id\":\"V-1\",\"diagnosis\":\"flu\",\"patient\":{\"clinic\":"
        + "\"C-1\",\"ssn\":\"123\"},\"notes\":[{\"at\":\"x\",\"text\":{\"a\":1}},\"free\"],\"gone\":null}");
    JsonMasks.hideUndeclared(event, declared);
    assertEquals("{\"id\":\"V-1\",\"diagnosis\":\"***\",\"patient\":{\"clinic\":\"C-1\",\"ssn\":\"***\"},"
        + "\"notes\":[{\"at\":\"x\",\"text\":\"***\"},\"free\"],\"gone\":null}", JSON.writeValueAsString(event));
  }

  @Test
  void membersOfObjectsAndArraysGetTheirMask() throws Exception {
    assertEquals("{\"owner\":{\"phone\":\"********89\"},\"contacts\":[{\"phone\":\"********21\"},null]}",
        masked("{\"owner\":{\"phone\":\"0917123489\"},\"contacts\":[{\"phone\":\"0917000021\"},null]}",
            Map.of("owner.phone", LAST_2, "contacts[].phone", LAST_2)));
  }

  @Test
  void aValueOfAnotherShapeAboveAClassifiedMemberIsHiddenWhole() throws Exception {
    Map<String, ColumnMask> masks = Map.of("owner.phone", LAST_2, "contacts[].phone", LAST_2);
    assertEquals("{\"owner\":\"***\",\"contacts\":\"***\"}",
        masked("{\"owner\":\"call 0917123489\",\"contacts\":\"0917000021\"}", masks),
        "a text where an object or an array of objects belongs");
    assertEquals("{\"owner\":\"***\",\"contacts\":[\"***\",{\"phone\":\"********21\"}]}",
        masked("{\"owner\":[\"0917123489\"],\"contacts\":[\"0917555521\",{\"phone\":\"0917000021\"}]}", masks),
        "an array where an object belongs, a text among the array's objects");
    assertEquals("{\"owner\":null,\"contacts\":[null]}",
        masked("{\"owner\":\"0917123489\",\"contacts\":[7]}", Map.of("owner.phone",
            ColumnMask.parse("null", new byte[0]).orElseThrow(), "contacts[].phone",
            ColumnMask.parse("null", new byte[0]).orElseThrow())),
        "a null mask hides it as null");
  }
}
