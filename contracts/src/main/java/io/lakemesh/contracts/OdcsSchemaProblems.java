package io.lakemesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The official ODCS v3.1 JSON Schema's verdict on a document, as lint lines: each mistake once, at the pointer of
 * the key it is about, in words a contract author acts on rather than the validator's (a oneOf of comparisons, "not
 * evaluated" siblings of the real mistake, a key ODCS uses elsewhere, a forbidden key with the schema's own reason).
 */
final class OdcsSchemaProblems {
  /** The schema as a tree: the validator is built from it, and lint reads which keys an object declares. */
  private static final JsonNode ODCS_SCHEMA_TREE = loadSchemaTree();
  private static final JsonSchema ODCS_SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909)
      .getSchema(ODCS_SCHEMA_TREE.toString(), InputFormat.JSON,
          SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build());
  /**
   * The same schema asserting its formats, for dates only: JSON Schema 2019-09 reads {@code format} as a note, but a
   * {@code dateIn: 2024-13-45} is no date by any reading (ajv with its formats says so too). A {@code uri}'s format
   * stays a note: published contracts write locations with wildcards and placeholders.
   */
  private static final JsonSchema ODCS_SCHEMA_FORMATS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V201909)
      .getSchema(ODCS_SCHEMA_TREE.toString(), InputFormat.JSON, SchemaValidatorsConfig.builder()
          .pathType(PathType.JSON_POINTER).formatAssertionsEnabled(true).build());
  private static final Set<String> ASSERTED_FORMATS = Set.of("date", "date-time");
  /** Every key the ODCS schema defines somewhere: a key outside it is a typo or another version's. */
  private static final Set<String> ODCS_KEYS = allKeys(ODCS_SCHEMA_TREE);

  private OdcsSchemaProblems() {}

  /** The comparisons of a quality rule; ODCS allows exactly one per rule. */
  private static final List<String> THRESHOLD_KEYS = List.of("mustBe", "mustNotBe", "mustBeGreaterThan",
      "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween");

  /** One JSON Schema message, as the cleanup below needs it. */
  private record SchemaMessage(String path, String type, String reason, String evaluationPath, String property,
      String schemaLocation) {
    boolean isUnevaluated() {
      return type.equals("unevaluatedProperties");
    }

    /** A message about one branch of a oneOf or anyOf, which reports every branch that did not match. */
    boolean isBranch() {
      return evaluationPath.contains("/oneOf/") || evaluationPath.contains("/anyOf/");
    }
  }

  /**
   * The schema's messages, readable: a oneOf/anyOf whose branches each miss a required key becomes one line naming
   * the keys it needs, and "property X is not evaluated" goes when another message at or under the same place says
   * what is wrong (the validator reports every key of an object that failed a branch as unevaluated).
   */
  static List<Problem> of(JsonNode document) {
    List<SchemaMessage> messages = new ArrayList<>();
    for (ValidationMessage m : ODCS_SCHEMA.validate(document)) {
      String path = m.getInstanceLocation().toString();
      String text = m.getMessage();
      // the library prefixes its messages with the instance path; keep only the reason
      int colon = text.indexOf(": ");
      String reason = colon >= 0 && text.startsWith(path) ? text.substring(colon + 2) : text;
      messages.add(new SchemaMessage(path, String.valueOf(m.getType()), reason,
          String.valueOf(m.getEvaluationPath()), m.getProperty(), String.valueOf(m.getSchemaLocation())));
    }
    List<Problem> problems = new ArrayList<>();
    Map<String, Set<String>> alternatives = new TreeMap<>();
    for (SchemaMessage m : messages) {
      if (m.type().equals("required") && m.isBranch() && m.property() != null) {
        alternatives.computeIfAbsent(m.path(), k -> new LinkedHashSet<>()).add(m.property());
      }
    }
    alternatives.entrySet().removeIf(e -> e.getValue().size() < 2);
    for (SchemaMessage m : messages) {
      // a oneOf that fails because several comparisons match reports no missing keys: it is the same mistake
      if (m.type().equals("oneOf") && THRESHOLD_KEYS.stream().filter(k -> document.at(m.path()).has(k)).count() > 1) {
        alternatives.computeIfAbsent(m.path(), k -> new LinkedHashSet<>(THRESHOLD_KEYS));
      }
    }
    alternatives.forEach((path, keys) -> {
      // a oneOf also fails when several branches match: then the keys listed are the ones not given
      List<String> given = THRESHOLD_KEYS.stream().filter(k -> document.at(path).has(k)).toList();
      problems.add(new Problem(given.size() == 1 ? path + "/" + given.get(0) : path, given.size() > 1
          ? what(path) + " takes one comparison, got " + String.join(" and ", given) + " (one of "
              + String.join(", ", THRESHOLD_KEYS) + "; mustBeBetween: [low, high] for a range)"
          : given.size() == 1 && sameNumberTwice(document.at(path).path(given.get(0)))
          ? what(path) + "'s " + given.get(0) + " " + document.at(path).path(given.get(0)) + " names one number twice,"
              + " which ODCS does not allow (its two items must differ); for exactly that value write "
              + (given.get(0).startsWith("mustNot") ? "mustNotBe: " : "mustBe: ")
              + document.at(path).path(given.get(0)).get(0)
          : given.size() == 1
          ? what(path) + "'s " + given.get(0) + " is not " + (given.get(0).endsWith("Between")
              ? "a range: write [low, high], two numbers" : "a number")
          : what(path) + " needs one of " + String.join(", ", keys) + " (none given)"));
    });
    List<SchemaMessage> kept = messages.stream()
        // a range naming one number twice is said above, with what to write instead
        .filter(m -> !(m.type().equals("uniqueItems") && m.path().endsWith("Between")
            && alternatives.containsKey(m.path().substring(0, m.path().lastIndexOf('/')))))
        .filter(m -> !alternatives.containsKey(m.path())
            || !(m.type().equals("oneOf") || m.type().equals("anyOf") || (m.type().equals("required") && m.isBranch())))
        .toList();
    // an object with a key ODCS does not define gets every other key of it reported as "not evaluated" too: keep
    // the unknown ones, the mistake, and drop their siblings
    Set<String> withUnknownKey = new java.util.HashSet<>();
    for (SchemaMessage m : kept) {
      if (m.isUnevaluated() && !ODCS_KEYS.contains(unevaluatedKey(m))) {
        withUnknownKey.add(m.path());
      }
    }
    Map<String, Set<String>> misplaced = misplacedKeys(kept);
    Set<String> unknownSaid = new java.util.HashSet<>();
    for (SchemaMessage m : kept) {
      if (m.isUnevaluated()) {
        String key = unevaluatedKey(m);
        // items on a property that is no array (properties on one that is no object): ODCS reads them only under
        // that logical type, so the validator calls every key of the property "not evaluated"; one line says why
        String typeBound = typeBoundKey(m.path(), document.at(m.path()));
        if (typeBound != null) {
          if (unknownSaid.add(m.path() + "/" + typeBound)) {
            String type = document.at(m.path()).path("logicalType").asText("");
            String wanted = typeBound.equals("items") ? "array" : "object";
            problems.add(new Problem(m.path() + "/" + typeBound, "'" + typeBound + "' belongs to a property of"
                + " logicalType " + wanted + (type.isEmpty() ? ", and this one names no logicalType: write"
                    + " logicalType: " + wanted : ", and this one is " + type + ": make it logicalType " + wanted
                    + " or drop '" + typeBound + "'") + " (ODCS schema)"));
          }
          continue;
        }
        // a key ODCS has nowhere is a mistake whatever else is wrong in its object; said once
        if (!ODCS_KEYS.contains(key)) {
          boolean saidByAdditional = kept.stream().anyMatch(o -> o.type().equals("additionalProperties")
              && o.path().equals(m.path()) && key.equals(o.property()));
          if (!saidByAdditional && unknownSaid.add(m.path() + "/" + key)) {
            problems.add(new Problem(m.path() + "/" + key, "'" + key + "' is not a key of ODCS v3.1 " + (key.matches(
                "\\s*\\d+\\s*\\)\\s*") ? "(in a {...} mapping a comma ends the value: quote a physical type"
                    + " with one, physicalType: \"NUMBER(12,4)\")"
                : "(a typo, or another version's; Lakemesh's own settings go in customProperties)")));
          }
          continue;
        }
        if (misplaced.getOrDefault(m.path(), Set.of()).contains(key)) {
          if (unknownSaid.add(m.path() + "/" + key)) {
            problems.add(new Problem(m.path() + "/" + key, "'" + key + "' is not a key ODCS v3.1 allows here (ODCS"
                + " uses it in another part of a contract: check where it is indented)"));
          }
          continue;
        }
        if (withUnknownKey.contains(m.path()) || misplaced.containsKey(m.path())) {
          continue; // a sibling of the mistake said above, "not evaluated" only because of it
        }
        JsonNode rule = document.at(m.path());
        String ruleType = rule.path("type").asText("library");
        if (THRESHOLD_KEYS.contains(key) && m.path().matches(".*/quality/\\d+")
            && !List.of("library", "sql").contains(ruleType)) {
          if (unknownSaid.add(m.path() + "/" + key)) {
            problems.add(new Problem(m.path() + "/" + key, "a " + ruleType + " rule takes no comparison: " + key
                + " belongs to a library rule (with a metric) or an sql rule"));
          }
          continue;
        }
        if (THRESHOLD_KEYS.contains(key) && m.path().matches(".*/quality/\\d+") && !rule.has("metric")
            && !rule.has("type")) {
          // ODCS reads a comparison only in a library rule (one with a metric) or an sql one
          if (unknownSaid.add(m.path() + "/metric")) {
            problems.add(new Problem(m.path() + "/metric", "a quality rule with " + key + " compares a measurement:"
                + " name its metric (nullValues, missingValues, invalidValues, duplicateValues, rowCount), or make"
                + " it type: sql with a query"));
          }
          continue;
        }
      }
      // a relationship's from and to are both one column or both a list (a composite key): with one of each, each
      // branch of the schema's oneOf blames the other key's type; one line says what to write
      if (m.type().equals("type") && m.path().matches(".*/relationships/\\d+/(from|to)")) {
        String relationship = m.path().substring(0, m.path().lastIndexOf('/'));
        JsonNode from = document.at(relationship + "/from");
        JsonNode to = document.at(relationship + "/to");
        if (from.isArray() != to.isArray() && !from.isMissingNode() && !to.isMissingNode()) {
          if (unknownSaid.add(relationship + "/from+to")) {
            problems.add(new Problem(relationship, "from and to are both one column (text) or both lists of the same"
                + " length (a composite key); here only " + (from.isArray() ? "from" : "to") + " is a list"));
          }
          continue;
        }
      }
      // "valid to one and only one schema" (and the other branch's "array found, object expected") only say that
      // something inside failed: when a message names it, that is the mistake; so does a required key there
      if ((m.type().equals("oneOf") || m.type().equals("anyOf") || m.type().equals("type"))
          && kept.stream().anyMatch(o -> o.path().startsWith(m.path() + "/")
              || (o != m && o.path().equals(m.path()) && o.type().equals("required") && !o.isBranch()))) {
        continue;
      }
      // "must not be valid to the schema ... {required: [from]}": a key the object must not have; the schema's own
      // description of that rule says why
      if (m.type().equals("not") && m.schemaLocation().endsWith("/not") && m.schemaLocation().startsWith("#")) {
        JsonNode rule = ODCS_SCHEMA_TREE.at(m.schemaLocation().substring(1, m.schemaLocation().length() - 4));
        JsonNode forbidden = rule.path("not").path("required");
        if (forbidden.size() == 1) {
          String key = forbidden.get(0).asText();
          problems.add(new Problem(m.path() + "/" + key, "'" + key + "' is not allowed here" + (rule.hasNonNull(
              "description") ? ": " + rule.get("description").asText() : "") + " (ODCS schema)"));
          continue;
        }
      }
      // a key ODCS defines is "not evaluated" only because something inside its object failed: that is the mistake
      if (m.isUnevaluated() && ODCS_KEYS.contains(unevaluatedKey(m))
          && kept.stream().anyMatch(o -> o.path().startsWith(m.path() + "/"))) {
        continue;
      }
      if (m.isUnevaluated() && (alternatives.keySet().stream().anyMatch(p -> within(p, m.path()))
          || kept.stream().anyMatch(o -> !o.isUnevaluated() && within(o.path(), m.path())))) {
        continue;
      }
      String path = m.path();
      String reason = m.reason();
      if ("required".equals(m.type()) && m.property() != null) {
        // point at the missing key itself, not at its parent
        path = path + "/" + m.property();
      } else if (m.type().equals("additionalProperties") && path.endsWith("/logicalTypeOptions")
          && m.property() != null) {
        JsonNode property = document.at(path.substring(0, path.length() - "/logicalTypeOptions".length()));
        path = path + "/" + m.property();
        reason = property.has("logicalType")
            ? "'" + m.property() + "' is not an option of logicalType " + property.path("logicalType").asText()
            // ODCS's schema ties the options to a written logicalType, even where Lakemesh reads one from physicalType
            : "logicalTypeOptions need the property's logicalType written (e.g. logicalType: number for '"
                + m.property() + "')";
      } else if (m.type().equals("enum") && path.equals("/apiVersion")) {
        // typically a newer version's document: say which versions are read rather than list the enumeration
        reason = "apiVersion '" + document.path("apiVersion").asText() + "' is not one Lakemesh reads: it implements"
            + " ODCS v3.1.0 (v3.0.x and v2.2.x documents that fit the v3.1 schema are read too); a document of a"
            + " later version may use keys v3.1 does not have";
      } else if (m.type().equals("enum") && document.at(path).isValueNode()) {
        // the validator lists the allowed values but not the one given: name it first
        String given = document.at(path).asText();
        reason = "'" + (given.length() > 60 ? given.substring(0, 60) + "…" : given) + "' is not one of the values"
            + " ODCS allows here: " + reason.replaceFirst("^does not have a value in the enumeration ", "");
      } else if (m.type().equals("type") && path.equals("/version") && document.at(path).isNumber()) {
        // YAML reads an unquoted 1.0 as a number, and loses what follows (1.10 is 1.1)
        reason = "the version is read as the number " + document.at(path).asText() + ": write it quoted as a"
            + " semantic version X.Y.Z, e.g. version: \"1.0.0\"";
      } else if (m.type().equals("type") && reason.endsWith(" found, string expected")
          && (document.at(path).isNumber() || document.at(path).isBoolean())) {
        // YAML reads 2024, 1.5 or true unquoted as a number or a boolean (and 1.10 as 1.1)
        reason = reason + ": quote the value, as written, to make it text";
      } else if (m.type().equals("additionalProperties") && m.property() != null) {
        // at the key that is wrong, as the other messages point
        path = path + "/" + m.property();
        reason = "'" + m.property() + "' is not a key ODCS v3.1 allows here";
      }
      problems.add(new Problem(path, reason + " (ODCS schema)"));
    }
    problems.addAll(malformedDates(document, problems));
    return problems;
  }

  /**
   * {@code items} on a property whose logicalType is not array, or {@code properties} on one whose logicalType is not
   * object: the key ODCS reads only under another type; null when neither.
   */
  private static String typeBoundKey(String path, JsonNode property) {
    // a property or an array's items; a schema object has properties whatever its logicalType says
    if (!property.isObject() || !path.matches(".*/properties/\\d+|.*/items")) {
      return null;
    }
    String type = property.path("logicalType").asText("");
    if (property.has("items") && !type.equals("array")) {
      return "items";
    }
    return property.has("properties") && !type.equals("object") ? "properties" : null;
  }

  /** A date or date-time the schema's format names that is none, where nothing else is said about that value. */
  private static List<Problem> malformedDates(JsonNode document, List<Problem> said) {
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage m : ODCS_SCHEMA_FORMATS.validate(document)) {
      String path = m.getInstanceLocation().toString();
      String location = String.valueOf(m.getSchemaLocation());
      JsonNode format = location.startsWith("#") ? ODCS_SCHEMA_TREE.at(location.substring(1)) : null;
      if (!"format".equals(m.getType()) || format == null || !ASSERTED_FORMATS.contains(format.asText())
          || said.stream().anyMatch(p -> p.path().equals(path))) {
        continue;
      }
      problems.add(new Problem(path, "'" + document.at(path).asText() + "' is not a " + format.asText() + " ("
          + (format.asText().equals("date") ? "yyyy-MM-dd, e.g. 2026-11-27" : "RFC 3339, e.g. 2026-11-27T10:00:00Z")
          + ") (ODCS schema)"));
    }
    return problems;
  }

  /**
   * Keys ODCS defines, but for another part of a contract ({@code element} on a property, {@code driver} on a schema
   * object), by the pointer of their object. The validator reports them as "not evaluated" together with every valid
   * sibling of an object that failed a branch, so the keys the object's schema declares decide: a key none of the
   * schemas reporting it declares (in their properties, or those of the schemas they apply in place) is misplaced.
   */
  private static Map<String, Set<String>> misplacedKeys(List<SchemaMessage> messages) {
    Map<String, Map<String, Boolean>> declaredSomewhere = new TreeMap<>();
    for (SchemaMessage m : messages) {
      String key = m.isUnevaluated() ? unevaluatedKey(m) : "";
      if (key.isEmpty() || !ODCS_KEYS.contains(key) || !m.schemaLocation().endsWith("/unevaluatedProperties")) {
        continue;
      }
      String schema = m.schemaLocation().substring(0, m.schemaLocation().length() - "/unevaluatedProperties".length());
      boolean declared = KEYS_BY_SCHEMA.computeIfAbsent(schema, OdcsSchemaProblems::declaredKeys).contains(key);
      declaredSomewhere.computeIfAbsent(m.path(), k -> new TreeMap<>()).merge(key, declared, Boolean::logicalOr);
    }
    Map<String, Set<String>> misplaced = new TreeMap<>();
    declaredSomewhere.forEach((path, keys) -> keys.forEach((key, declared) -> {
      if (!declared) {
        misplaced.computeIfAbsent(path, k -> new java.util.TreeSet<>()).add(key);
      }
    }));
    return misplaced;
  }

  private static final Map<String, Set<String>> KEYS_BY_SCHEMA = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The keys the schema at {@code location} ({@code #/$defs/SchemaObject}) declares for its object: its
   * {@code properties} and those of every schema it applies to the same object ($ref, allOf, anyOf, oneOf,
   * if/then/else), not those of nested objects.
   */
  private static Set<String> declaredKeys(String location) {
    Set<String> keys = new java.util.HashSet<>();
    JsonNode schema = location.startsWith("#") ? ODCS_SCHEMA_TREE.at(location.substring(1)) : null;
    if (schema == null || schema.isMissingNode()) {
      return Set.copyOf(ODCS_KEYS); // a location this reading cannot follow: call nothing misplaced
    }
    declaredKeys(schema, keys, java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));
    return Set.copyOf(keys);
  }

  private static void declaredKeys(JsonNode schema, Set<String> keys, Set<JsonNode> seen) {
    if (!schema.isObject() || !seen.add(schema)) {
      return;
    }
    schema.path("properties").fieldNames().forEachRemaining(keys::add);
    String ref = schema.path("$ref").asText("");
    if (ref.startsWith("#")) {
      declaredKeys(ODCS_SCHEMA_TREE.at(ref.substring(1)), keys, seen);
    }
    for (String inPlace : List.of("allOf", "anyOf", "oneOf")) {
      schema.path(inPlace).forEach(branch -> declaredKeys(branch, keys, seen));
    }
    for (String inPlace : List.of("if", "then", "else")) {
      declaredKeys(schema.path(inPlace), keys, seen);
    }
  }


  /** True when {@code path} is {@code ancestor} or lies under it. */
  private static boolean within(String path, String ancestor) {
    return path.equals(ancestor) || path.startsWith(ancestor.endsWith("/") ? ancestor : ancestor + "/");
  }

  /** {@code [n, n]}: two equal numbers, which the schema's uniqueItems refuses in a range. */
  private static boolean sameNumberTwice(JsonNode range) {
    return range.isArray() && range.size() == 2 && range.get(0).isNumber() && range.get(1).isNumber()
        && range.get(0).decimalValue().compareTo(range.get(1).decimalValue()) == 0;
  }

  /** What sits at a pointer, for a message: "a quality rule", or "this object". */
  private static String what(String path) {
    if (path.matches(".*/quality/\\d+")) {
      return "a quality rule";
    }
    return "this object";
  }

  /** The key an "is not evaluated" message is about. */
  private static String unevaluatedKey(SchemaMessage m) {
    if (m.property() != null && !m.property().isEmpty()) {
      return m.property();
    }
    java.util.regex.Matcher quoted = java.util.regex.Pattern.compile("property '([^']*)'").matcher(m.reason());
    return quoted.find() ? quoted.group(1) : "";
  }


  private static Set<String> allKeys(JsonNode schema) {
    Set<String> keys = new java.util.HashSet<>();
    collectKeys(schema, keys);
    return Set.copyOf(keys);
  }

  private static void collectKeys(JsonNode node, Set<String> keys) {
    if (node.isObject()) {
      node.path("properties").fieldNames().forEachRemaining(keys::add);
      node.forEach(child -> collectKeys(child, keys));
    } else if (node.isArray()) {
      node.forEach(child -> collectKeys(child, keys));
    }
  }

  private static JsonNode loadSchemaTree() {
    try (InputStream in = OdcsSchemaProblems.class.getResourceAsStream("odcs-json-schema-v3.1.0.json")) {
      if (in == null) {
        throw new IllegalStateException("ODCS JSON Schema resource missing from the contracts jar");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
