package io.lakemesh.contracts.evolution;

import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.O;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.T;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.after;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.before;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.parse;
import static io.lakemesh.contracts.evolution.EvolutionMatrixTest.replace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.inmemory.InMemoryCatalog;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Evolving a real Iceberg table (in iceberg-core's in-memory catalog) to a compatible contract version. */
class SchemaEvolutionTest {
  private InMemoryCatalog catalog;

  @BeforeEach
  void catalog() {
    catalog = new InMemoryCatalog();
    catalog.initialize("evolution-test", Map.of());
  }

  @AfterEach
  void close() throws IOException {
    catalog.close();
  }

  /** Creates the product's table the way the runtime does: schema and partitioning from the contract. */
  private Table tableOf(Contract contract) {
    TableIdentifier id = TableIdentifier.of(contract.domain(), contract.dataProduct());
    if (!catalog.namespaceExists(Namespace.of(contract.domain()))) {
      catalog.createNamespace(Namespace.of(contract.domain()));
    }
    Schema schema = IcebergMapping.schema(contract);
    return catalog.createTable(id, schema, IcebergMapping.partitionSpec(contract, schema));
  }

  @Test
  void addsNestedOptionalFieldsPromotesAndRelaxesInPlace() {
    String text = O.text();
    Contract running = parse("orders 1.3.0", text);
    String proposedText = after("          - name: tier\n            logicalType: string\n            required: false\n",
        "          - name: email\n            logicalType: string\n            required: false\n")
        .andThen(replace("physicalType: int\n        required: true\n        logicalTypeOptions",
            "physicalType: bigint\n        required: false\n        logicalTypeOptions"))
        .andThen(replace("physicalType: real", "physicalType: double"))
        .andThen(before("      - name: views\n", "      - name: note\n        logicalType: string\n"
            + "        required: false\n        description: Free text from the buyer.\n"))
        .andThen(before("      - name: labels\n", "      - name: shipping\n        logicalType: object\n"
            + "        required: false\n        properties:\n          - name: city\n"
            + "            logicalType: string\n            required: true\n"))
        .andThen(replace("version: 1.3.0", "version: 1.4.0"))
        .apply(text);
    Contract proposed = parse("orders 1.4.0", proposedText);
    Table table = tableOf(running);
    table.newAppend().appendFile(dataFile(table.spec())).commit();
    long snapshot = table.currentSnapshot().snapshotId();

    ContractDiff diff = ContractDiff.compare(running, proposed);
    assertEquals(Verdict.COMPATIBLE, diff.verdict(), diff.render());
    assertTrue(SchemaEvolution.apply(diff, table));

    Schema schema = catalog.loadTable(TableIdentifier.of("shop", "order_lines")).schema();
    assertEquals(Types.LongType.get(), schema.findType("quantity"));
    assertTrue(schema.findField("quantity").isOptional(), "made optional with the promotion");
    assertEquals(Types.DoubleType.get(), schema.findType("weight_kg"));
    assertEquals(List.of("id", "tier", "email"), names(schema.findType("customer").asStructType().fields()));
    assertTrue(schema.findField("customer.email").isOptional());
    assertEquals(List.of("order_id", "line_no", "day", "quantity", "weight_kg", "note", "views", "channel",
        "customer", "shipping", "labels"), names(schema.columns()), "new columns sit where the contract has them");
    assertEquals("Free text from the buyer.", schema.findField("note").doc());
    assertTrue(schema.findField("shipping").isOptional());
    assertTrue(schema.findField("shipping.city").isRequired(), "required inside the optional object");
    assertEquals(Types.StringType.get(), schema.findType("shipping.city"));
    // a schema change is metadata only: no new snapshot, the data file written before stays as it is
    Table reloaded = catalog.loadTable(TableIdentifier.of("shop", "order_lines"));
    assertEquals(snapshot, reloaded.currentSnapshot().snapshotId());
    assertSameColumns(IcebergMapping.schema(proposed), schema);
    assertFalse(SchemaEvolution.apply(diff, reloaded), "applying the same diff again changes nothing");
    assertEquals(schema.schemaId(), catalog.loadTable(TableIdentifier.of("shop", "order_lines")).schema().schemaId());
  }

  @Test
  void evolvesTheStructOfArrayItems() {
    String text = T.text();
    Contract running = parse("transactions 1.0.0", text);
    String proposedText = before("            - name: line_amount\n", "            - name: discount\n"
            + "              logicalType: number\n              physicalType: decimal(12,2)\n"
            + "              required: false\n")
        .andThen(after("            - name: qty\n              logicalType: integer\n",
            "              physicalType: bigint\n"))
        .andThen(replace("physicalType: decimal(12,2)\n        required: true\n        description: Amount paid",
            "physicalType: decimal(16,2)\n        required: true\n        description: Amount paid"))
        .andThen(replace("          name: item\n          logicalType: object\n          required: true\n",
            "          name: item\n          logicalType: object\n          required: false\n"))
        .apply(text);
    Contract proposed = parse("transactions 1.1.0", proposedText);
    Table table = tableOf(running);

    ContractDiff diff = ContractDiff.compare(running, proposed);
    assertTrue(SchemaEvolution.apply(diff, table), diff.render());

    Schema schema = catalog.loadTable(TableIdentifier.of("retail", "transactions")).schema();
    assertEquals(Types.LongType.get(), schema.findType("items.element.qty"));
    assertEquals(Types.DecimalType.of(16, 2), schema.findType("total_amount"));
    assertEquals(Types.DecimalType.of(12, 2), schema.findType("items.element.discount"));
    assertEquals(List.of("product_id", "product_name", "brand", "category", "qty", "unit_price", "discount",
        "line_amount"), names(schema.findType("items.element").asStructType().fields()));
    assertTrue(schema.findField("items.element").isOptional(), "array items may now be null");
    assertEquals(Types.StringType.get(), schema.findType("transaction_id"), "untouched columns stay");
    assertEquals(Set.of("transaction_id"), schema.identifierFieldNames());
  }

  @Test
  void refusesABreakingDiffWithTheRenderedDiff() {
    String text = T.text();
    Contract running = parse("transactions 1.0.0", text);
    Contract proposed = parse("transactions 1.1.0", text
        .replace("validValues: [cash, gcash, maya, card, credit]", "validValues: [cash, gcash]")
        .replace("version: 1.0.0", "version: 1.1.0"));
    Table table = tableOf(running);
    int schemaId = table.schema().schemaId();

    ContractDiff diff = ContractDiff.compare(running, proposed);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SchemaEvolution.apply(diff, table));
    assertTrue(e.getMessage().contains("BREAKING  retail.transactions 1.0.0 -> 1.1.0"), e.getMessage());
    assertTrue(e.getMessage().contains("'payment_method' no longer accepts [maya, card, credit]"), e.getMessage());
    assertEquals(schemaId, catalog.loadTable(TableIdentifier.of("retail", "transactions")).schema().schemaId());
  }

  @Test
  void refusesANewMajorVersionToo() {
    String text = T.text();
    Contract running = parse("transactions 1.0.0", text);
    Contract proposed = parse("transactions 2.0.0", text.replace("minItems: 1", "minItems: 2")
        .replace("version: 1.0.0", "version: 2.0.0"));
    ContractDiff diff = ContractDiff.compare(running, proposed);
    assertEquals(Verdict.NEW_MAJOR, diff.verdict());
    Table table = tableOf(running);
    assertThrows(IllegalStateException.class, () -> SchemaEvolution.apply(diff, table),
        "a new major version gets tables of its own, it does not evolve the running ones");
  }

  @Test
  void aTableThatDoesNotMatchTheRunningContractIsNotTouched() {
    String text = O.text();
    Contract running = parse("orders 1.3.0", text);
    Contract proposed = parse("orders 1.4.0", text.replace("physicalType: real", "physicalType: double"));
    Table table = tableOf(running);
    table.updateSchema().deleteColumn("weight_kg").commit();

    ContractDiff diff = ContractDiff.compare(running, proposed);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SchemaEvolution.apply(diff, table));
    assertTrue(e.getMessage().contains("has no column 'weight_kg'"), e.getMessage());
  }

  private static DataFile dataFile(PartitionSpec spec) {
    return DataFiles.builder(spec)
        .withPath("memory://shop/order_lines/data/day=2026-11-25/part-0.parquet")
        .withFormat(FileFormat.PARQUET)
        .withPartitionPath("day=2026-11-25")
        .withFileSizeInBytes(1024)
        .withRecordCount(10)
        .build();
  }

  /** Same column names, types and optionality; field ids may differ. */
  private static void assertSameColumns(Schema expected, Schema actual) {
    Map<String, Integer> names = TypeUtil.indexByName(expected.asStruct());
    assertEquals(names.keySet(), TypeUtil.indexByName(actual.asStruct()).keySet());
    for (String name : names.keySet()) {
      Types.NestedField e = expected.findField(name);
      Types.NestedField a = actual.findField(name);
      assertEquals(e.isOptional(), a.isOptional(), name);
      if (e.type().isPrimitiveType()) {
        assertEquals(e.type(), a.type(), name);
      }
    }
  }

  private static List<String> names(List<Types.NestedField> fields) {
    return fields.stream().map(Types.NestedField::name).toList();
  }
}
