package io.lakemesh.runtime.storage;

import static org.apache.iceberg.types.Types.NestedField.optional;
import static org.apache.iceberg.types.Types.NestedField.required;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/** A retail order table for storage tests: every type the storage layer must round-trip. */
final class Orders {
  private Orders() {}

  static final Schema SCHEMA =
      new Schema(
          required(1, "order_id", Types.LongType.get()),
          required(2, "ts", Types.TimestampType.withZone()),
          required(3, "region", Types.StringType.get()),
          required(4, "amount", Types.DecimalType.of(12, 2)),
          optional(5, "customer", Types.StringType.get()),
          optional(
              6,
              "lines",
              Types.ListType.ofRequired(
                  7,
                  Types.StructType.of(
                      required(8, "sku", Types.StringType.get()),
                      required(9, "qty", Types.IntegerType.get()),
                      required(10, "price", Types.DecimalType.of(12, 2))))));

  static final PartitionSpec SPEC =
      PartitionSpec.builderFor(SCHEMA).day("ts").identity("region").build();

  static final List<String> REGIONS = List.of("eu", "us", "apac", "latam");
  static final int DAYS = 5;
  static final OffsetDateTime FIRST_DAY = OffsetDateTime.of(2026, 11, 2, 0, 0, 0, 0, ZoneOffset.UTC);

  /**
   * Orders {@code firstId .. firstId+count-1}, spread over {@link #DAYS} days and all regions,
   * shuffled (so the writer sees partitions interleaved, as a stream would).
   *
   * @param schema the table's schema: records must be built from it (its field ids)
   */
  static List<Record> generate(Schema schema, long firstId, int count, long seed) {
    List<Record> records = new ArrayList<>(count);
    for (long id = firstId; id < firstId + count; id++) {
      records.add(order(schema, id, (int) (id % DAYS), REGIONS.get((int) ((id / DAYS) % 4))));
    }
    Collections.shuffle(records, new Random(seed));
    return records;
  }

  /** One order on day {@code day} (0-based) in {@code region}; values derive from {@code id}. */
  static Record order(Schema schema, long id, int day, String region) {
    Random random = new Random(id);
    Types.StructType lineType =
        schema.findField("lines").type().asListType().elementType().asStructType();
    // Microsecond precision: what Iceberg stores.
    OffsetDateTime ts =
        FIRST_DAY.plusDays(day).plus(Math.floorMod(random.nextLong(), 86_400_000_000L), ChronoUnit.MICROS);
    List<Record> lines = new ArrayList<>();
    for (int i = 0; i < random.nextInt(4); i++) {
      Record line = GenericRecord.create(lineType);
      line.setField("sku", "SKU-" + random.nextInt(500));
      line.setField("qty", 1 + random.nextInt(5));
      line.setField("price", BigDecimal.valueOf(random.nextInt(1_000_000), 2));
      lines.add(line);
    }
    Record order = GenericRecord.create(schema);
    order.setField("order_id", id);
    order.setField("ts", ts);
    order.setField("region", region);
    order.setField("amount", BigDecimal.valueOf(random.nextLong() % 10_000_000_000L, 2));
    order.setField("customer", id % 10 == 0 ? null : "customer-" + (id % 997));
    order.setField("lines", id % 7 == 0 ? null : lines);
    return order;
  }

  static Instant day(int day) {
    return FIRST_DAY.plusDays(day).toInstant();
  }

  /** Drains and closes a reader result, ordered by order_id so it compares with what was written. */
  static List<Record> sortedById(CloseableIterable<Record> rows) {
    List<Record> all = new ArrayList<>();
    try (rows) {
      rows.forEach(all::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    all.sort(Comparator.comparingLong(r -> (Long) r.getField("order_id")));
    return all;
  }

  static List<Record> sortedById(List<Record> records) {
    List<Record> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingLong(r -> (Long) r.getField("order_id")));
    return sorted;
  }
}
