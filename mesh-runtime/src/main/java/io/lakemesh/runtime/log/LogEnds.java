package io.lakemesh.runtime.log;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The end of each source product's raw topic as the broker reports it: every event accepted so far, by any node.
 * Asked on every ingest request, so it never waits for the broker: a product's ends are refreshed in the background
 * once they are older than {@code maxAge}, and until the first answer arrives a product has no known ends.
 */
public final class LogEnds implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogEnds.class);

  private record Read(Map<Integer, Long> ends, long atNanos) {}

  private final Admin admin;
  private final ProductCatalog products;
  private final long maxAgeNanos;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> refreshing = new ConcurrentHashMap<>();

  public LogEnds(String bootstrapServers, ProductCatalog products, Duration maxAge) {
    this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000));
    this.products = products;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /**
   * The next offset of every partition of the product's raw topic; empty when not known. With {@code fresh}, ends
   * older than the maximum age are read again first (waiting up to a second for the broker): what a person reading
   * the stats expects after a quiet spell. Without, the last read is returned at once and refreshed behind it.
   */
  public Map<Integer, Long> ends(String productId, boolean fresh) {
    Read read = cache.get(productId);
    if (read == null || System.nanoTime() - read.atNanos() >= maxAgeNanos) {
      CompletableFuture<Void> refresh = refreshing.get(productId);
      if (refresh == null) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        refresh = refreshing.putIfAbsent(productId, mine);
        if (refresh == null) {
          refresh = mine;
          refresh(productId, mine);
        }
      }
      if (fresh) {
        try {
          refresh.get(1, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
          LOG.debug("end offsets of {} not refreshed in time: {}", productId, e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        read = cache.get(productId);
      }
    }
    return read == null ? Map.of() : read.ends();
  }

  /** Reads the product's ends from the broker; completes {@code done} (and forgets it) when the answer is in. */
  private void refresh(String productId, CompletableFuture<Void> done) {
    Product product = products.find(productId).orElse(null);
    if (product == null) {
      refreshing.remove(productId, done);
      done.complete(null);
      return;
    }
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    for (int p = 0; p < product.contract().settings().partitions(); p++) {
      ask.put(new TopicPartition(product.rawTopic(), p), OffsetSpec.latest());
    }
    // the last stable offset: events of a transaction still open are not accepted yet (a read_committed reader
    // cannot see them), so they are no lag
    admin.listOffsets(ask, new org.apache.kafka.clients.admin.ListOffsetsOptions(
        org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().whenComplete((offsets, error) -> {
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
        refreshing.remove(productId, done);
        done.complete(null);
      }
    });
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
