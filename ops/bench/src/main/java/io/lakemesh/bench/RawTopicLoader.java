package io.lakemesh.bench;

import io.lakemesh.retail.simulate.RetailTrafficSource;
import io.lakemesh.runtime.ingest.EventSplitter;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.simulate.TrafficSource.EventKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Fills a product's raw topic with realistic retail traffic before anything is timed, the way the ingest endpoint
 * would: keyed by transaction id (so a re-send lands in the partition of its original), a {@code lakemesh-source}
 * header, the record timestamp set to the moment of sending (the receipt time validation uses as "now").
 */
final class RawTopicLoader {

  /** What was produced, by kind, and where each partition ends. */
  record Loaded(long events, long valid, long invalid, long duplicates, Map<TopicPartition, Long> endOffsets,
      double seconds) {}

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final String TS_FIELD = "\"ts\":\"";
  /** A re-send repeats one of the last few hundred sales, as a retrying till does (same as the generator). */
  private static final int RECENT = 500;

  private RawTopicLoader() {}

  static Loaded load(String bootstrap, String topic, int partitions, String keyField, BenchArgs args) {
    RetailTrafficSource source = new RetailTrafficSource();
    SplittableRandom random = new SplittableRandom(args.seed());
    long spreadMillis = args.tsSpreadHours() * 3_600_000L;
    List<String> recent = new ArrayList<>(RECENT);
    int nextRecent = 0;
    long valid = 0;
    long invalid = 0;
    long duplicates = 0;
    AtomicLong acked = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Map<TopicPartition, Long> end = new HashMap<>();
    byte[] sourceHeader = "ingest-bench".getBytes(StandardCharsets.UTF_8);
    long start = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 20,
        ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024,
        ProducerConfig.BUFFER_MEMORY_CONFIG, 128L * 1024 * 1024,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < args.events(); i++) {
        double draw = random.nextDouble();
        String event;
        if (draw < args.invalidShare()) {
          // invalid events keep the generator's timestamps: TS_IN_FUTURE must stay in the future
          event = source.nextEvent(random, EventKind.INVALID);
          invalid++;
        } else if (draw < args.invalidShare() + args.duplicateShare() && !recent.isEmpty()) {
          event = recent.get(random.nextInt(recent.size()));
          duplicates++;
        } else {
          event = spread(source.nextEvent(random, EventKind.VALID), random, spreadMillis);
          if (recent.size() < RECENT) {
            recent.add(event);
          } else {
            recent.set(nextRecent, event);
            nextRecent = (nextRecent + 1) % RECENT;
          }
          valid++;
        }
        byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
        ProducerRecord<String, byte[]> record =
            new ProducerRecord<>(topic, null, System.currentTimeMillis(), key(bytes, keyField), bytes);
        record.headers().add(SourceBatchCommitter.SOURCE_HEADER, sourceHeader);
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            failure.compareAndSet(null, error);
            return;
          }
          acked.incrementAndGet();
          synchronized (end) {
            end.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset() + 1,
                Math::max);
          }
        });
        if (failure.get() != null) {
          break;
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("producing to " + topic + " failed", failure.get());
    }
    if (acked.get() != args.events()) {
      throw new IllegalStateException("only " + acked.get() + " of " + args.events() + " events were acked");
    }
    for (int p = 0; p < partitions; p++) {
      end.putIfAbsent(new TopicPartition(topic, p), 0L);
    }
    return new Loaded(args.events(), valid, invalid, duplicates, Map.copyOf(end),
        (System.nanoTime() - start) / 1e9);
  }

  /** Moves a valid sale's ts to a uniformly random instant of the last {@code spreadMillis}. */
  private static String spread(String event, SplittableRandom random, long spreadMillis) {
    if (spreadMillis <= 0) {
      return event;
    }
    int at = event.indexOf(TS_FIELD);
    if (at < 0) {
      throw new IllegalStateException("a valid retail event without ts: " + event);
    }
    int from = at + TS_FIELD.length();
    int to = event.indexOf('"', from);
    Instant ts = Instant.ofEpochMilli(System.currentTimeMillis() - random.nextLong(spreadMillis));
    return event.substring(0, from) + TS.format(ts) + event.substring(to);
  }

  /** The record key the ingest endpoint would use: the event's primary-key field. */
  private static String key(byte[] event, String keyField) {
    try {
      return EventSplitter.split(event, true, keyField).get(0).key();
    } catch (EventSplitter.MalformedBodyException e) {
      return null;
    }
  }
}
