package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.sla.ServiceLevels;
import io.lakemesh.contracts.sla.SlaVerdict;
import io.lakemesh.runtime.cluster.ClusterProgress;
import io.lakemesh.runtime.pipeline.Counters;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Live statistics of a product, read from its tables' current snapshots (row counts and the cumulative counters
 * each commit carries) and from this node's view of its pipeline.
 */
public final class ProductStats {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProductStats.class);
  private final Warehouse warehouse;
  private final ProgressBoard progress;
  private final ClusterProgress workers;
  private final ProductCatalog products;

  public ProductStats(Warehouse warehouse, ProgressBoard progress, ClusterProgress workers, ProductCatalog products) {
    this.warehouse = warehouse;
    this.products = products;
    this.progress = progress;
    this.workers = workers;
  }

  /**
   * The upstream a derived product reads, as the catalog and its stats show it: what its contract names, unless more
   * than one major of that upstream is served, when its table says which one it was computed from ({@code <id>@v<n>}
   * for an older major). Reads the table only then, and never creates it; if it cannot be read, the contract's text.
   */
  public String upstream(Product derived) {
    if (!products.upstreamDependsOnTable(derived)) {
      return derived.contract().settings().upstream();
    }
    try {
      Table table = warehouse.catalog().loadTable(derived.servedTable());
      return upstream(derived, recordedUpstream(table));
    } catch (org.apache.iceberg.exceptions.NoSuchTableException notYet) {
      return upstream(derived, null);
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot read which upstream its table was computed from ({}); listing the contract's", derived.id(),
          e.toString());
      return derived.contract().settings().upstream();
    }
  }

  private String upstream(Product derived, String recordedTable) {
    return products.upstreamDependsOnTable(derived) ? products.boundUpstream(derived, recordedTable).id()
        : derived.contract().settings().upstream();
  }

  private static String recordedUpstream(Table derived) {
    return io.lakemesh.runtime.storage.SnapshotPositions.latest(derived,
        io.lakemesh.runtime.pipeline.GoldAggregator.UPSTREAM_TABLE).orElse(null);
  }

  /**
   * The last commits a worker shows before its first commit on its node (after a restart or a move): a source
   * worker's partition's last commit to silver, a derived product's worker the last commit of its table.
   */
  public record TableCommits(Map<Integer, Instant> byPartition, Instant whole) {
    static final TableCommits NONE = new TableCommits(Map.of(), null);

    Instant of(io.lakemesh.runtime.cluster.WorkerId worker) {
      return worker.partition() == null ? whole : byPartition.get(worker.partition());
    }
  }

  /** Each worker's last commit as its table records it. */
  public TableCommits tableCommits(Product product) {
    Table served = StageTables.served(warehouse, product);
    if (product.stage() != Stage.SOURCE) {
      return new TableCommits(Map.of(), commitTime(served));
    }
    Map<Integer, Instant> commits = new java.util.HashMap<>();
    io.lakemesh.runtime.pipeline.PartitionSnapshots.newest(served, SourceBatchCommitter.allPartitions(product))
        .forEach((p, snap) -> commits.put(p, Instant.ofEpochMilli(snap.timestampMillis())));
    return new TableCommits(commits, null);
  }

  public ObjectNode of(Product product) {
    ObjectNode stats = JsonNodeFactory.instance.objectNode();
    ObjectNode stages = stats.putObject("rows");
    Instant last = null;
    Waiting waiting = null;
    // each worker's last commit as its table records it: what a worker that moved or restarted (and has not
    // committed on its node yet) shows
    TableCommits tableCommits = TableCommits.NONE;
    List<ClusterProgress.WorkerStatus> statuses = workers.workers(product);
    if (product.stage() == Stage.SOURCE) {
      // the lag first, the rows after: a reader who sees lag 0 then finds every event it counted in the rows
      Map<Integer, Long> lagByPartition = progress.freshLagByPartition(product.id());
      Table bronze = StageTables.bronze(warehouse, product);
      Table silver = StageTables.served(warehouse, product);
      Table quarantine = StageTables.quarantine(warehouse, product);
      stages.put("bronze", rows(bronze));
      stages.put("silver", rows(silver));
      stages.put("quarantine", rows(quarantine));
      // each partition's worker counts its own partition: the product's counts are their sum
      java.util.Set<Integer> partitions = SourceBatchCommitter.allPartitions(product);
      Counters silverCounts = Counters.committed(silver, partitions);
      Counters quarantineCounts = Counters.committed(quarantine, partitions);
      stats.put("quarantined", rows(quarantine));
      stats.put("duplicatesDropped", silverCounts.get("duplicates"));
      ObjectNode rules = stats.putObject("ruleFailures");
      quarantineCounts.asMap().forEach((k, v) -> rules.put(k.replaceFirst("^rule\\.", ""), v));
      // a warning counted, then taken back when its row went to quarantine after all, leaves a 0
      countsNamed(silverCounts, "warning.", stats.putObject("ruleWarnings"), true);
      countsNamed(silverCounts, "pass.", stats.putObject("rulePasses"), false);
      countsNamed(silverCounts, "check.", stats.putObject("batchChecks"), false);
      String lagUnknown = progress.lagUnknown(product.id());
      if (lagUnknown == null) {
        stats.put("lag", lagByPartition.values().stream().mapToLong(Long::longValue).sum());
      } else {
        // a lag read before the log went away would say 0 with nothing to tell it from a product that kept up
        stats.putNull("lag");
        stats.put("lagUnknown", lagUnknown);
      }
      int declared = product.contract().settings().partitions();
      java.util.SortedMap<Integer, Long> unread = new java.util.TreeMap<>(lagByPartition).tailMap(declared);
      if (!unread.isEmpty()) {
        // partitions added to the raw topic from outside: no worker reads them (lakemeshPartitions fixes routing)
        long stranded = unread.values().stream().mapToLong(Long::longValue).sum();
        stats.put("rawTopicProblem", product.rawTopic() + " has " + (unread.lastKey() + 1) + " partitions, the"
            + " contract " + declared + ": " + (stranded == 0 ? "partition(s) " + unread.keySet() + " are empty so"
                + " far, but no worker would read events written there"
                : "events in partition(s) " + unread.keySet() + " (" + stranded + ") are never read")
            + "; a restart refuses the product. Re-send such events through the ingest endpoint, and leave the raw"
            + " topic's partitions to Lakemesh");
      }
      tableCommits = tableCommits(product);
      waiting = waiting(statuses, lagByPartition, tableCommits.byPartition());
      last = latest(latest(commitTime(bronze), commitTime(silver)), commitTime(quarantine));
    } else {
      Table table = StageTables.served(warehouse, product);
      stages.put(product.stage().odcsName(), rows(table));
      last = commitTime(table);
      tableCommits = new TableCommits(Map.of(), last);
      // which table it was computed from: after a new major of the source, still the older major's
      String recorded = recordedUpstream(table);
      stats.put("upstreamTable", recorded);
      stats.put("upstream", upstream(product, recorded));
    }
    stats.put("lastCommit", last == null ? null : last.toString());
    // as the freshness objective is judged: from the last commit of a partition with events waiting, if older
    Instant freshAt = waiting != null && last != null && waiting.since().isBefore(last) ? waiting.since() : last;
    stats.put("freshnessSeconds", freshAt == null ? null : Duration.between(freshAt, Instant.now()).toSeconds());
    ServiceLevels sla = ServiceLevels.of(product.contract());
    ObjectNode slas = stats.putObject("sla");
    if (sla.freshness().isPresent()) {
      // a product that never committed is as stale as the time since this node started; a partition with events
      // waiting is as stale as its own last commit, whatever the other partitions commit
      Instant reference = last != null ? last : progress.startedAt();
      boolean partitionBehind = waiting != null && waiting.since().isBefore(reference);
      SlaVerdict v = sla.evaluateFreshness(partitionBehind ? waiting.since() : reference, Instant.now());
      String noCommit = "no commit yet; " + Duration.between(progress.startedAt(), Instant.now()).toSeconds()
          + " s since this node started, against an objective of " + v.objective().toSeconds() + " s";
      // (the verdict's sentence speaks of a last commit: a partition without one is judged from this node's start)
      String detail = partitionBehind ? (waiting.committed() ? v.sentence() : "freshness " + v.status().name()
          .toLowerCase(java.util.Locale.ROOT) + ": partition " + waiting.partition() + " has " + noCommit) + " ("
          + waiting.describe() + ")"
          : last != null ? v.sentence() : noCommit;
      slas.putObject("freshness").put("status", v.status().name().toLowerCase(java.util.Locale.ROOT))
          .put("objectiveSeconds", v.objective().toSeconds()).put("objectiveMillis", v.objective().toMillis())
          .put("detail", detail);
    }
    // the slowest worker's last batch is the product's latency
    Duration latency = statuses.stream().map(ClusterProgress.WorkerStatus::state)
        .filter(s -> s != null && s.lastLatency() != null).map(ProgressBoard.PipelineState::lastLatency)
        .max(Duration::compareTo).orElse(null);
    // events waiting on a worker that does not run (halted by a critical rule, paused, failed) have waited at least since
    // its last commit, however fast the batches that do commit are
    // (a partition that never committed may hold only backlog, which is no latency sample: freshness shows its wait;
    // a halted one's batch of live events has waited since the first of them came)
    Instant stuckSince = waiting == null || !waiting.stuck() ? null : waiting.committed() ? waiting.since()
        : waiting.haltedWaitingSince();
    Duration stuck = stuckSince == null ? null : Duration.between(stuckSince, Instant.now());
    boolean stuckLonger = stuck != null && (latency == null || stuck.compareTo(latency) > 0);
    if (stuckLonger) {
      latency = stuck;
    }
    if (sla.latency().isPresent() && latency == null) {
      // declared but not measurable yet: say so rather than leave the objective out of the stats
      slas.putObject("latency").put("status", "no-data").put("objectiveSeconds", sla.latency().get().toSeconds())
          .put("objectiveMillis", sla.latency().get().toMillis())
          .put("detail", "no event received since the workers started has been committed yet; latency is measured"
              + " per batch, from the events received since (those in the log before are backlog, which"
              + " freshness covers)");
    }
    if (sla.latency().isPresent() && latency != null) {
      SlaVerdict v = sla.evaluateLatency(latency);
      slas.putObject("latency").put("status", v.status().name().toLowerCase(java.util.Locale.ROOT))
          .put("objectiveSeconds", v.objective().toSeconds()).put("objectiveMillis", v.objective().toMillis())
          .put("observedMillis", latency.toMillis())
          .put("detail", stuckLonger ? v.sentence() + " (" + waiting.describe() + ")" : v.sentence());
    }
    stats.set("pipeline", pipeline(statuses, tableCommits));
    return stats;
  }

  /**
   * The partition whose events have waited longest: its worker's last commit (or this node's start, when it has
   * none: {@code committed} false), the events waiting, and whether the worker runs.
   */
  record Waiting(int partition, Instant since, boolean committed, long events, String state,
      Instant haltedWaitingSince) {
    /** Whether the partition's worker is stopped by a failure: its events wait for an operator, not a batch. */
    boolean stuck() {
      return state.equals("halted") || state.equals("failed") || state.equals("paused");
    }

    String describe() {
      return "partition " + partition + (stuck() ? " is " + state : "") + " with " + events
          + (events == 1 ? " event" : " events") + " waiting since "
          + (committed ? "its last commit at " + millis(since)
          : haltedWaitingSince != null ? millis(haltedWaitingSince) + ", when the first of them came (no commit yet)"
          : "this node started at " + millis(since));
    }

    private static Instant millis(Instant t) {
      return t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
  }

  /**
   * The partition whose waiting events wait longest: since its last commit to silver as the table records it (a
   * worker that moved or restarted has not committed on its new node yet, but the partition has), else since this
   * node started.
   */
  private Waiting waiting(List<ClusterProgress.WorkerStatus> statuses, Map<Integer, Long> lagByPartition,
      Map<Integer, Instant> committed) {
    Waiting oldest = null;
    for (ClusterProgress.WorkerStatus s : statuses) {
      Integer partition = s.worker().partition();
      long events = partition == null ? 0 : lagByPartition.getOrDefault(partition, 0L);
      if (events == 0) {
        continue;
      }
      Instant commit = committed.get(partition);
      Instant since = commit != null ? commit : progress.startedAt();
      if (oldest == null || since.isBefore(oldest.since())) {
        oldest = new Waiting(partition, since, commit != null, events, s.stateName(),
            s.state() == null ? null : s.state().haltedWaitingSince());
      }
    }
    return oldest;
  }

  /**
   * The product's pipeline: one state for all its workers (running only when every one runs, else the first that
   * does not) and each worker with its node.
   */
  /** @param tableCommits each worker's last commit as its table records it, for workers without one of theirs */
  static ObjectNode pipeline(List<ClusterProgress.WorkerStatus> statuses, TableCommits tableCommits) {
    ObjectNode pipeline = JsonNodeFactory.instance.objectNode();
    String state = statuses.stream().map(ClusterProgress.WorkerStatus::stateName)
        .filter(s -> !s.equals("running")).findFirst().orElse("running");
    pipeline.put("state", state);
    pipeline.put("batches", statuses.stream().filter(s -> s.state() != null)
        .mapToLong(s -> s.state().batches()).sum());
    statuses.stream().map(ClusterProgress.WorkerStatus::state)
        .filter(s -> s != null && s.lastError() != null).findFirst()
        .ifPresent(s -> pipeline.put("lastError", s.lastError()));
    var list = pipeline.putArray("workers");
    for (ClusterProgress.WorkerStatus s : statuses) {
      ObjectNode w = list.addObject();
      w.put("worker", s.worker().entityId());
      if (s.worker().partition() != null) {
        w.put("partition", s.worker().partition());
      }
      w.put("state", s.stateName());
      // the same keys whatever the state: a worker between nodes (failover) has node null, not no node
      w.put("node", s.state() == null ? null : s.state().node());
      w.put("batches", s.state() == null ? 0 : s.state().batches());
      // in milliseconds, as the product's own lastCommit (a snapshot's time) is
      Instant lastCommit = s.state() != null && s.state().lastCommit() != null ? s.state().lastCommit()
          : tableCommits.of(s.worker());
      w.put("lastCommit", lastCommit == null ? null
          : lastCommit.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString());
      if (s.state() != null && s.state().lastError() != null) {
        w.put("lastError", s.state().lastError());
      }
    }
    return pipeline;
  }

  private static long rows(Table table) {
    Snapshot s = table.currentSnapshot();
    if (s == null) {
      return 0;
    }
    String total = s.summary().get("total-records");
    return total == null ? 0 : Long.parseLong(total);
  }

  /**
   * When data was last committed: a compaction (replace) rewrites old rows and is not news, so freshness must not
   * count it.
   */
  /** The counts whose names start with {@code prefix}, without it, into {@code into}; zeros left out if asked. */
  private static void countsNamed(Counters counts, String prefix, ObjectNode into, boolean withoutZeros) {
    counts.asMap().forEach((k, v) -> {
      if (k.startsWith(prefix) && (v != 0 || !withoutZeros)) {
        into.put(k.substring(prefix.length()), v);
      }
    });
  }

  private static Instant commitTime(Table table) {
    Snapshot s = io.lakemesh.runtime.storage.Compaction.newestData(table);
    return s == null ? null : Instant.ofEpochMilli(s.timestampMillis());
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
