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
 * @param physicalName ODCS {@code physicalName}: the property's name in its physical store; events name members by
 *     {@link #name()}, so a member of this name is not read (the validator warns); null when not declared
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
    String transformLogic,
    String physicalName) {

  public Field {
    properties = properties == null ? List.of() : List.copyOf(properties);
    quality = quality == null ? List.of() : List.copyOf(quality);
    options = options == null ? TypeOptions.NONE : options;
  }

  public Field(String name, LogicalType type, String physicalType, boolean required, boolean unique,
      int primaryKeyPosition, int partitionKeyPosition, String partitionTransform, String classification,
      String description, TypeOptions options, List<Field> properties, Field items, List<QualityRule> quality) {
    this(name, type, physicalType, required, unique, primaryKeyPosition, partitionKeyPosition, partitionTransform,
        classification, description, options, properties, items, quality, null, null);
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

  /**
   * The longest text this field accepts: {@code maxLength} when written, else the length of a character physical
   * type ({@code varchar(20)}, {@code char(2)}, {@code nvarchar(50)}, {@code varchar2(30 char)}, {@code
   * character varying(20)}, {@code string(20)}), which a column migrated from a database carries; null for no limit.
   */
  public Integer maxLength() {
    if (options.maxLength() != null || type != LogicalType.STRING) {
      return options.maxLength();
    }
    return physicalLength().orElse(null);
  }

  /** The length a character physical type declares ({@code varchar(20)}: 20); empty for others and for max. */
  public Optional<Integer> physicalLength() {
    if (physicalType == null) {
      return Optional.empty();
    }
    java.util.regex.Matcher m = CHARACTER_PHYSICAL.matcher(physicalType.strip());
    if (!m.matches() || !bracketsPair(physicalType)) {
      return Optional.empty();
    }
    int n = Integer.parseInt(m.group(1)); // at most 9 digits: always an int
    return n > 0 ? Optional.of(n) : Optional.empty();
  }

  /** Whether a physical type's parameters open and close with one kind of bracket: {@code (12,2)} or {@code [12,2]}. */
  public static boolean bracketsPair(String physicalType) {
    String t = physicalType.strip();
    int paren = t.indexOf('(');
    int square = t.indexOf('[');
    char open = paren >= 0 && (square < 0 || paren < square) ? '(' : square >= 0 ? '[' : 0;
    char close = t.isEmpty() ? 0 : t.charAt(t.length() - 1);
    return open == '(' ? close == ')' : open != '[' || close == ']';
  }

  /**
   * char, nchar, varchar, nvarchar, varchar2, nvarchar2, character [varying], string, with (n [char|byte]); a length
   * in square brackets ({@code varchar[15]}, as some published ODCS examples write it) counts too.
   */
  private static final java.util.regex.Pattern CHARACTER_PHYSICAL = java.util.regex.Pattern.compile(
      "(?i)(?:national\\s+)?(?:n?(?:var)?char2?|character(?:\\s+varying)?|string)\\s*[(\\[]\\s*(\\d{1,9})"
          + "(?:\\s+(?:char|byte))?\\s*[)\\]]");

  /**
   * Every property path of {@code fields}, at any depth, as classifications and reasons name them: {@code a},
   * {@code a.b}, {@code a[]}, {@code a[].b}.
   */
  public static java.util.Set<String> paths(List<Field> fields) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    addPaths(fields, "", out);
    return out;
  }

  private static void addPaths(List<Field> fields, String prefix, java.util.Set<String> out) {
    for (Field f : fields) {
      String path = prefix.isEmpty() ? f.name() : prefix + "." + f.name();
      out.add(path);
      addPaths(f.properties(), path, out);
      if (f.items() != null) {
        out.add(path + "[]");
        addPaths(f.items().properties(), path + "[]", out);
      }
    }
  }

  public Optional<Field> property(String childName) {
    return properties.stream().filter(p -> p.name().equals(childName)).findFirst();
  }
}
