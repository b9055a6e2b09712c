package io.lakemesh.contracts.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A parsed, validated ODCS v3.1 data contract: the single source of truth of one data product.
 *
 * <p>Lakemesh settings live in the contract's {@code customProperties} (see {@link LakemeshSettings}); the document
 * itself is kept as {@link #document()} so nothing of the contract is lost when it is served back as JSON.
 *
 * @param id the product id, e.g. {@code retail.transactions}
 * @param table the schema object (ODCS {@code schema[0]}) that the product's tables are built from
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
      rules.add(new LocatedRule("/schema/0/quality/" + i, table.quality().get(i)));
    }
    addRules(table.fields(), "/schema/0/properties", rules);
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

  public Optional<Field> field(String fieldName) {
    return table.fields().stream().filter(f -> f.name().equals(fieldName)).findFirst();
  }

  /** The schema object of the contract: its name, fields and object-level rules. */
  public record TableSchema(String name, String description, List<Field> fields, List<QualityRule> quality) {
    public TableSchema {
      fields = List.copyOf(fields);
      quality = quality == null ? List.of() : List.copyOf(quality);
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
