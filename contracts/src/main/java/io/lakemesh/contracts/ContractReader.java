package io.lakemesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LakemeshSettings;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.model.Threshold;
import io.lakemesh.contracts.model.TypeOptions;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an ODCS document tree into the contract model, noting what cannot be read. */
final class ContractReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonNode document;
  private final List<Problem> problems = new ArrayList<>();
  /** The pointers of properties whose unknown logical type was read as the type it most likely means. */
  private final java.util.Set<String> typeGuessed = new java.util.HashSet<>();

  ContractReader(JsonNode document) {
    this.document = document;
  }

  List<Problem> problems() {
    return problems;
  }

  /** Properties whose unknown logical type was checked as the type it most likely means (by pointer). */
  java.util.Set<String> typeGuessed() {
    return typeGuessed;
  }

  /**
   * One contract per schema object: ODCS lets a contract describe several tables, and each is a data product of its
   * own (its own topic, tables and endpoints) that shares the document's team, roles, SLAs and settings. An object's
   * own {@code customProperties} override the document's Lakemesh settings (a gold object beside its source).
   * A document without schema objects describes no product: the list is empty.
   */
  List<Contract> readAll() {
    JsonNode schemas = document.path("schema");
    if (!schemas.isArray() || schemas.isEmpty()) {
      return List.of();
    }
    List<Contract.RoleGrant> roles = new ArrayList<>();
    for (JsonNode role : document.path("roles")) {
      List<Contract.CustomProperty> roleCustom = new ArrayList<>();
      for (JsonNode p : role.path("customProperties")) {
        roleCustom.add(new Contract.CustomProperty(p.path("property").asText(),
            JSON.convertValue(p.path("value"), Object.class)));
      }
      roles.add(new Contract.RoleGrant(role.path("role").asText(), text(role, "access"), text(role, "description"),
          roleCustom));
    }
    List<Contract.SlaProperty> sla = new ArrayList<>();
    for (JsonNode p : document.path("slaProperties")) {
      sla.add(new Contract.SlaProperty(p.path("property").asText(), p.path("value").asText(null), text(p, "unit"),
          text(p, "element")));
    }
    String owner = owner(document.path("team"));
    ProductIds ids = ProductIds.of(document);
    List<Contract> contracts = new ArrayList<>();
    for (int i = 0; i < schemas.size(); i++) {
      String pointer = "/schema/" + i;
      JsonNode object = schemas.get(i);
      Map<String, Object> custom = customProperties(document.path("customProperties"));
      custom.putAll(customProperties(object.path("customProperties")));
      LakemeshSettings settings = settings(custom, pointer);
      // in a contract of several tables each product is named and described by its own object where it can be
      boolean several = schemas.size() > 1;
      String objectDescription = description(object.path("description"));
      contracts.add(new Contract(
          ids.productId(i),
          several ? object.path("name").asText() : text(document, "name"),
          document.path("version").asText(),
          document.path("status").asText(),
          ids.domain(),
          text(document, "dataProduct"),
          several && objectDescription != null ? objectDescription : description(document.path("description")),
          owner,
          table(object, i),
          roles,
          sla,
          settings,
          document));
    }
    return contracts;
  }

  /**
   * The owning team: a team object's name; in the list form (ODCS v3.0 members) the current member whose role is
   * owner (none when every owner has left), else, when no member has that role, the first current member (a member
   * with a dateOut has left).
   */
  private static String owner(JsonNode team) {
    if (team.isObject()) {
      return text(team, "name");
    }
    JsonNode chosen = null;
    boolean ownerRole = false;
    for (JsonNode member : team) {
      boolean current = !member.hasNonNull("dateOut");
      boolean owner = "owner".equalsIgnoreCase(member.path("role").asText());
      ownerRole |= owner;
      if (current && owner) {
        return text(member, "username");
      }
      if (chosen == null && current) {
        chosen = member;
      }
    }
    if (ownerRole) {
      return null; // every owner has left: nobody else is the owner
    }
    if (chosen == null && team.isArray() && !team.isEmpty()) {
      chosen = team.get(0);
    }
    return chosen == null ? null : text(chosen, "username");
  }

  /** The Lakemesh settings of the object at {@code object}, its own custom properties over the document's. */
  private LakemeshSettings settings(Map<String, Object> custom, String object) {
    Object stageText = custom.remove("lakemeshStage");
    Stage stage = Stage.SOURCE;
    if (stageText != null) {
      stage = Stage.of(stageText.toString()).orElse(null);
      if (stage == null) {
        problems.add(new Problem(Contract.settingPointer(document, object, "lakemeshStage"), "unknown lakemeshStage '"
            + stageText + "': valid stages are " + Stage.VALID));
        stage = Stage.SOURCE;
      }
    }
    Object upstream = custom.remove("lakemeshUpstream");
    Object transform = custom.remove("lakemeshTransform");
    Object partitions = custom.remove("lakemeshPartitions");
    for (String key : custom.keySet()) {
      // another custom property is the owner's business, but one that looks like ours is most likely a typo
      if (key.toLowerCase(java.util.Locale.ROOT).startsWith("lakemesh")) {
        String at = Contract.settingPointer(document, object, key);
        problems.add(new Problem(at.endsWith("/value") ? at.substring(0, at.length() - "value".length()) + "property"
            : at, "unknown Lakemesh setting '" + key
            + "' (the settings are lakemeshStage, lakemeshUpstream, lakemeshTransform and lakemeshPartitions)"));
      }
    }
    int partitionCount = 3;
    if (partitions != null) {
      try {
        partitionCount = Integer.parseInt(partitions.toString());
      } catch (NumberFormatException e) {
        problems.add(new Problem(Contract.settingPointer(document, object, "lakemeshPartitions"),
            "lakemeshPartitions must be a whole number"));
      }
    }
    return new LakemeshSettings(stage, upstream == null ? null : upstream.toString(),
        transform == null ? null : transform.toString(), partitionCount, custom);
  }

  /** The names of the rules of the schema object being read, in lower case (as the quarantine API matches them). */
  private final java.util.Set<String> ruleNames = new java.util.HashSet<>();

  /**
   * A name for a rule the contract leaves unnamed (ODCS's {@code name} is optional): its kind, on a property followed
   * by the property ({@code sql-0:order_total}, as {@code nullValues:order_total}), and a number when an earlier rule
   * of the object has that name already (two unnamed {@code rowCount} rules: {@code rowCount}, {@code rowCount-2}).
   */
  private String unnamed(String kind, String field) {
    String base = field == null ? kind : kind + ":" + field;
    String name = base;
    for (int n = 2; ruleNames.contains(name.toLowerCase(java.util.Locale.ROOT)); n++) {
      name = base + "-" + n;
    }
    return name;
  }

  private Contract.TableSchema table(JsonNode node, int index) {
    ruleNames.clear();
    String path = "/schema/" + index;
    List<Field> fields = fields(node.path("properties"), path + "/properties", "");
    List<QualityRule> quality = rules(node.path("quality"), path + "/quality", null);
    return new Contract.TableSchema(node.path("name").asText(), description(node.path("description")), fields,
        quality, index);
  }

  private List<Field> fields(JsonNode properties, String path, String prefix) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < properties.size(); i++) {
      fields.add(field(properties.get(i), path + "/" + i, prefix));
    }
    return fields;
  }

  private Field field(JsonNode node, String path, String prefix) {
    String name = node.path("name").asText(null);
    if (name == null || name.isBlank()) {
      problems.add(new Problem(path + "/name", "a property needs a name"));
      name = "";
    }
    // an array's items are named by the array's path (legs[]), whatever their own name, and their properties by
    // it (legs[].memo), as reasons and counters name them
    String dotted = prefix.isEmpty() ? name : path.endsWith("/items") ? prefix : prefix + "." + name;
    LogicalType type = LogicalType.of(node.path("logicalType").asText(null)).orElse(null);
    if (type == null) {
      if (node.has("logicalType")) {
        // checked further as the type it most likely means, so one lint lists the property's other problems too
        // (and a rule or filter over it is not refused for a type nobody meant)
        String written = node.path("logicalType").asText("");
        type = LogicalType.closest(written).or(() -> fromPhysical(written))
            .or(() -> TEXT_TYPE.matcher(written.trim().toLowerCase(java.util.Locale.ROOT)).matches()
                ? java.util.Optional.of(LogicalType.STRING) : java.util.Optional.empty())
            .orElse(null);
        problems.add(new Problem(path + "/logicalType", "unknown logical type '" + node.path("logicalType").asText()
            + "' (ODCS logical types: " + LogicalType.known() + ")" + (type == null ? ""
                : "; checked as " + type.odcsName() + ", which it most likely means")));
        if (type != null) {
          typeGuessed.add(path);
        }
      } else if (node.has("properties")) {
        type = LogicalType.OBJECT;
      } else if (node.has("items")) {
        type = LogicalType.ARRAY;
      } else {
        // ODCS makes logicalType optional: the physical type says what the values are, else they are text
        type = fromPhysical(text(node, "physicalType")).orElse(LogicalType.STRING);
      }
      if (type == null) {
        type = LogicalType.STRING;
      }
    } else if (type == LogicalType.DATE) {
      // ODCS v3.0 had no timestamp or time types and wrote them as dates with a physical type (or a format with a
      // time of day): a date column would drop the time
      LogicalType physical = fromPhysical(text(node, "physicalType")).orElse(null);
      String format = node.path("logicalTypeOptions").path("format").asText("");
      if (physical == LogicalType.TIMESTAMP || physical == LogicalType.TIME) {
        type = physical;
      } else if (format.equalsIgnoreCase("date-time") || format.equalsIgnoreCase("datetime")) {
        type = LogicalType.TIMESTAMP; // JSON Schema's name for a timestamp
      } else if (isPattern(format)) {
        String letters = format.replaceAll("'[^']*'", "");
        if (letters.matches(".*[HhkKmsS].*")) {
          // a time of day with a day is a timestamp; without one (HH:mm) a time
          type = letters.matches(".*[yuMLdDEQwWG].*") ? LogicalType.TIMESTAMP : LogicalType.TIME;
        }
      }
    }
    Field items = null;
    if (type == LogicalType.ARRAY) {
      JsonNode itemsNode = node.path("items");
      // without items the array's values have no declared type: each is kept as its JSON text
      if (!itemsNode.isMissingNode()) {
        items = field(withName(itemsNode, "element"), path + "/items", dotted + "[]");
      }
    }
    List<Field> children = type == LogicalType.OBJECT
        ? fields(node.path("properties"), path + "/properties", dotted)
        : List.of();
    String transform = null;
    for (Map.Entry<String, Object> e : customProperties(node.path("customProperties")).entrySet()) {
      if (e.getKey().equals("partitionTransform") || e.getKey().equals("lakemeshPartitionTransform")) {
        transform = String.valueOf(e.getValue());
      }
    }
    return new Field(
        name,
        type,
        text(node, "physicalType"),
        node.path("required").asBoolean(false),
        node.path("unique").asBoolean(false),
        node.path("primaryKey").asBoolean(false) ? Math.max(1, node.path("primaryKeyPosition").asInt(1)) : -1,
        node.path("partitioned").asBoolean(false) ? Math.max(1, node.path("partitionKeyPosition").asInt(1)) : -1,
        transform,
        text(node, "classification"),
        description(node.path("description")),
        options(node.path("logicalTypeOptions")),
        children,
        items,
        rules(node.path("quality"), path + "/quality", dotted),
        text(node, "transformLogic"),
        text(node, "physicalName"));
  }

  /** Whether a format is a date-time pattern ({@code dd/MM/yyyy HH:mm}) rather than a name ({@code date}, {@code iso}). */
  private static boolean isPattern(String format) {
    try {
      java.time.format.DateTimeFormatter.ofPattern(format);
      return true;
    } catch (IllegalArgumentException notAPattern) {
      return false; // a name such as "date" or "iso": the date stays a date
    }
  }

  /** SQL names of text, for a logical type written as one ({@code logicalType: varchar}). */
  private static final java.util.regex.Pattern TEXT_TYPE =
      java.util.regex.Pattern.compile("(n?var)?char(acter)?( varying)?(\\s*[(\\[].*)?|text|uuid|str");

  /** The logical type a physical type names ({@code varchar(36)}: none, read as text), by its usual SQL names. */
  static java.util.Optional<LogicalType> fromPhysical(String physicalType) {
    if (physicalType == null) {
      return java.util.Optional.empty();
    }
    String p = physicalType.trim().toLowerCase(java.util.Locale.ROOT).replaceAll("\\s*[(\\[].*$", "");
    if (p.startsWith("timestamp") || p.equals("datetime") || p.equals("datetime2") || p.equals("datetimeoffset")
        || p.equals("smalldatetime")) {
      return java.util.Optional.of(LogicalType.TIMESTAMP);
    }
    if (p.equals("time") || p.startsWith("time ") || p.equals("timetz")) {
      return java.util.Optional.of(LogicalType.TIME);
    }
    if (p.equals("date")) {
      return java.util.Optional.of(LogicalType.DATE);
    }
    if (p.matches("(tiny|small|medium|big)?int(eger)?[0-9]*|long|(small|big)?serial[0-9]*")) {
      return java.util.Optional.of(LogicalType.INTEGER);
    }
    if (p.matches("decimal|numeric|number|float[0-9]*|double( precision)?|real|money")) {
      return java.util.Optional.of(LogicalType.NUMBER);
    }
    if (p.equals("bool") || p.equals("boolean") || p.equals("bit")) {
      return java.util.Optional.of(LogicalType.BOOLEAN);
    }
    return java.util.Optional.empty();
  }

  private static JsonNode withName(JsonNode items, String name) {
    if (items.has("name") || !items.isObject()) {
      return items;
    }
    var copy = items.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).put("name", name);
    return copy;
  }

  private static TypeOptions options(JsonNode o) {
    if (!o.isObject()) {
      return TypeOptions.NONE;
    }
    return new TypeOptions(
        text(o, "format"),
        text(o, "pattern"),
        integer(o, "minLength"),
        integer(o, "maxLength"),
        text(o, "minimum"),
        text(o, "maximum"),
        text(o, "exclusiveMinimum"),
        text(o, "exclusiveMaximum"),
        o.has("multipleOf") ? o.get("multipleOf").decimalValue() : null,
        integer(o, "minItems"),
        integer(o, "maxItems"),
        o.path("uniqueItems").asBoolean(false),
        integer(o, "minProperties"),
        integer(o, "maxProperties"),
        text(o, "defaultTimezone"),
        o.path("required").isArray() ? texts(o.path("required")) : List.of());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private List<QualityRule> rules(JsonNode quality, String path, String field) {
    List<QualityRule> rules = new ArrayList<>();
    for (int i = 0; i < quality.size(); i++) {
      JsonNode q = quality.get(i);
      String rulePath = path + "/" + i;
      String type = q.path("type").asText(q.has("metric") || q.has("rule") ? "library" : "text");
      String severityText = text(q, "severity");
      if (severityText != null && !Severity.isKnown(severityText)) {
        problems.add(new Problem(rulePath + "/severity", "unknown severity '" + severityText + "' (" + Severity.VALID
            + ")"));
      }
      Severity severity = Severity.of(severityText);
      String name = q.path("name").asText(q.path("id").asText(null));
      switch (type) {
        case "library" -> {
          String metric = q.path("metric").asText(q.path("rule").asText());
          List<String> valid = new ArrayList<>();
          q.path("arguments").path("validValues").forEach(v -> {
            if (!v.isNull()) {
              valid.add(v.asText()); // null is not a value to compare text with; absent values are judged apart
            }
          });
          // null is always missing; the other listed values are compared as text
          List<String> missing = new ArrayList<>();
          q.path("arguments").path("missingValues").forEach(v -> {
            if (!v.isNull()) {
              missing.add(v.asText());
            }
          });
          String unit = q.path("unit").asText("rows");
          if (!unit.equals("rows") && !unit.equals("percent")) {
            // ODCS lets a unit be any word, but a library rule's threshold means rows or a percentage: another word
            // would silently be read as rows
            problems.add(new Problem(rulePath + "/unit", "unit '" + unit + "' is not one a library rule counts in:"
                + " rows (the default) or percent"));
          }
          rules.add(new QualityRule.Library(name == null ? unnamed(metric, field) : name,
              severity, field, metric, valid, text(q.path("arguments"), "pattern"), threshold(q, rulePath),
              "percent".equals(q.path("unit").asText()), missing, texts(q.path("arguments").path("properties"))));
        }
        case "custom" -> {
          String engine = q.path("engine").asText();
          JsonNode impl = q.path("implementation");
          if (!"cel".equalsIgnoreCase(engine)) {
            // other engines (soda, great-expectations, ...) are documentation to us: kept, never evaluated
            rules.add(new QualityRule.Text(name == null ? unnamed("custom-" + i, field) : name, severity, field,
                description(q.path("description"))));
          } else if (!impl.isTextual()) {
            problems.add(new Problem(rulePath + "/implementation", "a CEL rule's implementation is its expression"
                + " as a string"));
          } else {
            rules.add(new QualityRule.Cel(name == null ? unnamed("rule-" + i, field) : name, severity, field, impl.asText(),
                description(q.path("description"))));
          }
        }
        case "sql" -> rules.add(new QualityRule.Sql(name == null ? unnamed("sql-" + i, field) : name, severity, field,
            q.path("query").asText(), threshold(q, rulePath)));
        default -> rules.add(new QualityRule.Text(name == null ? unnamed("text-" + i, field) : name, severity, field,
            description(q.path("description"))));
      }
      if (rules.size() > 0 && rules.get(rules.size() - 1).name() != null) {
        ruleNames.add(rules.get(rules.size() - 1).name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    return rules;
  }

  private Threshold threshold(JsonNode q, String path) {
    record Op(String key, Threshold.Operator op) {}
    List<Op> ops = List.of(
        new Op("mustBe", Threshold.Operator.MUST_BE),
        new Op("mustNotBe", Threshold.Operator.MUST_NOT_BE),
        new Op("mustBeGreaterThan", Threshold.Operator.GREATER_THAN),
        new Op("mustBeGreaterOrEqualTo", Threshold.Operator.GREATER_OR_EQUAL),
        new Op("mustBeLessThan", Threshold.Operator.LESS_THAN),
        new Op("mustBeLessOrEqualTo", Threshold.Operator.LESS_OR_EQUAL),
        new Op("mustBeBetween", Threshold.Operator.BETWEEN),
        new Op("mustNotBeBetween", Threshold.Operator.NOT_BETWEEN));
    for (Op op : ops) {
      JsonNode v = q.get(op.key());
      if (v == null) {
        continue;
      }
      if (op.op() == Threshold.Operator.BETWEEN || op.op() == Threshold.Operator.NOT_BETWEEN) {
        if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
          problems.add(new Problem(path + "/" + op.key(), "needs two numbers [low, high]"));
          return Threshold.ZERO;
        }
        return new Threshold(op.op(), v.get(0).decimalValue(), v.get(1).decimalValue());
      }
      if (!v.isNumber()) {
        problems.add(new Problem(path + "/" + op.key(), "needs a number"));
        return Threshold.ZERO;
      }
      return new Threshold(op.op(), v.decimalValue(), null);
    }
    return Threshold.ZERO;
  }

  /**
   * The pointer of a custom property's value, e.g. {@code /customProperties/2/value}: under {@code owner} (a JSON
   * pointer, "" for the document), or the owner's {@code customProperties} when it does not declare the property.
   */
  static String customValuePointer(JsonNode document, String owner, String property) {
    return Contract.customValuePointer(document, owner, property).orElse(owner + "/customProperties");
  }

  static Map<String, Object> customProperties(JsonNode node) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (JsonNode p : node) {
      map.put(p.path("property").asText(), JSON.convertValue(p.path("value"), Object.class));
    }
    return map;
  }

  private static String description(JsonNode node) {
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isObject()) {
      return node.path("purpose").asText(node.path("usage").asText(null));
    }
    return null;
  }

  private static String text(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Integer integer(JsonNode node, String key) {
    JsonNode v = node.get(key);
    return v == null || !v.canConvertToInt() ? null : v.asInt();
  }

  static BigDecimal decimal(String text) {
    return text == null ? null : new BigDecimal(text);
  }
}
