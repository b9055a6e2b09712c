package io.lakemesh.runtime.pipeline;

import com.typesafe.config.Config;
import io.lakemesh.runtime.storage.Compaction;
import io.lakemesh.runtime.storage.OrphanFiles;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * When a source product's tables are compacted ({@code lakemesh.pipeline.compaction}): every {@code every}, by the
 * worker of Kafka partition 0, on a thread of its own so commits never wait for it.
 *
 * The same run deletes the tables' orphaned data files ({@link OrphanFiles}), at most once an hour.
 *
 * @param every how often; zero turns compaction off
 * @param orphans how old an unreferenced data file must be to be deleted; null leaves them
 */
public record CompactionSettings(Duration every, Compaction compaction, OrphanFiles orphans) {
  /** Compaction alone, leaving orphaned files. */
  public CompactionSettings(Duration every, Compaction compaction) {
    this(every, compaction, null);
  }

  /**
   * One thread for every product of the node: compaction is background work on a machine whose cores the
   * pipelines need, so products take turns rather than compete.
   */
  static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "lakemesh-compaction");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    return t;
  });

  public static CompactionSettings from(Config c) {
    Duration orphansOlderThan = c.getDuration("orphan-files-older-than");
    return new CompactionSettings(c.getDuration("every"), new Compaction(c.getInt("min-files"),
        c.getBytes("small-file-size"), c.getBytes("max-input-size")),
        orphansOlderThan.isZero() ? null : new OrphanFiles(orphansOlderThan));
  }

  public boolean enabled() {
    return !every.isZero() && !every.isNegative();
  }
}
