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

  private record Read(Map<Integer, Long> ends, long atNanos, java.time.Instant at) {}

  private final Admin admin;
  private final ProductCatalog products;
  private final long maxAgeNanos;
  private final Map<String, Read> cache = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> refreshing = new ConcurrentHashMap<>();
  /** Products whose last ask for the ends failed: their ends are unknown until an ask is answered. */
  private final java.util.Set<String> failing = ConcurrentHashMap.newKeySet();
  /**
   * Products whose ask in flight went unanswered for the second a fresh read waits: later readers take the last
   * ends at once rather than wait again. Slow is not unknown: a broker starved of CPU answers in a few seconds, and
   * its last ends count as current for {@link #STALE_AFTER_NANOS} past their maximum age.
   */
  private final java.util.Set<String> slow = ConcurrentHashMap.newKeySet();
  /** How much older than the maximum age a read may be before the ends count as unknown (a slow answer is no outage). */
  private static final long STALE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** Each raw topic's partition count as last described, and when (nanoTime). */
  private final Map<String, long[]> described = new ConcurrentHashMap<>();
  private final UnreadRanges unread;

  public LogEnds(String bootstrapServers, ProductCatalog products, Duration maxAge) {
    this.unread = new UnreadRanges(bootstrapServers);
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
      // while the broker does not answer, the caller is not held for a second each time (a scrape reads every product)
      if (fresh && !failing.contains(productId) && !slow.contains(productId)) {
        try {
          // a first read has no last ends to fall back on: without them the lag reads as unknown, as if the log
          // did not answer, so it waits as long as ends may be late before they count as unknown
          refresh.get(read == null ? STALE_AFTER_NANOS : TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          LOG.debug("end offsets of {} not refreshed in time: {}", productId, e.toString());
          // no answer within the wait: no second wait until it comes; the last ends stay current until they are
          // stale (an error answer, or none at all, makes them unknown)
          slow.add(productId);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        read = cache.get(productId);
      }
    }
    return read == null ? Map.of() : read.ends();
  }

  /**
   * Whether the product's ends are known now: its last ask was answered, a few seconds ago at most (a read taken
   * while a request ran is not unknown for being older than the maximum age by the time it is looked at).
   */
  public boolean current(String productId) {
    Read read = cache.get(productId);
    return read != null && !failing.contains(productId)
        && System.nanoTime() - read.atNanos() < maxAgeNanos + STALE_AFTER_NANOS;
  }

  /**
   * Whether the product's ends were just answered: {@link #current} and no ask is waiting past its second. Worth
   * asking the broker more about them (each such question waits for it while it does not answer).
   */
  public boolean answering(String productId) {
    return current(productId) && !slow.contains(productId);
  }

  /** When the product's ends were last read from the broker; null if they never were. */
  public java.time.Instant lastRead(String productId) {
    Read read = cache.get(productId);
    return read == null ? null : read.at();
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
          failing.add(productId);
          return;
        }
        failing.remove(productId);
        Map<Integer, Long> ends = new HashMap<>();
        offsets.forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        cache.put(productId, new Read(Map.copyOf(ends), System.nanoTime(), java.time.Instant.now()));
      } finally {
        slow.remove(productId);
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
   * hold an event, now or once an open transaction ends (see {@link UnreadRanges}); true for a product not known.
   */
  public boolean holdsEvents(String productId, int partition, long from, long to) {
    return from < to && products.find(productId)
        .map(p -> unread.holdsEvents(new TopicPartition(p.rawTopic(), partition), from, to))
        .orElse(true);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
    unread.close();
  }
}
