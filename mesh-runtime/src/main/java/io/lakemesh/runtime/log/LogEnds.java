package io.lakemesh.runtime.log;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The end of each source product's raw topic as the broker reports it: every event accepted so far, by any node.
 * Asked on every ingest request, so it never waits for the broker: a product's ends are refreshed in the background
 * once they are older than {@code maxAge}, and until the first answer arrives a product has no known ends.
 */
public final class LogEnds implements Function<String, Map<Integer, Long>>, AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogEnds.class);

  private record Read(Map<Integer, Long> ends, long atNanos) {}

  private final Admin admin;
  private final ProductCatalog products;
  private final long maxAgeNanos;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();
  private final Set<String> refreshing = ConcurrentHashMap.newKeySet();

  public LogEnds(String bootstrapServers, ProductCatalog products, Duration maxAge) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    this.products = products;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The next offset of every partition of the product's raw topic, as last read; empty when not known yet. */
  @Override
  public Map<Integer, Long> apply(String productId) {
    Read read = cache.get(productId);
    if ((read == null || System.nanoTime() - read.atNanos() >= maxAgeNanos) && refreshing.add(productId)) {
      refresh(productId);
    }
    return read == null ? Map.of() : read.ends();
  }

  private void refresh(String productId) {
    Product product = products.find(productId).orElse(null);
    if (product == null) {
      refreshing.remove(productId);
      return;
    }
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (int p = 0; p < product.contract().settings().partitions(); p++) {
      ask.put(new TopicPartition(product.rawTopic(), p), OffsetSpec.latest());
    }
    admin.listOffsets(ask).all().whenComplete((offsets, error) -> {
      try {
        if (error != null) {
          // the ingest path still knows what this node produced; the next ask tries again
          LOG.debug("end offsets of {} unavailable: {}", product.rawTopic(), error.toString());
          return;
        }
        Map<Integer, Long> ends = new HashMap<>();
        offsets.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        cache.put(productId, new Read(Map.copyOf(ends), System.nanoTime()));
      } finally {
        refreshing.remove(productId);
      }
    });
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
