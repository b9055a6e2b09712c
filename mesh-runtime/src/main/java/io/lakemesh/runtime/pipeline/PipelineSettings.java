package io.lakemesh.runtime.pipeline;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How pipelines batch and pace. A batch commits when it reaches {@code batchSize} events or when {@code batchWindow}
 * has passed since its first event, whichever comes first.
 */
public record PipelineSettings(int batchSize, Duration batchWindow, Duration goldInterval, int maxPollRecords,
    SnapshotRetention retention, CompactionSettings compaction) {

  public static PipelineSettings from(Config config) {
    Config c = config.getConfig("lakemesh.pipeline");
    Config r = c.getConfig("snapshot-retention");
    return new PipelineSettings(c.getInt("batch-size"), c.getDuration("batch-window"),
        c.getDuration("gold-interval"), c.getInt("max-poll-records"),
        new SnapshotRetention(r.getDuration("max-age"), r.getInt("retain-last"), r.getDuration("every")),
        CompactionSettings.from(c.getConfig("compaction")));
  }
}
