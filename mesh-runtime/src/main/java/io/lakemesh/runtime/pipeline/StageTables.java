package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.Warehouse;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;

/** The Iceberg tables of a product's stages, created on first use from the contract. */
public final class StageTables {

  /** Bronze: every event as received, immutable. */
  public static final Schema BRONZE = new Schema(
      Types.NestedField.required(1, "product", Types.StringType.get()),
      Types.NestedField.required(2, "received_at", Types.TimestampType.withZone()),
      Types.NestedField.optional(3, "source", Types.StringType.get()),
      Types.NestedField.required(4, "event_hash", Types.StringType.get(), "SHA-256 of the payload bytes"),
      Types.NestedField.required(5, "kafka_partition", Types.IntegerType.get()),
      Types.NestedField.required(6, "kafka_offset", Types.LongType.get()),
      Types.NestedField.required(7, "payload", Types.StringType.get(), "the event as received (UTF-8 JSON)"));

  /** Quarantine: every rejected event with its machine-readable reasons and the original payload. */
  public static final Schema QUARANTINE = new Schema(
      Types.NestedField.required(1, "product", Types.StringType.get()),
      Types.NestedField.required(2, "received_at", Types.TimestampType.withZone()),
      Types.NestedField.optional(3, "source", Types.StringType.get()),
      Types.NestedField.required(4, "event_hash", Types.StringType.get()),
      Types.NestedField.required(5, "kafka_partition", Types.IntegerType.get()),
      Types.NestedField.required(6, "kafka_offset", Types.LongType.get()),
      Types.NestedField.required(7, "reasons", Types.ListType.ofRequired(8, Types.StructType.of(
          Types.NestedField.required(9, "code", Types.StringType.get()),
          Types.NestedField.optional(10, "field", Types.StringType.get()),
          Types.NestedField.optional(11, "rule", Types.StringType.get()),
          Types.NestedField.optional(12, "message", Types.StringType.get())))),
      Types.NestedField.required(13, "payload", Types.StringType.get()),
      Types.NestedField.required(14, "quarantined_at", Types.TimestampType.withZone()));

  private StageTables() {}

  public static Table bronze(Warehouse warehouse, Product product) {
    return warehouse.createOrLoad(product.table("bronze"), BRONZE,
        PartitionSpec.builderFor(BRONZE).day("received_at").build(), properties(product, "bronze"));
  }

  public static Table quarantine(Warehouse warehouse, Product product) {
    return warehouse.createOrLoad(product.table("quarantine"), QUARANTINE,
        PartitionSpec.builderFor(QUARANTINE).day("received_at").build(), properties(product, "quarantine"));
  }

  /** The typed table of the product itself: silver for a source product, gold or platinum otherwise. */
  public static Table served(Warehouse warehouse, Product product) {
    java.util.Map<String, String> props = new java.util.HashMap<>(properties(product,
        product.stage() == io.lakemesh.contracts.model.Stage.SOURCE ? "silver" : product.stage().odcsName()));
    // the contract the table is deployed with: the next deployment is checked against it
    props.put(io.lakemesh.runtime.product.DeploymentGate.CONTRACT_PROPERTY,
        product.contract().document().toString());
    return warehouse.createOrLoad(product.servedTable(), product.schema(), product.spec(), props);
  }

  private static Map<String, String> properties(Product product, String stage) {
    return Map.of(
        "lakemesh.product", product.id(),
        "lakemesh.stage", stage,
        "lakemesh.contract.version", product.contract().version());
  }
}
