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
  private final MultiGauge quarantined;
  private final MultiGauge duplicates;
  private final MultiGauge ruleFailures;
  private final MultiGauge ruleWarnings;
  private final MultiGauge checks;
  private final MultiGauge lag;
  private final MultiGauge freshness;
  private final MultiGauge slaBreached;
  private final MultiGauge halted;

  public ProductMetrics(ProductCatalog products, ProductStats stats) {
    this.products = products;
    this.stats = stats;
    rows = MultiGauge.builder("lakemesh.table.rows").description("rows in a product's table").register(registry);
    quarantined = MultiGauge.builder("lakemesh.quarantined").description("events quarantined, all time")
        .register(registry);
    duplicates = MultiGauge.builder("lakemesh.duplicates.dropped").description("re-sent events dropped in silver")
        .register(registry);
    ruleFailures = MultiGauge.builder("lakemesh.rule.failures")
        .description("quarantined events per failing rule, all time").register(registry);
    ruleWarnings = MultiGauge.builder("lakemesh.rule.warnings")
        .description("events kept in silver with a warning, per rule, all time").register(registry);
    checks = MultiGauge.builder("lakemesh.batch.checks")
        .description("batch-level rule verdicts (passed/failed), all time").register(registry);
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
    List<MultiGauge.Row<?>> quarantineRows = new ArrayList<>();
    List<MultiGauge.Row<?>> duplicateRows = new ArrayList<>();
    List<MultiGauge.Row<?>> ruleRows = new ArrayList<>();
    List<MultiGauge.Row<?>> warningRows = new ArrayList<>();
    List<MultiGauge.Row<?>> checkRows = new ArrayList<>();
    List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
    List<MultiGauge.Row<?>> freshRows = new ArrayList<>();
    List<MultiGauge.Row<?>> slaRows = new ArrayList<>();
    List<MultiGauge.Row<?>> haltRows = new ArrayList<>();
    for (Product p : products.all()) {
      ObjectNode s = stats.of(p);
      Tags product = Tags.of("product", p.id());
      fields(s.path("rows")).forEach(e -> rowRows.add(MultiGauge.Row.of(product.and("table", e.getKey()),
          e.getValue().asDouble())));
      if (s.has("quarantined")) {
        quarantineRows.add(MultiGauge.Row.of(product, s.get("quarantined").asDouble()));
        duplicateRows.add(MultiGauge.Row.of(product, s.path("duplicatesDropped").asDouble()));
        lagRows.add(MultiGauge.Row.of(product, s.path("lag").asDouble()));
      }
      fields(s.path("ruleFailures")).forEach(e -> ruleRows.add(MultiGauge.Row.of(product.and("rule", e.getKey()),
          e.getValue().asDouble())));
      fields(s.path("ruleWarnings")).forEach(e -> warningRows.add(MultiGauge.Row.of(
          product.and("rule", e.getKey()), e.getValue().asDouble())));
      fields(s.path("batchChecks")).forEach(e -> {
        String key = e.getKey();
        int dot = key.lastIndexOf('.');
        checkRows.add(MultiGauge.Row.of(product.and("rule", key.substring(0, dot), "verdict",
            key.substring(dot + 1)), e.getValue().asDouble()));
      });
      if (s.hasNonNull("freshnessSeconds")) {
        freshRows.add(MultiGauge.Row.of(product, s.get("freshnessSeconds").asDouble()));
      }
      haltRows.add(MultiGauge.Row.of(product, "halted".equals(s.path("pipeline").path("state").asText()) ? 1 : 0));
      fields(s.path("sla")).forEach(e -> slaRows.add(MultiGauge.Row.of(product.and("objective", e.getKey()),
          "breached".equals(e.getValue().path("status").asText()) ? 1 : 0)));
    }
    rows.register(rowRows, true);
    quarantined.register(quarantineRows, true);
    duplicates.register(duplicateRows, true);
    ruleFailures.register(ruleRows, true);
    ruleWarnings.register(warningRows, true);
    checks.register(checkRows, true);
    lag.register(lagRows, true);
    freshness.register(freshRows, true);
    slaBreached.register(slaRows, true);
    halted.register(haltRows, true);
    return registry.scrape();
  }

  private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
    List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      out.add(it.next());
    }
    return out;
  }
}
