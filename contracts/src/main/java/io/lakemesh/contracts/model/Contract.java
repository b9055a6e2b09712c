package io.lakemesh.contracts.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A parsed, validated ODCS v3.1 data contract, as one data product sees it: the single source of truth of that
 * product.
 *
 * <p>Lakemesh settings live in the contract's {@code customProperties} (see {@link LakemeshSettings}); the document
 * itself is kept as {@link #document()} so nothing of the contract is lost when it is served back as JSON.
 *
 * <p>One ODCS document may describe several schema objects; each is a product of its own with its own
 * {@code Contract}, sharing the document's other sections (see {@code ContractParser#parseAll}).
 *
 * @param id the product id, e.g. {@code retail.transactions}
 * @param domain the owning domain as Lakemesh names it (lower case; {@code default} when the contract names none)
 * @param table the schema object (ODCS {@code schema[i]}) that the product's tables are built from
 */
public record Contract(
    String id,
    String name,
    String version,
    String status,
    String domain,
    String dataProduct,
    String description,
    String owner,
    TableSchema table,
    List<RoleGrant> roles,
    List<SlaProperty> slaProperties,
    LakemeshSettings settings,
    JsonNode document) {

  public Contract {
    roles = roles == null ? List.of() : List.copyOf(roles);
    slaProperties = slaProperties == null ? List.of() : List.copyOf(slaProperties);
  }

  public Stage stage() {
    return settings.stage();
  }

  /** Primary-key fields in key order. */
  public List<Field> primaryKey() {
    return table.fields().stream()
        .filter(Field::isPrimaryKey)
        .sorted(Comparator.comparingInt(Field::primaryKeyPosition))
        .toList();
  }

  /** Partition fields in partition order. */
  public List<Field> partitionFields() {
    return table.fields().stream()
        .filter(Field::isPartitioned)
        .sorted(Comparator.comparingInt(Field::partitionKeyPosition))
        .toList();
  }

  /** Servers, support, price, team, definitions, relationships and tags, as the contract declares them. */
  public ContractMetadata metadata() {
    return ContractMetadata.of(document);
  }

  /**
   * Every quality rule of the contract with its JSON pointer, in document order: the object's rules, then each
   * property's (nested properties and array items included), the order in which the reader built them.
   */
  public List<LocatedRule> locatedRules() {
    List<LocatedRule> rules = new java.util.ArrayList<>();
    for (int i = 0; i < table.quality().size(); i++) {
      rules.add(new LocatedRule(table.pointer() + "/quality/" + i, table.quality().get(i)));
    }
    addRules(table.fields(), table.pointer() + "/properties", rules);
    return rules;
  }

  private static void addRules(List<Field> fields, String path, List<LocatedRule> rules) {
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      String p = path + "/" + i;
      for (int r = 0; r < f.quality().size(); r++) {
        rules.add(new LocatedRule(p + "/quality/" + r, f.quality().get(r)));
      }
      addRules(f.properties(), p + "/properties", rules);
      if (f.items() != null) {
        for (int r = 0; r < f.items().quality().size(); r++) {
          rules.add(new LocatedRule(p + "/items/quality/" + r, f.items().quality().get(r)));
        }
        addRules(f.items().properties(), p + "/items/properties", rules);
      }
    }
  }

  /**
   * The JSON pointer of a Lakemesh setting's value ({@code lakemeshStage}, ...): in the schema object's own
   * {@code customProperties} when it declares the setting, else in the document's (or the document's
   * {@code customProperties} list when neither declares it).
   */
  public String settingPointer(String property) {
    return settingPointer(document, table.pointer(), property);
  }

  /** {@link #settingPointer(String)} of the schema object at {@code object} (e.g. {@code /schema/1}). */
  public static String settingPointer(JsonNode document, String object, String property) {
    return customValuePointer(document, object, property)
        .or(() -> customValuePointer(document, "", property))
        .orElse("/customProperties");
  }

  /**
   * The pointer of a custom property's value under {@code owner} (a JSON pointer, "" for the document), e.g.
   * {@code /customProperties/2/value}; empty when the owner does not declare the property.
   */
  public static Optional<String> customValuePointer(JsonNode document, String owner, String property) {
    JsonNode list = document == null ? null : document.at(owner + "/customProperties");
    for (int i = 0; list != null && i < list.size(); i++) {
      if (property.equals(list.get(i).path("property").asText())) {
        return Optional.of(owner + "/customProperties/" + i + "/value");
      }
    }
    return Optional.empty();
  }

  public Optional<Field> field(String fieldName) {
    return table.fields().stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }

  /**
   * The product's schema object: its name, fields and object-level rules.
   *
   * @param index the object's position in the document's {@code schema} list
   */
  public record TableSchema(String name, String description, List<Field> fields, List<QualityRule> quality,
      int index) {
    public TableSchema {
      fields = List.copyOf(fields);
      quality = quality == null ? List.of() : List.copyOf(quality);
    }

    public TableSchema(String name, String description, List<Field> fields, List<QualityRule> quality) {
      this(name, description, fields, quality, 0);
    }

    /** The JSON pointer of the object in the document, e.g. {@code /schema/0}. */
    public String pointer() {
      return "/schema/" + index;
    }
  }

  /**
   * An ODCS role with the access it grants.
   *
   * @param access ODCS {@code access} as written ({@code read}, {@code write}, {@code read-write}); may be null
   * @param customProperties the role's {@code customProperties} in document order (Lakemesh's access-policy keys
   *     live here, see {@code io.lakemesh.contracts.policy.AccessPolicy})
   */
  public record RoleGrant(String role, String access, String description, List<CustomProperty> customProperties) {
    public RoleGrant {
      customProperties = customProperties == null ? List.of() : List.copyOf(customProperties);
    }

    public RoleGrant(String role, String access, String description) {
      this(role, access, description, List.of());
    }

    /** The value of a custom property (the first one of that name), if the role declares it. */
    public Optional<Object> customProperty(String property) {
      return customProperties.stream().filter(p -> p.property().equals(property)).findFirst()
          .map(CustomProperty::value);
    }
  }

  /**
   * One ODCS custom property: a key and a value of any JSON shape (string, number, boolean, list as
   * {@link List}, object as {@link java.util.Map}); the value may be null.
   */
  public record CustomProperty(String property, Object value) {}

  /** An ODCS SLA property, e.g. freshness or latency. */
  public record SlaProperty(String property, String value, String unit, String element) {}
}
