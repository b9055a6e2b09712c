package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table made before the contract's mapping widened a column is widened on load, in place. */
class PromoteColumnsTest {
  @TempDir
  Path home;

  @Test
  void intBecomesLongAndFloatDoubleAtEveryDepthOtherColumnsStay() throws Exception {
    Schema before = new Schema(
        Types.NestedField.required(1, "id", Types.StringType.get()),
        Types.NestedField.optional(2, "seconds", Types.IntegerType.get()),
        Types.NestedField.optional(3, "items", Types.ListType.ofRequired(4, Types.StructType.of(
            Types.NestedField.optional(5, "ratio", Types.FloatType.get()),
            Types.NestedField.optional(6, "qty", Types.IntegerType.get())))));
    Schema contract = new Schema(
        Types.NestedField.required(1, "id", Types.StringType.get()),
        Types.NestedField.optional(2, "seconds", Types.LongType.get()),
        Types.NestedField.optional(3, "items", Types.ListType.ofRequired(4, Types.StructType.of(
            Types.NestedField.optional(5, "ratio", Types.DoubleType.get()),
            Types.NestedField.optional(6, "qty", Types.IntegerType.get())))));
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table table = warehouse.createOrLoad(TableIdentifier.of(Namespace.of("shop"), "calls_silver"), before,
          PartitionSpec.unpartitioned(), Map.of());
      StageTables.promoteColumns(table, contract, "shop.calls");
      table.refresh();
      assertEquals(Types.LongType.get(), table.schema().findType("seconds"));
      assertEquals(Types.DoubleType.get(), table.schema().findType("items.element.ratio"));
      assertEquals(Types.IntegerType.get(), table.schema().findType("items.element.qty"));
      int schemaId = table.schema().schemaId();
      StageTables.promoteColumns(table, contract, "shop.calls");
      table.refresh();
      assertEquals(schemaId, table.schema().schemaId(), "nothing more to widen: no new schema");
    }
  }
}
