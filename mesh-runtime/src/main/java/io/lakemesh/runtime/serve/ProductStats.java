package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.sla.ServiceLevels;
import io.lakemesh.contracts.sla.SlaVerdict;
import io.lakemesh.runtime.pipeline.Counters;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Live statistics of a product, read from its tables' current snapshots (row counts and the cumulative counters
 * each commit carries) and from this node's view of its pipeline.
 */
public final class ProductStats {
  private final Warehouse warehouse;
  private final ProgressBoard progress;

  public ProductStats(Warehouse warehouse, ProgressBoard progress) {
    this.warehouse = warehouse;
    this.progress = progress;
  }

  public ObjectNode of(Product product) {
    ObjectNode stats = JsonNodeFactory.instance.objectNode();
    ObjectNode stages = stats.putObject("rows");
    Instant last = null;
    if (product.stage() == Stage.SOURCE) {
      Table bronze = StageTables.bronze(warehouse, product);
      Table silver = StageTables.served(warehouse, product);
      Table quarantine = StageTables.quarantine(warehouse, product);
      stages.put("bronze", rows(bronze));
      stages.put("silver", rows(silver));
      stages.put("quarantine", rows(quarantine));
      Counters silverCounts = Counters.fromSummary(summary(silver));
      Counters quarantineCounts = Counters.fromSummary(summary(quarantine));
      stats.put("quarantined", rows(quarantine));
      stats.put("duplicatesDropped", silverCounts.get("duplicates"));
      ObjectNode rules = stats.putObject("ruleFailures");
      quarantineCounts.asMap().forEach((k, v) -> rules.put(k.replaceFirst("^rule\\.", ""), v));
      ObjectNode warnings = stats.putObject("ruleWarnings");
      silverCounts.asMap().forEach((k, v) -> {
        if (k.startsWith("warning.")) {
          warnings.put(k.substring("warning.".length()), v);
        }
      });
      ObjectNode checks = stats.putObject("batchChecks");
      silverCounts.asMap().forEach((k, v) -> {
        if (k.startsWith("check.")) {
          checks.put(k.substring("check.".length()), v);
        }
      });
      stats.put("lag", progress.lag(product.id()));
      last = latest(latest(commitTime(bronze), commitTime(silver)), commitTime(quarantine));
    } else {
      Table table = StageTables.served(warehouse, product);
      stages.put(product.stage().odcsName(), rows(table));
      last = commitTime(table);
    }
    stats.put("lastCommit", last == null ? null : last.toString());
    stats.put("freshnessSeconds", last == null ? null : Duration.between(last, Instant.now()).toSeconds());
    ProgressBoard.PipelineState state = progress.state(product.id());
    ServiceLevels sla = ServiceLevels.of(product.contract());
    ObjectNode slas = stats.putObject("sla");
    if (sla.freshness().isPresent()) {
      // a product that never committed is as stale as the time since this node started
      SlaVerdict v = sla.evaluateFreshness(last != null ? last : progress.startedAt(), Instant.now());
      slas.putObject("freshness").put("status", v.status().name().toLowerCase(java.util.Locale.ROOT))
          .put("objectiveSeconds", v.objective().toSeconds()).put("detail", v.sentence());
    }
    if (sla.latency().isPresent() && state.lastLatency() != null) {
      SlaVerdict v = sla.evaluateLatency(state.lastLatency());
      slas.putObject("latency").put("status", v.status().name().toLowerCase(java.util.Locale.ROOT))
          .put("objectiveSeconds", v.objective().toSeconds())
          .put("observedMillis", state.lastLatency().toMillis()).put("detail", v.sentence());
    }
    ObjectNode pipeline = stats.putObject("pipeline");
    pipeline.put("state", state.state());
    pipeline.put("batches", state.batches());
    if (state.lastError() != null) {
      pipeline.put("lastError", state.lastError());
    }
    return stats;
  }

  private static long rows(Table table) {
    Snapshot s = table.currentSnapshot();
    if (s == null) {
      return 0;
    }
    String total = s.summary().get("total-records");
    return total == null ? 0 : Long.parseLong(total);
  }

  private static Map<String, String> summary(Table table) {
    return table.currentSnapshot() == null ? Map.of() : table.currentSnapshot().summary();
  }

  private static Instant commitTime(Table table) {
    Snapshot s = table.currentSnapshot();
    return s == null ? null : Instant.ofEpochMilli(s.timestampMillis());
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }
}
