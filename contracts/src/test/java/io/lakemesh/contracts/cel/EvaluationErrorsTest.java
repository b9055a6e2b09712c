package io.lakemesh.contracts.cel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.data.GenericRecord;
import org.junit.jupiter.api.Test;

/** An expression that fails on a row says where and why, the same on the first row and the millionth. */
class EvaluationErrorsTest {
  private static final Instant NOW = Instant.parse("2026-11-27T10:00:00Z");

  private static Contract visits() throws Exception {
    return ContractParser.parse("visits", """
        apiVersion: v3.1.0
        kind: DataContract
        id: clinic.visits
        version: 1.0.0
        status: active
        schema:
          - name: visits
            properties:
              - {name: id, logicalType: string, primaryKey: true, required: true}
              - {name: age, logicalType: integer, required: true}
              - {name: weight, logicalType: number}
        """);
  }

  @Test
  void aDivisionByZeroIsNamedWithItsPlaceEvenOnceTheCodeIsHot() throws Exception {
    Contract contract = visits();
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    GenericRecord row = GenericRecord.create(IcebergMapping.schema(contract));
    row.setField("id", "v-1");
    row.setField("age", 40L);
    RowPredicate divides = cel.compile("age / 0 > 1");
    // the JVM leaves the message out of an implicit ArithmeticException once the throwing code is compiled hot
    // (OmitStackTraceInFastThrow): CEL's text then ended in "<input>:4: " with no reason
    Set<String> described = new TreeSet<>();
    for (int i = 0; i < 200_000; i++) {
      CelEvaluationException e = assertThrows(CelEvaluationException.class, () -> divides.test(row, NOW));
      described.add(divides.describe(e));
    }
    assertEquals(Set.of("<input>:1:5: division by zero | age / 0 > 1 | ....^"), described);

    RowPredicate secondLine = cel.compile("age > 1 &&\n  age % 0 == 1");
    CelEvaluationException e = assertThrows(CelEvaluationException.class, () -> secondLine.test(row, NOW));
    assertEquals("<input>:2:7: division by zero |   age % 0 == 1 | ......^", secondLine.describe(e));
  }

  @Test
  void compileErrorsNameTheProblem() throws Exception {
    Contract contract = visits();
    RowExpressions cel = RowExpressions.forFields(contract.table().fields());
    InvalidExpressionException tooBig = assertThrows(InvalidExpressionException.class,
        () -> cel.compile("age > 9223372036854775808"));
    assertTrue(tooBig.getMessage().contains("the integer 9223372036854775808 is out of range: CEL integers are 64-bit"
        + " (-9223372036854775808 to 9223372036854775807, uint to 18446744073709551615u); write it as a double"
        + " (9223372036854775808.0)") && !tooBig.getMessage().contains("For input string"), tooBig.getMessage());
    InvalidExpressionException hex = assertThrows(InvalidExpressionException.class,
        () -> cel.compile("age > 0x1FFFFFFFFFFFFFFFF"));
    assertTrue(hex.getMessage().contains("is out of range: CEL integers are 64-bit")
        && !hex.getMessage().contains("For input string"), hex.getMessage());
    InvalidExpressionException inInts = assertThrows(InvalidExpressionException.class,
        () -> cel.compile("weight in [80]"));
    assertTrue(inInts.getMessage().contains("write 1.0 rather than 1"), "the hint == gets: " + inInts.getMessage());
  }
}
