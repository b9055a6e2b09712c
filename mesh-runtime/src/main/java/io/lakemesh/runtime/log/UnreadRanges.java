package io.lakemesh.runtime.log;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the unread offsets of raw-topic partitions to tell events from what a transactional producer leaves: commit
 * and abort markers, and aborted events, which take offsets but are no events. One read_committed consumer, made on
 * first use, reads one range at a time; each range's answer is kept until the range moves.
 */
final class UnreadRanges implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnreadRanges.class);

  private final String bootstrapServers;
  /** The last read of each partition's unread range: from, to, whether it held events (1), when. */
  private final Map<String, long[]> probed = new ConcurrentHashMap<>();
  private org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> probe;
  private boolean closed;

  UnreadRanges(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * Whether offsets {@code from} (inclusive) to {@code to} (exclusive) of a raw-topic partition hold any event a
   * reader sees, now or once an open transaction ends. A transactional producer leaves offsets that hold none: each
   * transaction's commit or abort marker, and the events of aborted transactions. So a partition whose unread range
   * is only those is not behind, though its end offset is past silver's position (which only events move). Asked
   * for what people read (stats, the freshness objective), never on the ingest path; while the broker does not
   * answer, a range counts as holding events.
   */
  boolean holdsEvents(TopicPartition tp, long from, long to) {
    if (from >= to) {
      return false;
    }
    String at = tp.toString();
    long[] last = probed.get(at);
    if (last != null && ((last[0] == from && last[1] == to)
        || (last[2] == 1 && System.nanoTime() - last[3] < TimeUnit.SECONDS.toNanos(1)))) {
      return last[2] == 1; // the same range, or a busy partition read a moment ago: a moving range has events
    }
    Boolean holds = readsEvents(tp, from, to);
    if (holds == null) {
      return true; // not answered in time: asked again next time, never taken as known
    }
    probed.put(at, new long[] {from, to, holds ? 1 : 0, System.nanoTime()});
    return holds;
  }

  /** Whether the range holds an event; null when that cannot be told now (no answer in time, closed). */
  private synchronized Boolean readsEvents(TopicPartition tp, long from, long to) {
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
  public synchronized void close() {
    closed = true;
    if (probe != null) {
      probe.close(Duration.ofSeconds(2));
      probe = null;
    }
  }
}
