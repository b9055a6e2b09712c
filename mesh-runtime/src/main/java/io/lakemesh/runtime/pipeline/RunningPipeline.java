package io.lakemesh.runtime.pipeline;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** A materialized product pipeline: stop it gracefully, or learn when it ends (normally or with a failure). */
public interface RunningPipeline {

  /** Stops taking input, commits what is in flight, then completes {@link #done()}. */
  CompletionStage<Done> drain();

  /** Completes when the pipeline has stopped; fails with the error that stopped it. */
  CompletionStage<Done> done();
}
