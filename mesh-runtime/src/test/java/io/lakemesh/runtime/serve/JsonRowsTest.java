package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** A row renders the same whether it comes from a table's files or straight from a validated event. */
class JsonRowsTest {
  private static final Types.StructType LINE = Types.StructType.of(
      Types.NestedField.required(3, "weight", Types.DecimalType.of(10, 3)));
  private static final Types.StructType ROW = Types.StructType.of(
      Types.NestedField.required(1, "total", Types.DecimalType.of(10, 2)),
      Types.NestedField.required(2, "lines", Types.ListType.ofRequired(4, LINE)));

  @Test
  void decimalsAreWrittenWithTheirColumnsScale() {
    // as an event wrote them (and the validator kept them): 12.9 and 1.5, in columns of scale 2 and 3
    GenericRecord line = GenericRecord.create(LINE);
    line.set(0, new BigDecimal("1.5"));
    GenericRecord row = GenericRecord.create(ROW);
    row.set(0, new BigDecimal("12.9"));
    row.set(1, List.of(line));
    assertEquals("{\"total\":12.90,\"lines\":[{\"weight\":1.500}]}", JsonRows.row(row, List.of()).toString());
    assertEquals("{\"total\":12.90}", JsonRows.row(row, List.of("total")).toString());
  }
}
