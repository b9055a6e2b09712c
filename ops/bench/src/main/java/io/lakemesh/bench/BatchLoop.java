package io.lakemesh.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The consume side both contenders share: a plain {@link KafkaConsumer} with the pipeline's consumer settings reads
 * the raw topic from given positions to its known end and hands over micro-batches of exactly {@code batchSize}
 * records (the last one smaller), one at a time, on the calling thread.
 */
final class BatchLoop {

  /** Wall time spent inside {@code poll}, and how many batches were handed over. */
  record Stats(double pollSeconds, int batches) {}

  private BatchLoop() {}

  static Stats run(String bootstrap, Map<TopicPartition, Long> from, Map<TopicPartition, Long> endOffsets,
      int batchSize, int maxPollRecords, Consumer<List<ConsumerRecord<byte[], byte[]>>> onBatch) {
    long pollNanos = 0;
    int batches = 0;
    // the consumer settings of SourcePipeline; offsets come from the tables, so no group offsets are committed
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords,
        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>(endOffsets.keySet());
      consumer.assign(partitions);
      for (TopicPartition tp : partitions) {
        consumer.seek(tp, from.getOrDefault(tp, 0L));
      }
      List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>(batchSize);
      while (!caughtUp(consumer, partitions, endOffsets)) {
        long t0 = System.nanoTime();
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        pollNanos += System.nanoTime() - t0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
          pending.add(r);
          if (pending.size() == batchSize) {
            onBatch.accept(pending);
            batches++;
            pending = new ArrayList<>(batchSize);
          }
        }
      }
      if (!pending.isEmpty()) {
        onBatch.accept(pending);
        batches++;
      }
    }
    return new Stats(pollNanos / 1e9, batches);
  }

  private static boolean caughtUp(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions,
      Map<TopicPartition, Long> endOffsets) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < endOffsets.get(tp)) {
        return false;
      }
    }
    return true;
  }
}
