package io.lakemesh.runtime.product;

import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.validate.Timestamps;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.apache.iceberg.types.Type;

/**
 * The Kafka key a source product's events are routed by: its first primary-key column, written in one canonical
 * form. Silver deduplicates per raw-topic partition, so every copy of a key must reach the same partition: the
 * ingest endpoint keys an event by the column's JSON text made canonical ({@link #fromJson}), and a worker loading
 * silver's keys on start picks its own by the typed value made canonical the same way ({@link #fromValue}).
 * Equal keys written differently ({@code 1.5} and {@code 1.50}; {@code ...T10:00:00Z} and {@code ...T12:00:00+02:00})
 * route together, and a composite key routes by its first column, so all copies of it meet too.
 *
 * @param column the first primary-key column
 * @param type its Iceberg type
 * @param datePattern a date column's {@code format} (how events write it), or null for ISO dates
 * @param timestamps how a timestamp column's text is read (its {@code defaultTimezone} and {@code format})
 */
public record RoutingKey(String column, Type type, String datePattern, Timestamps.Reading timestamps) {

  /** The routing key of a source product; empty when it has no primary key (events are then not keyed). */
  public static Optional<RoutingKey> of(Product product) {
    return product.contract().primaryKey().stream().findFirst().map(first -> new RoutingKey(first.name(),
        product.schema().findType(first.name()), datePattern(first), Timestamps.Reading.of(first.options())));
  }

  private static String datePattern(Field field) {
    String format = field.options().format();
    return format != null && format.toLowerCase(java.util.Locale.ROOT).contains("yy") ? format : null;
  }

  /**
   * The raw-topic partition of a canonical key: murmur2 of its UTF-8 bytes modulo the contract's partition count,
   * as Kafka's Java client partitions a keyed record. The ingest endpoint sends to it explicitly, so a topic grown
   * from outside does not move keys.
   */
  public static int partitionOf(String key, int partitionCount) {
    return org.apache.kafka.common.utils.Utils.toPositive(org.apache.kafka.common.utils.Utils.murmur2(
        key.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitionCount;
  }

  /** The canonical key of the column's value as an event writes it (JSON text); the text itself if unreadable. */
  public String fromJson(String text) {
    if (text == null) {
      return null;
    }
    try {
      return switch (type.typeId()) {
        case INTEGER, LONG, DECIMAL -> number(new BigDecimal(text));
        case DOUBLE -> floating(Double.parseDouble(text));
        case FLOAT -> floating(Float.parseFloat(text));
        case TIMESTAMP -> timestamp(text);
        case TIME -> io.lakemesh.contracts.validate.Timestamps.parseTime(text).toString();
        case DATE -> datePattern == null ? LocalDate.parse(text).toString() : text;
        default -> text;
      };
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return text; // the validator rejects the event; any partition will do
    }
  }

  /** The canonical key of the column's value in a typed silver row. */
  public String fromValue(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof BigDecimal d) {
      return number(d);
    }
    if (value instanceof Double d) {
      return floating(d);
    }
    if (value instanceof Float f) {
      return floating(f);
    }
    if (value instanceof OffsetDateTime t) {
      return t.toInstant().toString();
    }
    if (value instanceof LocalDate d && datePattern != null) {
      return DateTimeFormatter.ofPattern(datePattern).format(d);
    }
    return value.toString(); // strings, whole numbers, ISO dates, times, timestamps without zone, booleans
  }

  private static String number(BigDecimal value) {
    return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
  }

  private static String floating(double value) {
    return value == 0 ? "0.0" : Double.toString(value);
  }

  private static String floating(float value) {
    return value == 0 ? "0.0" : Float.toString(value);
  }

  /** As the validator reads it (text with or without an offset, or milliseconds since 1970), in microseconds. */
  private String timestamp(String text) {
    try {
      return timestamps.parse(text).toInstant().toString();
    } catch (java.time.DateTimeException notText) {
      // a JSON number: milliseconds since 1970, as the validator reads it (its text is no timestamp text)
      if (text.matches("-?[0-9]{1,18}")) {
        return Instant.ofEpochMilli(Long.parseLong(text)).toString();
      }
      throw notText;
    }
  }
}
