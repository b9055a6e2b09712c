package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.lakemesh.contracts.ContractParser;
import io.lakemesh.contracts.model.Contract;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Types;

/**
 * Generated events for a contract with every logical type ({@code all-types.odcs.yaml}): an event valid by
 * construction is accepted as exactly the typed row it describes; the same event with one thing broken is rejected
 * with exactly one error, of the expected code, at the expected field path.
 */
class RowValidatorPropertyTest {
  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
  private static final ObjectMapper JSON = new ObjectMapper().setNodeFactory(NODES);
  private static final long MICROS_2100 = 4_102_444_800_000_000L;

  private static final Contract CONTRACT = load();
  private static final RowValidator VALIDATOR = RowValidator.compile(CONTRACT);
  private static final Schema SCHEMA = VALIDATOR.schema();

  private static Contract load() {
    try (InputStream in = RowValidatorPropertyTest.class.getResourceAsStream("/contracts/all-types.odcs.yaml")) {
      return ContractParser.parse("all-types.odcs.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the event model: what is sent, and how numbers and times are written

  /** How a decimal is written: 12.50, 12.5 (or 1E+2), 12.5000, or a bare integer when it is one. */
  enum DecimalForm { SCALED, STRIPPED, PADDED, INTEGER }

  /** How a timestamp is written: ISO with an offset, ISO without one (taken as UTC), or epoch milliseconds. */
  enum TimestampForm { OFFSET, LOCAL, EPOCH_MILLIS }

  record Line(String sku, int qty, long cents, DecimalForm form) {}

  record Address(String street, String zip, Integer floor) {}

  /** The nested parts of an event, generated together. */
  record Tail(Address address, List<Line> lines, String note) {}

  record Event(String code, String label, boolean nullsWritten, String kind, LocalDate day, long atMicros,
      ZoneOffset atOffset, TimestampForm atForm, LocalTime opens, DecimalForm priceForm, Double ratio, int count,
      Long big, boolean active, Address address, List<Line> lines, String note) {

    long priceCents() {
      return lines.stream().mapToLong(Line::cents).sum();
    }

    OffsetDateTime at() {
      return Instant.EPOCH.plus(atMicros, ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    ObjectNode json() {
      ObjectNode o = NODES.objectNode();
      o.put("code", code);
      optional(o, "label", label == null ? null : NODES.textNode(label));
      o.put("kind", kind);
      o.put("day", day.toString());
      o.set("at", timestamp());
      optional(o, "opens", opens == null ? null : NODES.textNode(opens.format(DateTimeFormatter.ISO_LOCAL_TIME)));
      o.set("price", decimal(priceCents(), priceForm));
      optional(o, "ratio", ratio == null ? null : NODES.numberNode(ratio));
      o.put("count", count);
      optional(o, "big", big == null ? null : NODES.numberNode(big));
      o.put("active", active);
      optional(o, "address", address == null ? null : addressJson());
      ArrayNode ls = o.putArray("lines");
      for (Line l : lines) {
        ls.addObject().put("sku", l.sku()).put("qty", l.qty()).set("amount", decimal(l.cents(), l.form()));
      }
      if (note != null) {
        o.put("note", note); // not in the contract: ignored
      }
      return o;
    }

    private JsonNode timestamp() {
      OffsetDateTime at = at();
      return switch (atForm) {
        case OFFSET -> NODES.textNode(at.withOffsetSameInstant(atOffset).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        case LOCAL -> NODES.textNode(at.toLocalDateTime().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        case EPOCH_MILLIS -> NODES.numberNode(Math.floorDiv(atMicros, 1000));
      };
    }

    private ObjectNode addressJson() {
      ObjectNode a = NODES.objectNode().put("street", address.street()).put("zip", address.zip());
      optional(a, "floor", address.floor() == null ? null : NODES.numberNode(address.floor()));
      return a;
    }

    private void optional(ObjectNode o, String name, JsonNode value) {
      if (value != null) {
        o.set(name, value);
      } else if (nullsWritten) {
        o.putNull(name);
      }
    }

    /** The row the validator must produce: Iceberg's generic representation of every value. */
    GenericRecord expectedRow() {
      GenericRecord row = GenericRecord.create(SCHEMA);
      row.setField("code", code);
      row.setField("label", label);
      row.setField("kind", kind);
      row.setField("day", day);
      row.setField("at", atForm == TimestampForm.EPOCH_MILLIS
          ? at().truncatedTo(ChronoUnit.MILLIS) : at());
      row.setField("opens", opens);
      row.setField("price", BigDecimal.valueOf(priceCents(), 2));
      row.setField("ratio", ratio);
      row.setField("count", count);
      row.setField("big", big);
      row.setField("active", active);
      if (address != null) {
        GenericRecord a = GenericRecord.create(SCHEMA.findType("address").asStructType());
        a.setField("street", address.street());
        a.setField("zip", address.zip());
        a.setField("floor", address.floor());
        row.setField("address", a);
      }
      Types.StructType lineType = SCHEMA.findType("lines").asListType().elementType().asStructType();
      List<GenericRecord> rows = new ArrayList<>();
      for (Line l : lines) {
        GenericRecord r = GenericRecord.create(lineType);
        r.setField("sku", l.sku());
        r.setField("qty", l.qty());
        r.setField("amount", BigDecimal.valueOf(l.cents(), 2));
        rows.add(r);
      }
      row.setField("lines", rows);
      return row;
    }
  }

  static JsonNode decimal(long cents, DecimalForm form) {
    BigDecimal d = BigDecimal.valueOf(cents, 2);
    return switch (form) {
      case SCALED -> NODES.numberNode(d);
      case STRIPPED -> NODES.numberNode(d.stripTrailingZeros());
      case PADDED -> NODES.numberNode(d.setScale(4));
      case INTEGER -> cents % 100 == 0 ? NODES.numberNode(cents / 100) : NODES.numberNode(d);
    };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // generators

  /** Any text, including characters outside the BMP, but no lone surrogates (JSON text is Unicode). */
  static Arbitrary<String> text(int minCodePoints, int maxCodePoints) {
    Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.integers().between(0x20, 0x7e)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0xd7ff)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0xe000, 0xffff)),
        net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10ffff)));
    return codePoint.list().ofMinSize(minCodePoints).ofMaxSize(maxCodePoints)
        .map(cps -> cps.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
            .toString());
  }

  @Provide
  Arbitrary<Event> events() {
    Arbitrary<String> code = Combinators.combine(
            Arbitraries.strings().withCharRange('A', 'Z').ofLength(2),
            Arbitraries.strings().numeric().ofLength(3))
        .as((letters, digits) -> letters + "-" + digits);
    Arbitrary<LocalDate> day = Arbitraries.longs()
        .between(LocalDate.of(2000, 1, 1).toEpochDay(), LocalDate.of(2099, 12, 31).toEpochDay())
        .map(LocalDate::ofEpochDay);
    Arbitrary<ZoneOffset> offset = Arbitraries.of(ZoneOffset.UTC, ZoneOffset.ofHours(8), ZoneOffset.ofHoursMinutes(-5,
        -30), ZoneOffset.ofHours(14), ZoneOffset.ofHours(-12));
    Arbitrary<LocalTime> opens = Arbitraries.longs()
        .between(LocalTime.of(6, 0).toNanoOfDay() / 1000, LocalTime.of(22, 0).toNanoOfDay() / 1000)
        .map(micros -> LocalTime.ofNanoOfDay(micros * 1000))
        .injectNull(0.3);
    Arbitrary<Double> ratio = Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(8, Arbitraries.longs().between(0, 1L << 53).map(l -> l / (double) (1L << 53))),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(0.0, 1.0, 0.5, Double.MIN_VALUE)))
        .injectNull(0.3);
    Arbitrary<Address> address = Combinators.combine(
            text(0, 30),
            Arbitraries.strings().numeric().ofLength(4),
            Arbitraries.integers().injectNull(0.3))
        .as(Address::new)
        .injectNull(0.3);
    Arbitrary<Line> line = Combinators.combine(
            text(1, 10),
            Arbitraries.integers().between(1, 1000),
            Arbitraries.longs().between(0, 100_000),
            Arbitraries.of(DecimalForm.class))
        .as(Line::new);
    Arbitrary<Event> head = Combinators.combine(
            code,
            text(1, 20).injectNull(0.3),
            Arbitraries.of(true, false),
            Arbitraries.of("a", "b", "c"),
            day,
            Arbitraries.longs().between(0, MICROS_2100),
            offset,
            Arbitraries.of(TimestampForm.class))
        .as((c, label, nulls, kind, d, micros, off, form) -> new Event(c, label, nulls, kind, d,
            form == TimestampForm.EPOCH_MILLIS ? micros - Math.floorMod(micros, 1000) : micros, off, form, null,
            null, null, 0, null, false, null, List.of(), null));
    return Combinators.combine(
            head,
            opens,
            Arbitraries.of(DecimalForm.class),
            ratio,
            Arbitraries.integers().between(0, 1000),
            Arbitraries.longs().injectNull(0.3),
            Arbitraries.of(true, false),
            Combinators.combine(address, line.list().ofMinSize(1).ofMaxSize(5), text(0, 8).injectNull(0.7))
                .as(Tail::new))
        .as((h, op, priceForm, r, count, big, active, tail) -> new Event(h.code(), h.label(), h.nullsWritten(),
            h.kind(), h.day(), h.atMicros(), h.atOffset(), h.atForm(), op, priceForm, r, count, big, active,
            tail.address(), tail.lines(), tail.note()));
  }

  /**
   * Validates the bytes (streamed when the event is the common case) and checks that the outcome is exactly the
   * one of the tree decoders on the same event: same row, same violations in the same order.
   */
  private static Outcome validateBothWays(byte[] payload) {
    Outcome outcome = VALIDATOR.validate(payload, NOW);
    JsonNode tree;
    try {
      tree = RowValidator.parse(payload);
    } catch (IOException e) {
      return outcome; // malformed: there is no tree to compare with
    }
    assertEquals(VALIDATOR.validate(tree, NOW), outcome, () -> new String(payload, StandardCharsets.UTF_8));
    return outcome;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // valid events

  @Property(tries = 1000)
  void aValidEventIsAcceptedAsExactlyItsTypedRow(@ForAll("events") Event event) throws IOException {
    byte[] payload = JSON.writeValueAsBytes(event.json());
    Outcome outcome = validateBothWays(payload);
    Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome,
        () -> new String(payload, StandardCharsets.UTF_8) + " -> " + outcome);
    assertEquals(event.expectedRow(), accepted.row(), () -> new String(payload, StandardCharsets.UTF_8));
    // a warning-severity rule keeps the row and says so
    List<String> warnings = accepted.warnings().stream().map(Violation::rule).toList();
    assertEquals(event.count() >= 900 ? List.of("count_is_plausible") : List.of(), warnings);
    // the common case is read straight from the bytes, not through a tree
    Statistics.label("read").collect(VALIDATOR.stream(payload) != null ? "streamed" : "as a tree");
    Statistics.label("read").coverage(c -> c.check("streamed").percentage(p -> p >= 50.0));
    Statistics.label("timestamp form").collect(event.atForm());
    Statistics.label("price form").collect(event.priceForm());
  }

  // ---------------------------------------------------------------------------------------------------------------
  // one thing broken

  /** What a mutation must be rejected for. */
  record Expected(String code, String field) {}

  /** Breaks one thing of an event; {@code pick} chooses a line or a value. */
  enum Mutation {
    COUNT_AS_STRING {
      Expected apply(ObjectNode e, int pick) {
        e.put("count", String.valueOf(e.get("count").intValue()));
        return new Expected("type", "count");
      }
    },
    ACTIVE_AS_STRING {
      Expected apply(ObjectNode e, int pick) {
        e.put("active", "true");
        return new Expected("type", "active");
      }
    },
    DAY_AS_NUMBER {
      Expected apply(ObjectNode e, int pick) {
        e.put("day", 20261125);
        return new Expected("type", "day");
      }
    },
    PRICE_AS_STRING {
      Expected apply(ObjectNode e, int pick) {
        e.put("price", e.get("price").asText());
        return new Expected("type", "price");
      }
    },
    LINES_AS_OBJECT {
      Expected apply(ObjectNode e, int pick) {
        e.putObject("lines");
        return new Expected("type", "lines");
      }
    },
    LINE_AS_NUMBER {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        lines(e).set(i, NODES.numberNode(5));
        return new Expected("type", "lines[" + i + "]");
      }
    },
    QTY_WITH_FRACTION {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        ((ObjectNode) lines(e).get(i)).put("qty", new BigDecimal("1.5"));
        return new Expected("type", "lines[" + i + "].qty");
      }
    },
    ADDRESS_AS_STRING {
      Expected apply(ObjectNode e, int pick) {
        e.put("address", "Rizal Avenue 1");
        return new Expected("type", "address");
      }
    },
    TIMESTAMP_AS_BOOLEAN {
      Expected apply(ObjectNode e, int pick) {
        e.put("at", true);
        return new Expected("type", "at");
      }
    },
    NO_SUCH_DATE {
      Expected apply(ObjectNode e, int pick) {
        e.put("day", List.of("2026-02-30", "2026-13-01", "2026-1-5", "26-11-25", "2026/11/25").get(Math.floorMod(pick, 5)));
        return new Expected("type", "day");
      }
    },
    DATE_WITHOUT_FOUR_DIGIT_YEAR {
      Expected apply(ObjectNode e, int pick) {
        e.put("day", Math.floorMod(pick, 2) == 0 ? "+12026-01-01" : "-0001-01-01");
        return new Expected("type", "day");
      }
    },
    NO_SUCH_TIMESTAMP {
      Expected apply(ObjectNode e, int pick) {
        e.put("at", List.of("2026-13-01T00:00:00Z", "2026-11-25_10:00", "yesterday", "2026-11-25T10:00:00+25:00")
            .get(Math.floorMod(pick, 4)));
        return new Expected("type", "at");
      }
    },
    TIMESTAMP_BEYOND_YEAR_9999 {
      Expected apply(ObjectNode e, int pick) {
        switch (Math.floorMod(pick, 4)) {
          case 0 -> e.put("at", "+10000-01-01T00:00:00Z");
          case 1 -> e.put("at", "-999999999-01-01T00:00:00Z");
          case 2 -> e.put("at", 253402300800000L); // 10000-01-01 in epoch ms
          default -> e.putRawValue("at", new RawValue("99999999999999999999"));
        }
        return new Expected("range", "at");
      }
    },
    NO_SUCH_TIME {
      Expected apply(ObjectNode e, int pick) {
        e.put("opens", List.of("24:00:00", "7 am", "07:60").get(Math.floorMod(pick, 3)));
        return new Expected("type", "opens");
      }
    },
    COUNT_ABOVE_MAXIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("count", 1001 + Math.abs(Math.floorMod(pick, 1_000_000)));
        return new Expected("maximum", "count");
      }
    },
    COUNT_BELOW_MINIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("count", -1 - Math.abs(Math.floorMod(pick, 1_000_000)));
        return new Expected("minimum", "count");
      }
    },
    COUNT_BEYOND_32_BITS {
      Expected apply(ObjectNode e, int pick) {
        e.put("count", Math.floorMod(pick, 2) == 0 ? 2_147_483_648L + Math.abs((long) pick) : -2_147_483_649L - Math.abs((long) pick));
        return new Expected("range", "count");
      }
    },
    BIG_BEYOND_64_BITS {
      Expected apply(ObjectNode e, int pick) {
        e.put("big", new java.math.BigInteger("9223372036854775808").add(java.math.BigInteger.valueOf(
            Math.abs((long) pick))));
        return new Expected("range", "big");
      }
    },
    INTEGER_WITH_HUGE_EXPONENT {
      Expected apply(ObjectNode e, int pick) {
        e.putRawValue("big", new RawValue("1e999999999"));
        return new Expected("range", "big");
      }
    },
    RATIO_ABOVE_MAXIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("ratio", 1.0 + (Math.abs(Math.floorMod(pick, 1000)) + 1) / 1000.0);
        return new Expected("maximum", "ratio");
      }
    },
    RATIO_BEYOND_DOUBLE {
      Expected apply(ObjectNode e, int pick) {
        e.putRawValue("ratio", new RawValue(Math.floorMod(pick, 2) == 0 ? "1e400" : "-1e999999999"));
        return new Expected("range", "ratio");
      }
    },
    OPENS_BEFORE_MINIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("opens", LocalTime.of(0, 0).plusSeconds(Math.abs(pick % (6 * 3600))).toString());
        return new Expected("minimum", "opens");
      }
    },
    DAY_AFTER_MAXIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("day", LocalDate.of(2100, 1, 1).plusDays(Math.abs(Math.floorMod(pick, 100_000))).toString());
        return new Expected("maximum", "day");
      }
    },
    QTY_NOT_POSITIVE {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        ((ObjectNode) lines(e).get(i)).put("qty", -Math.abs(Math.floorMod(pick, 10)));
        return new Expected("minimum", "lines[" + i + "].qty");
      }
    },
    PRICE_ABOVE_MAXIMUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("price", new BigDecimal("100000.01").add(BigDecimal.valueOf(Math.abs(Math.floorMod(pick, 1_000_000)), 2)));
        return new Expected("maximum", "price");
      }
    },
    PRICE_BEYOND_PRECISION {
      Expected apply(ObjectNode e, int pick) {
        e.putRawValue("price", new RawValue(List.of("123456789.5", "1e10", "1e999999999", "-99999999999")
            .get(Math.floorMod(pick, 4))));
        return new Expected("range", "price");
      }
    },
    CODE_NOT_MATCHING_PATTERN {
      Expected apply(ObjectNode e, int pick) {
        e.put("code", e.get("code").asText().toLowerCase() + (Math.floorMod(pick, 2) == 0 ? "" : "9"));
        return new Expected("pattern", "code");
      }
    },
    ZIP_NOT_MATCHING_PATTERN {
      Expected apply(ObjectNode e, int pick) {
        address(e).put("zip", List.of("123", "12345", "12a4", "").get(Math.floorMod(pick, 4)));
        return new Expected("pattern", "address.zip");
      }
    },
    NO_CODE {
      Expected apply(ObjectNode e, int pick) {
        e.remove("code");
        return new Expected("required", "code");
      }
    },
    NULL_KIND {
      Expected apply(ObjectNode e, int pick) {
        e.putNull("kind");
        return new Expected("required", "kind");
      }
    },
    NO_SKU {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        ((ObjectNode) lines(e).get(i)).remove("sku");
        return new Expected("required", "lines[" + i + "].sku");
      }
    },
    NULL_LINE {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        lines(e).set(i, NODES.nullNode());
        return new Expected("required", "lines[" + i + "]");
      }
    },
    NO_ZIP {
      Expected apply(ObjectNode e, int pick) {
        address(e).remove("zip");
        return new Expected("required", "address.zip");
      }
    },
    PRICE_WITH_EXTRA_PLACES {
      Expected apply(ObjectNode e, int pick) {
        e.put("price", e.get("price").decimalValue().add(new BigDecimal("0.001")));
        return new Expected("scale", "price");
      }
    },
    AMOUNT_WITH_EXTRA_PLACES {
      Expected apply(ObjectNode e, int pick) {
        int i = line(e, pick);
        ObjectNode line = (ObjectNode) lines(e).get(i);
        line.put("amount", line.get("amount").decimalValue().add(BigDecimal.valueOf(1 + Math.abs(Math.floorMod(pick, 9)), 3)));
        return new Expected("scale", "lines[" + i + "].amount");
      }
    },
    EMPTY_LINES {
      Expected apply(ObjectNode e, int pick) {
        lines(e).removeAll();
        return new Expected("min_items", "lines");
      }
    },
    TOO_MANY_LINES {
      Expected apply(ObjectNode e, int pick) {
        ArrayNode lines = lines(e);
        while (lines.size() < 6) {
          lines.add(lines.get(0).deepCopy());
        }
        return new Expected("max_items", "lines");
      }
    },
    UNKNOWN_KIND {
      Expected apply(ObjectNode e, int pick) {
        e.put("kind", List.of("d", "A", " a", "").get(Math.floorMod(pick, 4)));
        return new Expected("invalid_value", "kind");
      }
    },
    EMPTY_LABEL {
      Expected apply(ObjectNode e, int pick) {
        e.put("label", "");
        return new Expected("min_length", "label");
      }
    },
    LABEL_TOO_LONG {
      Expected apply(ObjectNode e, int pick) {
        // 21 code points, some of them two UTF-16 units: length is counted in characters, not units
        e.put("label", "\uD83D\uDE00".repeat(Math.floorMod(pick, 22)) + "x".repeat(21 - Math.floorMod(pick, 22)));
        return new Expected("max_length", "label");
      }
    },
    PRICE_NOT_THE_LINE_SUM {
      Expected apply(ObjectNode e, int pick) {
        e.put("price", e.get("price").decimalValue().add(BigDecimal.valueOf(1 + Math.abs(Math.floorMod(pick, 100)))));
        return new Expected("rule", "lines,price"); // an object-level rule names what it reads
      }
    };

    abstract Expected apply(ObjectNode event, int pick);

    static ArrayNode lines(ObjectNode e) {
      return (ArrayNode) e.get("lines");
    }

    static int line(ObjectNode e, int pick) {
      return Math.abs(pick % lines(e).size());
    }

    static ObjectNode address(ObjectNode e) {
      if (!e.path("address").isObject()) {
        e.putObject("address").put("street", "Rizal Avenue").put("zip", "1000");
      }
      return (ObjectNode) e.get("address");
    }
  }

  @Property(tries = 3000)
  void anEventWithOneThingBrokenIsRejectedForThatThing(@ForAll("events") Event event, @ForAll Mutation mutation,
      @ForAll int pick) throws IOException {
    ObjectNode json = event.json();
    Expected expected = mutation.apply(json, pick);
    byte[] payload = JSON.writeValueAsBytes(json);
    Outcome outcome = validateBothWays(payload);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, outcome,
        () -> mutation + ": " + new String(payload, StandardCharsets.UTF_8) + " -> " + outcome);
    // beyond decimal(10,2) is beyond price's bounds (0 to 100000) too, which are judged on the value as sent
    List<Expected> all = mutation != Mutation.PRICE_BEYOND_PRECISION ? List.of(expected) : List.of(expected,
        new Expected(new String(payload, StandardCharsets.UTF_8).contains("\"price\":-") ? "minimum" : "maximum",
            "price"));
    assertEquals(all, rejected.errors().stream().map(v -> new Expected(v.code(), v.field())).toList(),
        () -> mutation + ": " + new String(payload, StandardCharsets.UTF_8) + " -> " + rejected.errors());
    if (mutation == Mutation.PRICE_NOT_THE_LINE_SUM) {
      assertEquals("price_is_line_sum", rejected.errors().get(0).rule());
    }
    // a message is for people: one bounded line, even for 1e999999999
    Violation v = rejected.errors().get(0);
    assertEquals(true, v.message().length() < 300 && !v.message().contains("\n"), v.message());
    Statistics.label("mutation").collect(mutation);
    Statistics.label("mutation").coverage(c -> {
      for (Mutation m : Mutation.values()) {
        c.check(m).count((Integer n) -> n >= 10);
      }
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // anything at all in any place: an outcome, never an exception

  static Arbitrary<String> anyJsonValue() {
    return Arbitraries.oneOf(
        Arbitraries.of("null", "true", "false", "{}", "[]", "[null]", "{\"a\":1}", "\"\"", "-0", "0E+999999999",
            "1e-999999999", "-1e999999999", "1e308", "4.9e-324", "123456789012345678901234567890",
            "\"9999-12-31T23:59:59-18:00\"", "\"-999999999-01-01T00:00:00+18:00\"", "\"+999999999-12-31\"",
            "\"23:59:60\"", "\"2026-11-25T10:00:00.123456789Z\"", "9223372036854775807", "-9223372036854775809"),
        Combinators.combine(Arbitraries.integers().between(-20, 20), Arbitraries.integers())
            .as((exp, mantissa) -> mantissa + "e" + exp),
        text(0, 12).map(s -> JSON.getNodeFactory().textNode(s).toString()));
  }

  @Property(tries = 1000)
  void anyValueAnywhereGetsAnOutcomeNotAnException(@ForAll("events") Event event,
      @ForAll("paths") String field, @ForAll("anyJson") String value) throws IOException {
    ObjectNode json = event.json();
    ObjectNode target = json;
    String name = field;
    if (field.startsWith("lines.")) {
      target = (ObjectNode) json.get("lines").get(0);
      name = field.substring("lines.".length());
    } else if (field.startsWith("address.")) {
      target = Mutation.address(json);
      name = field.substring("address.".length());
    }
    target.putRawValue(name, new RawValue(value));
    byte[] payload = JSON.writeValueAsBytes(json);
    Outcome outcome = validateBothWays(payload);
    assertNotNull(outcome);
    if (outcome instanceof Outcome.Rejected r) {
      r.errors().forEach(v -> assertEquals(true, v.message().length() < 300, v.message()));
    }
    Statistics.label("outcome").collect(outcome.getClass().getSimpleName());
  }

  /** Where a repeated name is put. */
  enum Repeat { MEMBER, INSIDE_VALUE, INSIDE_UNKNOWN_MEMBER }

  /**
   * A name repeated in any object of the event (a member the contract names, inside a value, inside a member it
   * does not name) makes the event malformed, as the tree parser says; the streaming pass detects it on its own.
   */
  @Property(tries = 500)
  void aRepeatedNameAnywhereIsMalformed(@ForAll("events") Event event, @ForAll("paths") String field,
      @ForAll Repeat repeat) throws IOException {
    ObjectNode json = event.json();
    ObjectNode target = json;
    String name = field;
    if (field.startsWith("lines.")) {
      target = (ObjectNode) json.get("lines").get(0);
      name = field.substring("lines.".length());
    } else if (field.startsWith("address.")) {
      target = Mutation.address(json);
      name = field.substring("address.".length());
    }
    target.put("zz_placeholder", 0);
    String quoted = "\"" + name + "\"";
    String replacement = switch (repeat) {
      case MEMBER -> quoted + ":null," + quoted + ":null";
      case INSIDE_VALUE -> quoted + ":{\"a\":1,\"b\":[{\"c\":1,\"c\":2}]}";
      case INSIDE_UNKNOWN_MEMBER -> "\"zz_extra\":[{\"c\":1,\"d\":{\"e\":true,\"e\":false}}]";
    };
    if (repeat == Repeat.INSIDE_VALUE) {
      target.remove(name);
    }
    String text = JSON.writeValueAsString(json).replace("\"zz_placeholder\":0", replacement);
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, VALIDATOR.validate(payload, NOW), text);
    assertEquals(List.of("malformed_json"), rejected.errors().stream().map(Violation::code).toList(), text);
    assertEquals(null, VALIDATOR.stream(payload), text);
  }

  /**
   * Members in any order, and names spelled with a JSON escape, give the same row: the streaming pass matches the
   * expected name's bytes in place and only then falls back to the name the parser decodes.
   */
  @Property(tries = 500)
  void membersInAnyOrderAndEscapedNamesGiveTheSameRow(@ForAll("events") Event event, @ForAll java.util.Random random,
      @ForAll("paths") String escaped) throws IOException {
    ObjectNode json = (ObjectNode) shuffled(event.json(), random);
    String name = escaped.substring(escaped.indexOf('.') + 1);
    // the first letter as a six-character escape; built from parts, a literal one would be a Java escape
    String spelled = "\\" + "u" + String.format("%04x", (int) name.charAt(0)) + name.substring(1);
    String text = JSON.writeValueAsString(json).replace("\"" + name + "\":", "\"" + spelled + "\":");
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    Outcome outcome = validateBothWays(payload);
    Outcome.Accepted accepted = assertInstanceOf(Outcome.Accepted.class, outcome, () -> text + " -> " + outcome);
    assertEquals(event.expectedRow(), accepted.row(), text);
    assertNotNull(VALIDATOR.stream(payload), text);
  }

  /** The same JSON with the members of every object in a random order. */
  private static JsonNode shuffled(JsonNode node, java.util.Random random) {
    if (node.isArray()) {
      ArrayNode out = NODES.arrayNode();
      node.forEach(item -> out.add(shuffled(item, random)));
      return out;
    }
    if (!node.isObject()) {
      return node;
    }
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    java.util.Collections.shuffle(names, random);
    ObjectNode out = NODES.objectNode();
    for (String n : names) {
      out.set(n, shuffled(node.get(n), random));
    }
    return out;
  }

  /** The parser's limits hold in members the contract does not name, which the streaming pass skips. */
  @Property(tries = 50)
  void anOversizedValueInAnUnknownMemberIsMalformed(@ForAll("events") Event event,
      @ForAll("oversized") String value) throws IOException {
    ObjectNode json = event.json();
    json.putArray("extra").addObject().putRawValue("deep", new RawValue(value));
    byte[] payload = JSON.writeValueAsBytes(json);
    Outcome.Rejected rejected = assertInstanceOf(Outcome.Rejected.class, VALIDATOR.validate(payload, NOW));
    assertEquals("malformed_json", rejected.errors().get(0).code());
  }

  @Provide
  Arbitrary<String> oversized() {
    return Arbitraries.of("1".repeat(150), "1." + "5".repeat(150), "\"" + "x".repeat(1_000_001) + "\"",
        "[".repeat(70) + "]".repeat(70));
  }

  @Provide
  Arbitrary<String> paths() {
    List<String> top = SCHEMA.columns().stream().map(Types.NestedField::name).collect(Collectors.toList());
    List<String> all = new ArrayList<>(top);
    all.addAll(List.of("lines.sku", "lines.qty", "lines.amount", "address.street", "address.zip", "address.floor"));
    return Arbitraries.of(all);
  }

  @Provide
  Arbitrary<String> anyJson() {
    return anyJsonValue();
  }
}
