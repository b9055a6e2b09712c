package io.lakemesh.runtime.log;

import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
  private final String bootstrapServers;
  /** Each raw topic's partition count as last described, and when (nanoTime). */
  private final Map<String, long[]> described = new ConcurrentHashMap<>();
  /** The last probe of each product partition's unread range: from, to, whether it held events (1), when. */
  private final Map<String, long[]> probed = new ConcurrentHashMap<>();
  /** Reads a partition's unread range for {@link #holdsEvents}; made on first use, one probe at a time. */
  private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> probe;
  private boolean closed;

  public LogEnds(String bootstrapServers, ProductCatalog products, Duration maxAge) {
    this.bootstrapServers = bootstrapServers;
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
    int partitions = Math.max(product.contract().settings().partitions(), topicPartitions(product.rawTopic()));
    for (int p = 0; p < partitions; p++) {
      ask.put(new TopicPartition(product.rawTopic(), p), OffsetSpec.latest());
    }
    // the high watermark: also events behind a transaction still open, which wait as long as it stays open (and
    // every later event of the partition with them); what holds no event is told apart by holdsEvents
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
        refreshing.remove(productId, done);
        done.complete(null);
      }
    });
  }

  /** The raw-topic partitions the product's contract declares; 0 for a product not known here. */
  public int declaredPartitions(String productId) {
    return products.find(productId).map(p -> p.contract().settings().partitions()).orElse(0);
  }

  /**
   * The partitions the raw topic has, as last described (at most every 10 s, in the background); 0 until known.
   * Someone may add partitions to a raw topic from outside: no worker reads them, so their events must show as lag
   * rather than vanish (see {@code ProductStats}).
   */
  private int topicPartitions(String topic) {
    long[] known = described.get(topic);
    if (known == null || System.nanoTime() - known[1] > TimeUnit.SECONDS.toNanos(10)) {
      described.put(topic, new long[] {known == null ? 0 : known[0], System.nanoTime()});
      admin.describeTopics(List.of(topic)).allTopicNames().whenComplete((topics, error) -> {
        if (error == null && topics.containsKey(topic)) {
          described.put(topic, new long[] {topics.get(topic).partitions().size(), System.nanoTime()});
        } else if (error != null) {
          LOG.debug("cannot describe {}: {}", topic, error.toString());
        }
      });
    }
    return known == null ? 0 : (int) known[0];
  }

  /**
   * Whether offsets {@code from} (inclusive) to {@code to} (exclusive) of a partition of the product's raw topic
   * hold any event a reader sees, now or once an open transaction ends. A transactional producer leaves offsets
   * that hold none: each transaction's commit or abort marker, and the events of aborted transactions. So a partition whose unread range is only those is not
   * behind, though its end offset is past silver's position (which only events move). Asked for what people read
   * (stats, the freshness objective), never on the ingest path; a range is read once, and while the broker does not
   * answer the range counts as holding events.
   */
  public boolean holdsEvents(String productId, int partition, long from, long to) {
    if (from >= to) {
      return false;
    }
    String at = productId + "#" + partition;
    long[] last = probed.get(at);
    if (last != null && ((last[0] == from && last[1] == to)
        || (last[2] == 1 && System.nanoTime() - last[3] < TimeUnit.SECONDS.toNanos(1)))) {
      return last[2] == 1; // the same range, or a busy partition read a moment ago: a moving range has events
    }
    Product product = products.find(productId).orElse(null);
    if (product == null) {
      return true;
    }
    Boolean holds = readsEvents(new org.apache.kafka.common.TopicPartition(product.rawTopic(), partition), from, to);
    if (holds == null) {
      return true; // not answered in time: asked again next time, never taken as known
    }
    probed.put(at, new long[] {from, to, holds ? 1 : 0, System.nanoTime()});
    return holds;
  }

  /** Whether the range holds an event; null when that cannot be told now (no answer in time, closed). */
  private synchronized Boolean readsEvents(org.apache.kafka.common.TopicPartition tp, long from, long to) {
    if (closed) {
      return null;
    }
    if (probe == null) {
      probe = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.of(
          org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
          org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
          org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          Topics.READ_COMMITTED,
          // an offset the log no longer holds (retention) is an error, not a quiet jump to the end
          org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
          org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1,
          org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "lakemesh-lag-probe"),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
          new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }
    try {
      probe.assign(List.of(tp));
      // a read_committed reader's end is the last stable offset: before an open transaction, which holds back every
      // later offset of the partition, events included, until it ends
      long stable = probe.endOffsets(List.of(tp), Duration.ofSeconds(1)).get(tp);
      if (stable < to) {
        return true;
      }
      probe.seek(tp, from);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (System.nanoTime() < deadline) {
        for (var record : probe.poll(Duration.ofMillis(100)).records(tp)) {
          if (record.offset() < to) {
            return true;
          }
        }
        if (probe.position(tp, Duration.ofMillis(100)) >= to) {
          return false; // read past the range without an event in it: markers and aborted events only
        }
      }
      return null;
    } catch (org.apache.kafka.common.KafkaException | IllegalStateException e) {
      LOG.debug("cannot read {} from {}: {}", tp, from, e.toString());
      return null;
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
    synchronized (this) {
      closed = true;
      if (probe != null) {
        probe.close(Duration.ofSeconds(2));
        probe = null;
      }
    }
  }
}
