package io.lakemesh.contracts.model;

import java.util.Map;

/**
 * Lakemesh's own settings of a product, read from the contract's top-level {@code customProperties}:
 *
 * <ul>
 *   <li>{@code lakemeshStage}: {@code source} (bronze + silver) or {@code gold}
 *   <li>{@code lakemeshUpstream}: the product a derived stage reads, e.g. {@code retail.transactions}
 *   <li>{@code lakemeshTransform}: the name of the domain transformation a derived stage runs
 *   <li>{@code lakemeshPartitions}: Kafka partitions of a source product's raw topic (default 3)
 * </ul>
 *
 * @param extra every other custom property, kept as given
 */
public record LakemeshSettings(Stage stage, String upstream, String transform, int partitions,
    Map<String, Object> extra) {

  public LakemeshSettings {
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }
}
