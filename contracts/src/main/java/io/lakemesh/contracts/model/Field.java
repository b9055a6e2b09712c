package io.lakemesh.contracts.model;

import java.util.List;
import java.util.Optional;

/**
 * One ODCS schema property. Objects carry nested {@link #properties()}, arrays carry their {@link #items()}.
 *
 * @param physicalType the declared physical type, e.g. {@code decimal(12,2)}, {@code bigint}; may be null
 * @param partitionTransform lakemesh extension {@code partitionTransform} (identity, year, month, day, hour,
 *     bucket[N], truncate[N]); null means the default for the type (day for timestamps, identity otherwise)
 * @param transformLogic ODCS {@code transformLogic}: how a gold column is computed from its upstream (see
 *     {@code io.lakemesh.contracts.aggregate}); null when not declared
 */
public record Field(
    String name,
    LogicalType type,
    String physicalType,
    boolean required,
    boolean unique,
    int primaryKeyPosition,
    int partitionKeyPosition,
    String partitionTransform,
    String classification,
    String description,
    TypeOptions options,
    List<Field> properties,
    Field items,
    List<QualityRule> quality,
    String transformLogic) {

  public Field {
    properties = properties == null ? List.of() : List.copyOf(properties);
    quality = quality == null ? List.of() : List.copyOf(quality);
    options = options == null ? TypeOptions.NONE : options;
  }

  public Field(String name, LogicalType type, String physicalType, boolean required, boolean unique,
      int primaryKeyPosition, int partitionKeyPosition, String partitionTransform, String classification,
      String description, TypeOptions options, List<Field> properties, Field items, List<QualityRule> quality) {
    this(name, type, physicalType, required, unique, primaryKeyPosition, partitionKeyPosition, partitionTransform,
        classification, description, options, properties, items, quality, null);
  }

  /** An object that declares no properties: its values have no schema and are kept as JSON text. */
  public boolean isFreeFormObject() {
    return type == LogicalType.OBJECT && properties.isEmpty();
  }

  public boolean isPrimaryKey() {
    return primaryKeyPosition > 0;
  }

  public boolean isPartitioned() {
    return partitionKeyPosition > 0;
  }

  public Optional<Field> property(String childName) {
    return properties.stream().filter(p -> p.name().equals(childName)).findFirst();
  }
}
