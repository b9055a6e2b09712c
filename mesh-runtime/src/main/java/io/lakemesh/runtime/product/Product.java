package io.lakemesh.runtime.product;

import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.validate.RowValidator;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * A deployed data product: its contract and everything compiled from it once (row validator, Iceberg schema and
 * partitioning). Source products own the tables bronze, silver and quarantine; derived products own one table.
 *
 * @param id how the mesh names the product: the contract id for its newest major version, {@code <id>@v<major>} for
 *     an older major version that still runs beside it
 */
public record Product(String id, Contract contract, RowValidator validator, Schema schema, PartitionSpec spec) {
  /** Separates a contract id from the major version in the id of an older major version. */
  public static final String VERSION_SEPARATOR = "@v";

  public static Product of(Contract contract) {
    RowValidator validator = RowValidator.compile(contract);
    Schema schema = validator.schema();
    return new Product(contract.id(), contract, validator, schema, IcebergMapping.partitionSpec(contract, schema));
  }

  /** This product under the id of an older major version, {@code retail.transactions@v1}. */
  public Product asOlderMajor() {
    return new Product(pinnedId(), contract, validator, schema, spec);
  }

  /** The id that names this major version while it is served, also once a newer major takes the plain id. */
  public String pinnedId() {
    return contract.id() + VERSION_SEPARATOR + majorVersion();
  }

  /**
   * The raw topic the product reads: one per contract id, shared by its major versions, so a new major version
   * runs beside the old one on the same events (and fills its new tables from the log's history).
   */
  public String rawTopic() {
    return io.lakemesh.runtime.log.Topics.rawTopic(contract.id());
  }

  /** This product with rows typed by a table's actual schema (field ids may differ after an evolution). */
  public Product boundTo(Schema tableSchema) {
    if (tableSchema.sameSchema(schema)) {
      return this;
    }
    return new Product(id, contract, RowValidator.compile(contract, tableSchema), tableSchema, spec);
  }

  public Stage stage() {
    return contract.stage();
  }

  /** The table a consumer reads by default: silver for a source product, the product's own table otherwise. */
  public TableIdentifier servedTable() {
    return stage() == Stage.SOURCE ? table("silver") : table(stage().odcsName());
  }

  /** The Iceberg identifier of one of the product's tables, e.g. {@code retail.transactions_silver}. */
  public TableIdentifier table(String kind) {
    String name = contract.id().substring(contract.id().indexOf('.') + 1).replace('.', '_');
    // a new major version is a new product version with its own tables, beside the old ones
    int major = majorVersion();
    if (major > 1) {
      name = name + "_v" + major;
    }
    return TableIdentifier.of(Namespace.of(contract.domain()), name + "_" + kind);
  }

  public int majorVersion() {
    return majorOf(contract.version());
  }

  /** The major version of a contract version such as {@code 1.2.0} (1 when it cannot be read). */
  public static int majorOf(String version) {
    try {
      return Integer.parseInt(version.split("\\.")[0].replaceFirst("^[vV]", ""));
    } catch (RuntimeException e) {
      return 1;
    }
  }

  /** The group key columns of a derived product: its primary key. */
  public java.util.List<String> keyColumns() {
    return contract.primaryKey().stream().map(io.lakemesh.contracts.model.Field::name).toList();
  }
}
