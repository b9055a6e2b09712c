package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.log.Topics;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Replays a source product's raw log through its current contract: the records of its partitions from a time (or
 * the beginning of what Kafka retains) up to silver's committed position are validated again, and those accepted now
 * but absent from silver are added (see {@link SourceBatchCommitter#reprocess}). For after a contract fix.
 */
public final class SourceReprocessing {
  private static final int CHUNK = 10_000;
  private static final Duration POLL = Duration.ofMillis(500);

  private SourceReprocessing() {}

  /**
   * @param from {@code beginning} or an ISO-8601 time
   * @throws IllegalArgumentException when {@code from} is neither
   */
  public static SourceBatchCommitter.Reprocessed run(SourceBatchCommitter committer, String topic,
      String bootstrapServers, String from) {
    Instant since = startOf(from);
    int records = 0;
    int added = 0;
    int rejected = 0;
    int already = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, Topics.READ_COMMITTED,
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, CHUNK), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (int partition : committer.partitions()) {
        TopicPartition tp = new TopicPartition(topic, partition);
        long end = committer.silverPositions().next(partition); // what the stage has consumed
        consumer.assign(List.of(tp));
        if (since == null) {
          consumer.seekToBeginning(List.of(tp));
        } else {
          OffsetAndTimestamp at = consumer.offsetsForTimes(Map.of(tp, since.toEpochMilli())).get(tp);
          consumer.seek(tp, at == null ? end : at.offset());
        }
        while (consumer.position(tp) < end) {
          List<ConsumerRecord<byte[], byte[]>> chunk = new ArrayList<>();
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL).records(tp)) {
            if (r.offset() < end) {
              chunk.add(r);
            }
          }
          SourceBatchCommitter.Reprocessed done = committer.reprocess(chunk);
          records += done.records();
          added += done.added();
          rejected += done.rejected();
          already += done.alreadyInSilver();
        }
      }
    }
    return new SourceBatchCommitter.Reprocessed(records, added, rejected, already);
  }

  /**
   * Where a source product's replay starts: null for the beginning, else the time.
   *
   * @throws IllegalArgumentException when {@code from} is neither
   */
  public static Instant startOf(String from) {
    if (from == null || from.isBlank() || from.equals("beginning")) {
      return null;
    }
    try {
      return Instant.parse(from);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("from must be 'beginning' or an ISO-8601 time such as 2026-11-25T08:00:00Z"
          + " for a source product (it replays its raw log), not '" + from + "'"
          + io.lakemesh.contracts.validate.Timestamps.plusReadAsSpaceHint(from));
    }
  }
}
