package io.lakemesh.runtime.cluster;

import io.lakemesh.contracts.model.Stage;
import io.lakemesh.runtime.product.Product;
import java.util.ArrayList;
import java.util.List;

/**
 * What one sharded {@link DataProduct} entity runs: one Kafka partition of a source product (so a product's
 * partitions spread over its domain's nodes), or a whole derived product (gold has one writer).
 *
 * @param partition the raw topic's partition, or null for a derived product
 */
public record WorkerId(String productId, Integer partition) {
  private static final char SEPARATOR = '#';

  /** The workers of a product: one per partition of a source product, one for a derived product. */
  public static List<WorkerId> of(Product product) {
    if (product.stage() != Stage.SOURCE) {
      return List.of(new WorkerId(product.id(), null));
    }
    List<WorkerId> workers = new ArrayList<>();
    for (int p = 0; p < product.contract().settings().partitions(); p++) {
      workers.add(new WorkerId(product.id(), p));
    }
    return workers;
  }

  /** The sharding entity id: {@code retail.transactions#2} or {@code retail.daily_sales}. */
  public String entityId() {
    return partition == null ? productId : productId + SEPARATOR + partition;
  }

  public static WorkerId parse(String entityId) {
    int at = entityId.lastIndexOf(SEPARATOR);
    if (at < 0) {
      return new WorkerId(entityId, null);
    }
    return new WorkerId(entityId.substring(0, at), Integer.parseInt(entityId.substring(at + 1)));
  }

  @Override
  public String toString() {
    return entityId();
  }
}
