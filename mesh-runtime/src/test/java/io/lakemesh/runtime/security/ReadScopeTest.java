package io.lakemesh.runtime.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.policy.AccessPolicy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which filters a masked nested value refuses: those that read it, inside it, or its container as a whole. */
class ReadScopeTest {
  private static final String CONTRACT = """
      apiVersion: v3.1.0
      kind: DataContract
      id: market.orders
      version: 1.0.0
      status: active
      roles:
        - role: reader
          access: read
          customProperties:
            - property: lakemeshMasks
              value: {restricted: redact}
      schema:
        - name: orders
          properties:
            - {name: order_id, logicalType: string, primaryKey: true, required: true}
            - name: buyer
              logicalType: object
              properties:
                - {name: id, logicalType: string}
                - {name: email, logicalType: string, classification: restricted}
                - name: address
                  logicalType: object
                  properties: [{name: city, logicalType: string}]
            - name: lines
              logicalType: array
              items:
                logicalType: object
                properties:
                  - {name: sku, logicalType: string}
                  - {name: card, logicalType: string, classification: restricted}
      """;

  @Test
  void membersBesideAMaskedOneMayBeFilteredOnTheMaskedOneAndItsContainersNot() throws Exception {
    Contract contract = ContractParser.parse("orders", CONTRACT);
    ReadScope reader = ReadScope.of(AccessPolicy.of(contract).reader(List.of("reader")).orElseThrow(), Map.of());
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());

    for (String allowed : List.of("buyer.address.city == 'Manila'", "buyer.id == 'B2' && has(buyer.address)",
        "lines.exists(l, l.sku == 'x')", "size(lines[0].sku) > 1", "row.buyer.id == 'B2'")) {
      assertEquals(Optional.empty(), reader.disclosedBy(cel.compile(allowed)), allowed);
    }
    Map<String, String> refused = Map.of(
        "buyer.email == 'a@b.c'", "buyer.email",
        "has(buyer.email)", "buyer.email",
        "row.buyer.email.startsWith('a')", "buyer.email",
        "lines.exists(l, l.card == '4111')", "lines[].card",
        "has(row.buyer)", "buyer' as a whole, which holds 'buyer.email",  // conservative: it holds the masked one
        "lines[0] == lines[1]", "lines[]' as a whole, which holds 'lines[].card",
        // a dynamic read of the row may read any column: said as the row, not as a column named '*'
        "size(row) > 3", "row' as a whole (row[...], size(row) or \"...\" in row), which holds 'buyer.email");
    refused.forEach((filter, disclosed) ->
        assertEquals(Optional.of(disclosed), reader.disclosedBy(compile(cel, filter)), filter));

    assertTrue(reader.masksAnyOf("buyer.email") && reader.masksAnyOf("lines[2].card") && reader.masksAnyOf("buyer"),
        "a quarantine reason about a masked value, or what holds one, is withheld");
    assertFalse(reader.masksAnyOf("buyer.address.city") || reader.masksAnyOf("lines[0].sku"), "its siblings are not");
    assertTrue(reader.masksWhole("buyer.email"));
    assertFalse(reader.masksWhole("buyer"), "a select of the object returns it with the member masked");
  }

  private static io.lakemesh.contracts.cel.RowPredicate compile(RowExpressions cel, String filter) {
    try {
      return cel.compile(filter);
    } catch (io.lakemesh.contracts.cel.InvalidExpressionException e) {
      throw new AssertionError(filter + ": " + e.getMessage(), e);
    }
  }
}
