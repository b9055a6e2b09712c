package io.lakemesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Set;

/**
 * YAML 1.1's other booleans, where ODCS wants a boolean. Contracts are read as YAML 1.2 reads them (and as js-yaml,
 * Go and ruamel do): only {@code true} and {@code false} are booleans, so a property named {@code no}, {@code on} or
 * {@code off} is a name, and {@code validValues: [yes, no]} are two words. A contract written for a YAML 1.1 reader
 * (PyYAML, which datacontract-cli uses) may still say {@code required: yes}: at the keys the ODCS schema types as
 * boolean, those words keep the meaning they had there.
 */
final class YamlBooleanWords {
  /** The keys the ODCS v3.1 schema types as boolean (a custom property's {@code value} may be anything: left as is). */
  private static final Set<String> BOOLEAN_KEYS = Set.of("required", "primaryKey", "partitioned", "unique",
      "criticalDataElement", "uniqueItems", "timezone");
  /** YAML 1.1's words for true and false, in the three spellings it reads (lower, capitalized, upper case). */
  private static final Map<String, Boolean> WORDS = Map.ofEntries(
      Map.entry("yes", true), Map.entry("Yes", true), Map.entry("YES", true),
      Map.entry("on", true), Map.entry("On", true), Map.entry("ON", true),
      Map.entry("no", false), Map.entry("No", false), Map.entry("NO", false),
      Map.entry("off", false), Map.entry("Off", false), Map.entry("OFF", false));

  private YamlBooleanWords() {}

  /** The document with a YAML 1.1 boolean word at a boolean key turned into that boolean (in place). */
  static JsonNode resolve(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (String key : object.properties().stream().map(Map.Entry::getKey).toList()) {
        JsonNode value = object.get(key);
        Boolean word = value.isTextual() ? WORDS.get(value.textValue()) : null;
        if (word != null && BOOLEAN_KEYS.contains(key)) {
          object.set(key, BooleanNode.valueOf(word));
        } else if (!key.equals("examples")) { // examples are data, not settings
          resolve(value);
        }
      }
    } else if (node != null && node.isArray()) {
      node.forEach(YamlBooleanWords::resolve);
    }
    return node;
  }
}
