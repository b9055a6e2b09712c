package io.lakemesh.runtime.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.serve.ProductStats;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Prometheus metrics of the products, taken from the same numbers as the product stats (which come from the
 * tables' snapshots, so they are exact and survive restarts). Refreshed on every scrape.
 */
public final class ProductMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ProductCatalog products;
  private final ProductStats stats;
  private final MultiGauge rows;
  /** All-time counts, exposed as counters ({@code _total}) so that {@code rate()} and {@code increase()} apply. */
  private final java.util.concurrent.ConcurrentHashMap<io.micrometer.core.instrument.Meter.Id,
      java.util.concurrent.atomic.AtomicLong> totals = new java.util.concurrent.ConcurrentHashMap<>();
  private final MultiGauge lag;
  private final MultiGauge freshness;
  private final MultiGauge slaBreached;
  private final MultiGauge halted;

  public ProductMetrics(ProductCatalog products, ProductStats stats) {
    this.products = products;
    this.stats = stats;
    rows = MultiGauge.builder("lakemesh.table.rows").description("rows in a product's table").register(registry);
    lag = MultiGauge.builder("lakemesh.ingest.lag")
        .description("events in the product's Kafka log (accepted by any node) not yet committed to silver")
        .register(registry);
    freshness = MultiGauge.builder("lakemesh.freshness.seconds").description("seconds since the last commit")
        .register(registry);
    slaBreached = MultiGauge.builder("lakemesh.sla.breached")
        .description("1 when a service-level objective of the contract is breached").register(registry);
    halted = MultiGauge.builder("lakemesh.pipeline.halted")
        .description("1 while a critical batch rule keeps the product's pipeline stopped (see lastError in stats)")
        .register(registry);
    registry.config().commonTags("service", "lakemesh");
  }

  /** The Prometheus text exposition, refreshed from the products' current stats. */
  public String scrape() {
    List<MultiGauge.Row<?>> rowRows = new ArrayList<>();
    List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
    List<MultiGauge.Row<?>> freshRows = new ArrayList<>();
    List<MultiGauge.Row<?>> slaRows = new ArrayList<>();
    List<MultiGauge.Row<?>> haltRows = new ArrayList<>();
    for (Product p : products.all()) {
      ObjectNode s = stats.of(p);
      // the product id without @v<major>, and its major: when a new major takes the plain id, the older one's
      // series go on as they were (a counter of one series never goes back) and the new one's start on their own
      Tags product = Tags.of("product", p.contract().id(), "major", String.valueOf(p.majorVersion()));
      fields(s.path("rows")).forEach(e -> rowRows.add(MultiGauge.Row.of(product.and("table", e.getKey()),
          e.getValue().asDouble())));
      if (s.has("quarantined")) {
        total("lakemesh.quarantined", "events quarantined", product, s.get("quarantined").asLong());
        total("lakemesh.duplicates.dropped", "re-sent events dropped in silver", product,
            s.path("duplicatesDropped").asLong());
        if (s.path("lag").isNumber()) {
          lagRows.add(MultiGauge.Row.of(product, s.path("lag").asDouble())); // absent while the log does not answer
        }
      }
      fields(s.path("ruleFailures")).forEach(e -> total("lakemesh.rule.failures",
          "reasons of quarantined events, per rule", product.and("rule", e.getKey()), e.getValue().asLong()));
      fields(s.path("ruleWarnings")).forEach(e -> total("lakemesh.rule.warnings",
          "rows kept in silver that a rule flagged, per rule", product.and("rule", e.getKey()),
          e.getValue().asLong()));
      fields(s.path("rulePasses")).forEach(e -> total("lakemesh.rule.passes",
          "rows kept in silver that a row-level rule judged and did not flag, per rule", product.and("rule",
              e.getKey()), e.getValue().asLong()));
      fields(s.path("batchChecks")).forEach(e -> {
        String key = e.getKey();
        int dot = key.lastIndexOf('.');
        total("lakemesh.batch.checks", "batch-level rule verdicts (passed/failed)",
            product.and("rule", key.substring(0, dot), "verdict", key.substring(dot + 1)), e.getValue().asLong());
      });
      if (s.hasNonNull("freshnessSeconds")) {
        freshRows.add(MultiGauge.Row.of(product, s.get("freshnessSeconds").asDouble()));
      }
      haltRows.add(MultiGauge.Row.of(product, "halted".equals(s.path("pipeline").path("state").asText()) ? 1 : 0));
      fields(s.path("sla")).forEach(e -> slaRows.add(MultiGauge.Row.of(product.and("objective", e.getKey()),
          "breached".equals(e.getValue().path("status").asText()) ? 1 : 0)));
    }
    // one scrape at a time sets the gauges and renders them: MultiGauge's register is not safe against another
    // at once, and concurrent scrapes rendered a series twice (Prometheus' "Duplicate labels", a 500); the stats
    // above, the slow part, are still read concurrently
    synchronized (registry) {
      rows.register(rowRows, true);
      lag.register(lagRows, true);
      freshness.register(freshRows, true);
      slaBreached.register(slaRows, true);
      halted.register(haltRows, true);
      return registry.scrape();
    }
  }

  /**
   * Sets an all-time count, registering its counter the first time the series appears. The counts come from the
   * tables' snapshots, so they only grow, also across restarts of the node.
   */
  private void total(String name, String description, Tags tags, long value) {
    io.micrometer.core.instrument.Meter.Id id = new io.micrometer.core.instrument.Meter.Id(name, tags, null,
        description, io.micrometer.core.instrument.Meter.Type.COUNTER);
    totals.computeIfAbsent(id, k -> {
      java.util.concurrent.atomic.AtomicLong count = new java.util.concurrent.atomic.AtomicLong();
      io.micrometer.core.instrument.FunctionCounter.builder(name, count,
          java.util.concurrent.atomic.AtomicLong::doubleValue).description(description).tags(tags).register(registry);
      return count;
    }).set(value);
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }
}
