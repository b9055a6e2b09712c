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
 */
public record Product(Contract contract, RowValidator validator, Schema schema, PartitionSpec spec) {

  public static Product of(Contract contract) {
    RowValidator validator = RowValidator.compile(contract);
    Schema schema = validator.schema();
    return new Product(contract, validator, schema, IcebergMapping.partitionSpec(contract, schema));
  }

  /** This product with rows typed by a table's actual schema (field ids may differ after an evolution). */
  public Product boundTo(Schema tableSchema) {
    if (tableSchema.sameSchema(schema)) {
      return this;
    }
    return new Product(contract, RowValidator.compile(contract, tableSchema), tableSchema, spec);
  }

  public String id() {
    return contract.id();
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
    String v = contract.version();
    try {
      return Integer.parseInt(v.split("\\.")[0].replaceFirst("^[vV]", ""));
    } catch (RuntimeException e) {
      return 1;
    }
  }

  /** The group key columns of a derived product: its primary key. */
  public java.util.List<String> keyColumns() {
    return contract.primaryKey().stream().map(io.lakemesh.contracts.model.Field::name).toList();
  }
}
