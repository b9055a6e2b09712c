package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.product.Product;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The stream graph of a source product's worker: its partitions of the raw topic → micro-batches → bronze, silver
 * and quarantine commits.
 *
 * <p>Backpressure: the Kafka source only polls when the batch stage asks for more, and one batch commits at a
 * time, so a slow commit slows consumption; the lag this builds up is what the ingest endpoint watches.
 */
public final class SourcePipeline {

  private SourcePipeline() {}

  /** A batch committed, or the halt after it: what the worker is told, in order. */
  private record Step(SourceBatchCommitter.BatchResult result, QualityGateException halt) {}

  public static RunningPipeline start(ActorSystem<?> system, Product product, SourceBatchCommitter committer,
      String bootstrapServers, PipelineSettings settings, Executor io,
      Consumer<SourceBatchCommitter.BatchResult> onCommit) {
    String topic = product.rawTopic();
    Map<TopicPartition, Long> start = new HashMap<>();
    SourcePositions resume = committer.resumeFrom();
    // the committer's partitions only: other workers (maybe on other nodes) consume the others
    for (int p : committer.partitions()) {
      start.put(new TopicPartition(topic, p), resume.next(p));
    }
    ConsumerSettings<byte[], byte[]> consumer = ConsumerSettings
        .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .withBootstrapServers(bootstrapServers)
        .withGroupId("lakemesh-" + product.id())
        .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
        .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
        // events of an aborted (or still open) transaction of a transactional producer are not events: never read
        .withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, Topics.READ_COMMITTED)
        .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(settings.maxPollRecords()))
        .withProperty(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(64 * 1024 * 1024))
        .withProperty(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    Pair<org.apache.pekko.kafka.javadsl.Consumer.Control, CompletionStage<Done>> running =
        org.apache.pekko.kafka.javadsl.Consumer.plainSource(consumer, Subscriptions.assignmentWithOffset(start))
            .groupedWithin(settings.batchSize(), settings.batchWindow())
            // validating batch N+1 overlaps writing and committing batch N; commits stay in order
            .mapAsync(1, (List<ConsumerRecord<byte[], byte[]>> batch) ->
                CompletableFuture.supplyAsync(() -> committer.prepare(batch), io))
            .mapAsync(1, prepared -> CompletableFuture.supplyAsync(() -> {
              SourceBatchCommitter.BatchResult result;
              try {
                result = committer.commit(prepared);
              } catch (QualityGateException halted) {
                if (halted.committedBefore() == null) {
                  throw halted;
                }
                // the batch committed before the halt (the one an operator resumed past) is reported, then the halt
                return List.of(new Step(halted.committedBefore(), null), new Step(null, halted));
              }
              committer.retainSnapshots(settings.retention()); // between commits: never beside one
              committer.compactWhenDue(settings.compaction()); // on its own thread
              return List.of(new Step(result, null));
            }, io))
            // one step at a time: a halt fails the stream only once the commit before it has been reported
            // (a source that fails after its element, flattened, can fail before the element is taken)
            .mapConcat(steps -> steps)
            .map(step -> {
              if (step.halt() != null) {
                throw step.halt();
              }
              return step.result();
            })
            .toMat(Sink.foreach(onCommit::accept), Keep.both())
            .run(system);
    org.apache.pekko.kafka.javadsl.Consumer.Control control = running.first();
    CompletionStage<Done> done = running.second();
    return new RunningPipeline() {
      @Override
      public CompletionStage<Done> drain() {
        // stopping the source lets the partial batch flush and commit, then the stream completes
        // a compaction in flight stops at once (its files deleted), not after the batches in flight commit
        CompletableFuture<Void> compactionStopped = committer.stopCompaction();
        return control.shutdown().thenCompose(d -> done).thenCompose(d -> compactionStopped.thenApply(x -> d));
      }

      @Override
      public CompletionStage<Done> done() {
        return done;
      }
    };
  }
}
