package io.lakemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * JSON to Iceberg generic records by a table's schema, the way a sink that does not validate converts: each
 * column looked up by name, each value coerced to the column's type, extra fields ignored. A value that cannot
 * be coerced, or a required column without one, fails the event (a sink sends it to its dead-letter topic).
 * No contract rule, pattern, enum or range is checked. For the typed baseline only.
 */
final class JsonToRecord {

  /** An event that does not fit the schema. */
  static final class Unfit extends RuntimeException {
    Unfit(String message) {
      super(message, null, false, false);
    }
  }

  private final Types.StructType schema;

  JsonToRecord(Types.StructType schema) {
    this.schema = schema;
  }

  Record convert(JsonNode event) {
    try {
      return struct(schema, event);
    } catch (DateTimeException e) {
      throw new Unfit(e.getMessage());
    }
  }

  private static Record struct(Types.StructType type, JsonNode node) {
    if (!node.isObject()) {
      throw new Unfit("not an object");
    }
    GenericRecord record = GenericRecord.create(type);
    List<Types.NestedField> fields = type.fields();
    for (int i = 0; i < fields.size(); i++) {
      Types.NestedField field = fields.get(i);
      Object value = value(field.type(), node.get(field.name()));
      if (value == null && field.isRequired()) {
        throw new Unfit(field.name() + " is missing");
      }
      record.set(i, value);
    }
    return record;
  }

  private static Object value(Type type, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    return switch (type.typeId()) {
      case STRING -> node.isTextual() ? node.textValue() : node.toString();
      case BOOLEAN -> node.asBoolean();
      case INTEGER -> number(node).intValue();
      case LONG -> number(node).longValue();
      case FLOAT -> number(node).floatValue();
      case DOUBLE -> number(node).doubleValue();
      case DECIMAL -> number(node).decimalValue()
          .setScale(((Types.DecimalType) type).scale(), RoundingMode.HALF_EVEN);
      case DATE -> LocalDate.parse(node.asText());
      case TIME -> LocalTime.parse(node.asText());
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC()
          ? OffsetDateTime.parse(node.asText()) : LocalDateTime.parse(node.asText());
      case STRUCT -> struct(type.asStructType(), node);
      case LIST -> list(type.asListType(), node);
      default -> throw new Unfit("no conversion to " + type);
    };
  }

  private static JsonNode number(JsonNode node) {
    if (!node.isNumber()) {
      throw new Unfit("not a number: " + node);
    }
    return node;
  }

  private static List<Object> list(Types.ListType type, JsonNode node) {
    if (!node.isArray()) {
      throw new Unfit("not an array");
    }
    List<Object> values = new ArrayList<>(node.size());
    for (JsonNode element : node) {
      Object value = value(type.elementType(), element);
      if (value == null && type.isElementRequired()) {
        throw new Unfit("null element");
      }
      values.add(value);
    }
    return values;
  }
}
