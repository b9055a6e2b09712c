package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.Warehouse;
import io.lakemesh.contracts.model.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
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
        PartitionSpec.builderFor(BRONZE).day("received_at").build(),
        rawPayload(withoutDictionary(properties(product, "bronze"), List.of("event_hash", "payload"))));
  }

  public static Table quarantine(Warehouse warehouse, Product product) {
    return warehouse.createOrLoad(product.table("quarantine"), QUARANTINE,
        PartitionSpec.builderFor(QUARANTINE).day("received_at").build(),
        rawPayload(withoutDictionary(properties(product, "quarantine"), List.of("event_hash", "payload"))));
  }

  /** The typed table of the product itself: silver for a source product, gold or platinum otherwise. */
  public static Table served(Warehouse warehouse, Product product) {
    Map<String, String> props = withoutDictionary(properties(product,
        product.stage() == io.lakemesh.contracts.model.Stage.SOURCE ? "silver" : product.stage().odcsName()),
        uniqueColumns(product));
    // the contract the table is deployed with: the next deployment is checked against it
    props.put(io.lakemesh.runtime.product.DeploymentGate.CONTRACT_PROPERTY,
        product.contract().document().toString());
    return warehouse.createOrLoad(product.servedTable(), product.schema(), product.spec(), props);
  }

  /**
   * Widens columns of a table made before the contract's mapping widened them (an integer of physicalType
   * NUMBER(10) was an int, is a long; a float became a double): the contract did not change, so no deployment
   * evolves the table, and values only the wider type holds would be refused by the narrower column. Iceberg
   * promotes int to long, float to double and a decimal to a greater precision in place; nothing else is touched.
   * The worker that writes the table asks, as it starts (readers of the table need not).
   */
  public static void promoteColumns(Table table, org.apache.iceberg.Schema contract, String productId) {
    org.apache.iceberg.UpdateSchema update = null;
    java.util.Set<Integer> seen = new java.util.HashSet<>();
    for (Map.Entry<String, Integer> e : org.apache.iceberg.types.TypeUtil.indexByName(table.schema().asStruct())
        .entrySet()) {
      if (!seen.add(e.getValue())) {
        continue; // one column under another of its names
      }
      org.apache.iceberg.types.Type now = table.schema().findType(e.getValue());
      org.apache.iceberg.types.Types.NestedField wanted = contract.findField(e.getKey());
      if (wanted == null || !now.isPrimitiveType() || !wanted.type().isPrimitiveType() || now.equals(wanted.type())
          || !org.apache.iceberg.types.TypeUtil.isPromotionAllowed(now, wanted.type().asPrimitiveType())) {
        continue;
      }
      if (update == null) {
        update = table.updateSchema();
      }
      update.updateColumn(table.schema().findColumnName(e.getValue()), wanted.type().asPrimitiveType());
      org.slf4j.LoggerFactory.getLogger(StageTables.class).info("{}: column {} of {} widens from {} to {}, as the"
          + " contract now maps it", productId, e.getKey(), table.name(), now, wanted.type());
    }
    if (update != null) {
      try {
        update.commit();
      } catch (RuntimeException e) {
        // another node widened it at the same moment: the next load finds it done (or tries again)
        org.slf4j.LoggerFactory.getLogger(StageTables.class).warn("{}: widening columns of {} failed: {}",
            productId, table.name(), e.toString());
      }
    }
  }

  /**
   * Turns Parquet's dictionary encoding off for columns whose values (almost) never repeat. A dictionary of unique
   * values only costs: every value is hashed and copied into it until it overflows (2 MB), then the page is
   * re-encoded plain. For a 660-byte payload per event that was a good part of the bronze write.
   */
  private static Map<String, String> withoutDictionary(Map<String, String> properties, List<String> columns) {
    Map<String, String> all = new HashMap<>(properties);
    for (String column : columns) {
      all.put(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + column, "false");
    }
    return all;
  }

  /**
   * No min/max for the payload column: nobody prunes files by the lexical bounds of JSON text, and keeping them
   * compares every payload on write.
   */
  private static Map<String, String> rawPayload(Map<String, String> properties) {
    Map<String, String> all = new HashMap<>(properties);
    all.put(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX + "payload", "none");
    all.put(TableProperties.PARQUET_COLUMN_STATS_ENABLED_PREFIX + "payload", "false");
    return all;
  }

  /** Top-level columns the contract declares unique: the primary key (when it is one column) and unique fields. */
  private static List<String> uniqueColumns(Product product) {
    List<Field> key = product.contract().primaryKey();
    List<String> unique = new ArrayList<>();
    if (key.size() == 1) {
      unique.add(key.get(0).name());
    }
    product.contract().table().fields().stream()
        .filter(f -> f.unique() && !unique.contains(f.name()))
        .forEach(f -> unique.add(f.name()));
    return unique;
  }

  private static Map<String, String> properties(Product product, String stage) {
    return Map.of(
        "lakemesh.product", product.id(),
        "lakemesh.stage", stage,
        "lakemesh.contract.version", product.contract().version());
  }
}
