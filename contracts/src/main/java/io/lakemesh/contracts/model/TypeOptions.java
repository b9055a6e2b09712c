package io.lakemesh.contracts.model;

import java.math.BigDecimal;

/**
 * ODCS {@code logicalTypeOptions}: the constraints a value of a property must meet. Absent options are null. Bounds
 * of dates and timestamps stay strings (ISO-8601), numeric bounds are exact decimals.
 */
public record TypeOptions(
    String format,
    String pattern,
    Integer minLength,
    Integer maxLength,
    String minimum,
    String maximum,
    String exclusiveMinimum,
    String exclusiveMaximum,
    BigDecimal multipleOf,
    Integer minItems,
    Integer maxItems,
    boolean uniqueItems,
    Integer minProperties,
    Integer maxProperties,
    String defaultTimezone,
    java.util.List<String> requiredProperties) {

  public static final TypeOptions NONE =
      new TypeOptions(null, null, null, null, null, null, null, null, null, null, null, false, null, null,
          null, java.util.List.of());

  /** Whether an object's options constrain its members: {@code required}, {@code minProperties}, ... */
  public boolean constrainsMembers() {
    return minProperties != null || maxProperties != null || !requiredProperties.isEmpty();
  }

  public boolean hasNumericBounds() {
    return minimum != null || maximum != null || exclusiveMinimum != null || exclusiveMaximum != null;
  }
}
