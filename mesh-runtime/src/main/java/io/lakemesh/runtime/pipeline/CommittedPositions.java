package io.lakemesh.runtime.pipeline;

import io.lakemesh.contracts.model.Stage;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Silver's committed Kafka positions of each source product, read from the table's metadata and cached briefly.
 * Any node can answer "how far has this product committed", wherever its partitions' workers run.
 */
public final class CommittedPositions implements Function<String, SourcePositions> {
  private record Read(SourcePositions positions, long atNanos) {}

  private final Warehouse warehouse;
  private final ProductCatalog products;
  private final long maxAgeNanos;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();

  public CommittedPositions(Warehouse warehouse, ProductCatalog products, Duration maxAge) {
    this.warehouse = warehouse;
    this.products = products;
    this.maxAgeNanos = maxAge.toNanos();
  }

  @Override
  public SourcePositions apply(String productId) {
    Read read = cache.get(productId);
    long now = System.nanoTime();
    if (read != null && now - read.atNanos() < maxAgeNanos) {
      return read.positions();
    }
    var product = products.find(productId).filter(p -> p.stage() == Stage.SOURCE).orElse(null);
    if (product == null) {
      return SourcePositions.empty();
    }
    // loading the table reads its newest metadata: commits of every node are seen
    SourcePositions positions = SourcePositions.committed(StageTables.served(warehouse, product),
        SourceBatchCommitter.allPartitions(product));
    cache.put(productId, new Read(positions, now));
    return positions;
  }
}
