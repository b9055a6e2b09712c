package io.lakemesh.runtime.ingest;

import io.lakemesh.runtime.log.KafkaErrors;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Appends events to a product's raw topic. The returned stage completes only when Kafka has acknowledged every
 * event of the call (acks=all, idempotent producer): that is when an ingest call may answer 202.
 */
public final class IngestService implements AutoCloseable {

  /** The pipeline is too far behind: the caller should retry after a pause instead of queueing more. */
  public static final class BackpressureException extends RuntimeException {
    private final String reader;

    public BackpressureException(String reader, long lag, long limit) {
      super(reader + " is " + lag + " events behind (limit " + limit + ")");
      this.reader = reader;
    }

    /** The product that is behind: the one posted to, or an older major that reads the same raw topic. */
    public String reader() {
      return reader;
    }
  }

  /** Kafka did not acknowledge every event of a call; {@code acknowledged} of {@code events} it did. */
  public static final class NotAcknowledgedException extends RuntimeException {
    private final int acknowledged;
    private final int events;

    NotAcknowledgedException(int acknowledged, int events, Throwable cause) {
      super("Kafka acknowledged " + acknowledged + " of " + events + " events: " + cause.getMessage(), cause);
      this.acknowledged = acknowledged;
      this.events = events;
    }

    public int acknowledged() {
      return acknowledged;
    }

    public int events() {
      return events;
    }

    /** Kafka did not answer in time (down, unreachable, or too slow): a state to retry, not a bug. */
    public boolean logUnreachable() {
      return KafkaErrors.unreachable(getCause());
    }
  }

  private final KafkaProducer<String, byte[]> producer;
  private final ProgressBoard progress;
  private final long maxLag;
  /**
   * Until when (System.nanoTime) calls fail at once because a send a moment ago found Kafka not answering: each send
   * would otherwise wait max.block.ms (10 s) for the log's metadata, one event after another, and callers would
   * queue behind each other. The first call after it tries Kafka again.
   */
  private volatile long unansweredUntil = System.nanoTime() - 1;
  private static final long UNANSWERED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

  public IngestService(String bootstrapServers, ProgressBoard progress, long maxLag) {
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 2,
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
        // a log lost after it answered is waited for as long as one that never did (max.block.ms): 10 s, well within
        // the HTTP request timeout (30 s) and the timeouts of common clients and proxies, so the sender gets a 503
        // log-unavailable rather than a timeout (delivery.timeout.ms must cover linger.ms + request.timeout.ms)
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 7_500),
        new StringSerializer(), new ByteArraySerializer());
    this.progress = progress;
    this.maxLag = maxLag;
  }

  /**
   * Sends events to a product's raw topic, a keyed one to its key's partition among the contract's {@code
   * partitions} (not among the topic's, which someone may have grown); completes once every one is durable
   * (acks=all).
   *
   * @param readers every product that reads {@code topic} (the major posted to, and older majors still served):
   *     the events are refused while any of them is more than {@code max-lag} behind, since each must read them
   *     before the log's retention drops them
   */
  public CompletableFuture<Integer> ingest(List<String> readers, String topic, int partitions,
      List<EventSplitter.Event> events, String source) {
    for (String reader : readers) {
      long lag = progress.lag(reader);
      if (lag > maxLag) {
        throw new BackpressureException(reader, lag, maxLag);
      }
    }
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(0); // an empty array is a valid batch of nothing
    }
    if (System.nanoTime() - unansweredUntil < 0) {
      return CompletableFuture.failedFuture(new NotAcknowledgedException(0, events.size(),
          new org.apache.kafka.common.errors.TimeoutException("Kafka did not answer a send a moment ago; tried again"
              + " at most every " + java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(UNANSWERED_NANOS) + " s")));
    }
    byte[] sourceHeader = source.getBytes(StandardCharsets.UTF_8);
    long receivedAt = System.currentTimeMillis();
    CompletableFuture<Integer> all = new CompletableFuture<>();
    AtomicInteger pending = new AtomicInteger(events.size());
    for (EventSplitter.Event e : events) {
      if (all.isDone()) {
        break; // an earlier event failed (Kafka not answering fails the send at once): the rest would wait in vain
      }
      Integer partition = e.key() == null ? null
          : io.lakemesh.runtime.product.RoutingKey.partitionOf(e.key(), partitions);
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, partition, receivedAt, e.key(), e.bytes());
      record.headers().add(SourceBatchCommitter.SOURCE_HEADER, sourceHeader);
      producer.send(record, (metadata, error) -> {
        if (error != null) {
          if (KafkaErrors.unreachable(error)) {
            unansweredUntil = System.nanoTime() + UNANSWERED_NANOS;
          }
          // the first failure answers the call; the count says how many were acknowledged by then
          all.completeExceptionally(new NotAcknowledgedException(events.size() - pending.get(), events.size(),
              error));
          return;
        }
        for (String reader : readers) {
          progress.produced(reader, metadata.partition(), metadata.offset());
        }
        if (pending.decrementAndGet() == 0) {
          all.complete(events.size());
        }
      });
    }
    return all;
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(10));
  }
}
