package io.lakemesh.runtime.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.temporal.Temporal;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/** Renders Iceberg generic rows as JSON: decimals exact, timestamps and dates ISO-8601, nested rows as objects. */
public final class JsonRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private JsonRows() {}

  /** The row as a JSON object with only {@code columns} in their order, or all columns in schema order. */
  public static ObjectNode row(Record record, Collection<String> columns) {
    ObjectNode node = NODES.objectNode();
    if (!columns.isEmpty()) {
      // in the order the caller asked for them
      for (String c : columns) {
        Types.NestedField f = record.struct().field(c);
        if (f != null) {
          node.set(c, value(record.getField(c), f.type()));
        }
      }
      return node;
    }
    for (Types.NestedField f : record.struct().fields()) {
      node.set(f.name(), value(record.getField(f.name()), f.type()));
    }
    return node;
  }

  /**
   * A value of a column of {@code type}: a decimal is written with the column's scale, as the table stores it, so
   * a row reads the same from the rows API (Parquet) and from a live stream (the validated event, which keeps the
   * scale it was written with).
   */
  static JsonNode value(Object v, org.apache.iceberg.types.Type type) {
    if (v instanceof BigDecimal d && type instanceof Types.DecimalType decimal && d.scale() < decimal.scale()) {
      return NODES.numberNode(d.setScale(decimal.scale()));
    }
    if (v instanceof List<?> list && type instanceof Types.ListType listType) {
      ArrayNode array = NODES.arrayNode(list.size());
      list.forEach(x -> array.add(value(x, listType.elementType())));
      return array;
    }
    return value(v);
  }

  public static JsonNode value(Object v) {
    if (v == null) {
      return NODES.nullNode();
    }
    if (v instanceof Record r) {
      return row(r, List.of());
    }
    if (v instanceof List<?> list) {
      ArrayNode array = NODES.arrayNode(list.size());
      list.forEach(x -> array.add(value(x)));
      return array;
    }
    if (v instanceof BigDecimal d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Long l) {
      return NODES.numberNode(l);
    }
    if (v instanceof Integer i) {
      return NODES.numberNode(i);
    }
    if (v instanceof Double d) {
      return NODES.numberNode(d);
    }
    if (v instanceof Float f) {
      return NODES.numberNode(f);
    }
    if (v instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (v instanceof ByteBuffer b) {
      return NODES.textNode(Base64.getEncoder().encodeToString(b.array()));
    }
    // RFC 3339: seconds always written (java.time's toString drops ":00" seconds)
    if (v instanceof java.time.OffsetDateTime t) {
      return NODES.textNode(java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t));
    }
    if (v instanceof java.time.LocalDateTime t) {
      return NODES.textNode(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t));
    }
    if (v instanceof java.time.LocalTime t) {
      return NODES.textNode(io.lakemesh.contracts.cel.TemporalText.of(t)); // as filters compare it
    }
    if (v instanceof Temporal || v instanceof CharSequence) {
      return NODES.textNode(v.toString());
    }
    if (v instanceof StructLike) {
      return NODES.textNode(v.toString());
    }
    return NODES.textNode(String.valueOf(v));
  }
}
