package io.lakemesh.runtime.pipeline;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The stream graph of a gold product: a tick asks the aggregator to fold in what its upstream committed. Ticks
 * that arrive while a run is in progress are dropped, so a slow run never queues work.
 */
public final class GoldPipeline {

  private GoldPipeline() {}

  public static RunningPipeline start(ActorSystem<?> system, GoldAggregator aggregator, PipelineSettings settings,
      Executor io, Consumer<GoldAggregator.RunResult> onRun) {
    Pair<UniqueKillSwitch, CompletionStage<Done>> running =
        Source.tick(java.time.Duration.ZERO, settings.goldInterval(), Boolean.TRUE)
            .viaMat(KillSwitches.single(), Keep.right())
            .mapAsync(1, t -> CompletableFuture.supplyAsync(() -> {
              GoldAggregator.RunResult result = aggregator.run();
              aggregator.retainSnapshots(settings.retention());
              aggregator.removeOrphans(settings.compaction().orphans());
              return result;
            }, io))
            .toMat(Sink.foreach(onRun::accept), Keep.both())
            .run(system);
    return new RunningPipeline() {
      @Override
      public CompletionStage<Done> drain() {
        running.first().shutdown();
        return running.second();
      }

      @Override
      public CompletionStage<Done> done() {
        return running.second();
      }
    };
  }
}
