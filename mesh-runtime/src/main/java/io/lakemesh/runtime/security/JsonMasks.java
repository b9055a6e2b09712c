package io.lakemesh.runtime.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.policy.ColumnMask;
import java.util.List;
import java.util.Map;

/**
 * Applies column masks to a row rendered as JSON (a served row, or a quarantined event's payload). Paths are those
 * of {@code AccessPolicy.classifiedColumns()}: {@code a}, {@code a.b} inside objects, {@code a[]} and {@code a[].b}
 * inside arrays.
 */
public final class JsonMasks {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private JsonMasks() {}

  public static void apply(ObjectNode row, Map<String, ColumnMask> masks) {
    masks.forEach((path, mask) -> apply(row, path.split("\\."), 0, mask));
  }

  /**
   * Redacts the value of every member the contract does not declare, in the event and inside the objects and lists
   * of objects it declares; names stay, so a sender's typo is still seen. Such a member's classification is unknown:
   * it may be a column a newer major dropped together with its mask, whose history that major reads again.
   */
  public static void hideUndeclared(ObjectNode event, List<Field> declared) {
    java.util.Iterator<Map.Entry<String, JsonNode>> members = event.fields();
    while (members.hasNext()) {
      Map.Entry<String, JsonNode> member = members.next();
      Field field = declared.stream().filter(f -> f.name().equals(member.getKey())).findFirst().orElse(null);
      JsonNode value = member.getValue();
      if (field == null) {
        if (!value.isNull()) {
          member.setValue(masked(value, new ColumnMask.Redact()));
        }
      } else if (value instanceof ObjectNode object && !field.properties().isEmpty()) {
        hideUndeclared(object, field.properties());
      } else if (value instanceof ArrayNode items && field.items() != null
          && !field.items().properties().isEmpty()) {
        for (JsonNode item : items) {
          if (item instanceof ObjectNode object) {
            hideUndeclared(object, field.items().properties());
          }
        }
      }
    }
  }

  private static void apply(JsonNode node, String[] path, int at, ColumnMask mask) {
    if (!(node instanceof ObjectNode object)) {
      return; // the caller hides a value that is not the object the contract says (see hiddenWhole)
    }
    String segment = path[at];
    boolean array = segment.endsWith("[]");
    String name = array ? segment.substring(0, segment.length() - 2) : segment;
    JsonNode child = object.get(name);
    if (child == null || child.isNull()) {
      return;
    }
    boolean last = at == path.length - 1;
    if (array) {
      if (!(child instanceof ArrayNode items)) {
        // not the array the contract says: hide it rather than show it unmasked
        object.set(name, last ? masked(child, mask) : hiddenWhole(child, mask));
        return;
      }
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        if (last) {
          items.set(i, masked(item, mask));
        } else if (item instanceof ObjectNode) {
          apply(item, path, at + 1, mask);
        } else if (!item.isNull()) {
          items.set(i, hiddenWhole(item, mask));
        }
      }
    } else if (last) {
      object.set(name, masked(child, mask));
    } else if (child instanceof ObjectNode) {
      apply(child, path, at + 1, mask);
    } else {
      object.set(name, hiddenWhole(child, mask));
    }
  }

  /**
   * A value where the contract has an object or array holding a classified member, but of another shape (a
   * malformed event in quarantine): whatever it holds may be that member's value, and the member's own mask was made
   * for the member (a last-4 shows the tail of a whole object's text), so it is hidden whole: null for a null mask,
   * else redacted.
   */
  private static JsonNode hiddenWhole(JsonNode value, ColumnMask mask) {
    return masked(value, mask instanceof ColumnMask.Nullify ? mask : new ColumnMask.Redact());
  }

  private static JsonNode masked(JsonNode value, ColumnMask mask) {
    Object plain;
    if (value.isTextual()) {
      plain = value.textValue();
    } else if (value.isIntegralNumber()) {
      plain = value.bigIntegerValue();
    } else if (value.isNumber()) {
      plain = value.decimalValue();
    } else if (value.isBoolean()) {
      plain = value.booleanValue();
    } else {
      plain = value.toString(); // objects and arrays: masked as their JSON text
    }
    Object out = mask.apply(plain);
    if (out == null) {
      return NODES.nullNode();
    }
    return NODES.textNode(out.toString());
  }
}
