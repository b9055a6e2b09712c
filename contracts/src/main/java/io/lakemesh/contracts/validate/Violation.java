package io.lakemesh.contracts.validate;

/**
 * Why a value breaks its contract, in machine-readable form.
 *
 * @param code what kind of check failed: {@code required}, {@code type}, {@code pattern}, {@code minimum},
 *     {@code maximum}, {@code scale}, {@code min_items}, {@code invalid_value}, {@code rule}, …
 * @param field the path of the offending value, e.g. {@code items[2].qty}; empty for row-level rules
 * @param rule the contract rule that failed (a quality rule's name, or the property option's name)
 * @param message a sentence for people
 */
public record Violation(String code, String field, String rule, String message) {

  /**
   * The {@code rule} of the checks the contract's schema implies (a property option, the type, the event itself),
   * which counters name with their field ({@code pattern:code}): a quality rule may not take one of these names, or
   * its counts would merge with the check's.
   */
  public static final java.util.Set<String> BUILT_IN_RULES = java.util.Set.of("required", "logicalType",
      "physicalType", "physicalName", "format", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
      "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties",
      "primaryKey", "event", "json");
}
