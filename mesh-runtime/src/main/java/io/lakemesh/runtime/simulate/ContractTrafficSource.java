package io.lakemesh.runtime.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.curiousoddman.rgxgen.RgxGen;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.apache.iceberg.types.Types;

/**
 * Traffic for a product that no domain module has a source for, made from its contract: each property gets a value
 * of its type within its options (listed valid values, patterns, lengths, bounds, decimal places, item counts),
 * optional ones now and then left out. Every event is checked with the contract's own validator before it is sent:
 * a valid one must be accepted and an invalid one rejected, so the mix is what the simulator asked for. A contract
 * whose rules such values rarely meet (a total that must equal the sum of its lines, say) is refused with the
 * rule's name: such a product needs a traffic source of its domain's own.
 */
public final class ContractTrafficSource implements TrafficSource {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final int ATTEMPTS = 50;
  private static final int RECENT = 200;

  private final Contract contract;
  private final String productId;
  private final RowValidator validator;
  private final RecentEvents recent = new RecentEvents(RECENT);

  /** @param productId where the events go: the contract's id, or {@code <id>@v<major>} for an older major */
  public ContractTrafficSource(Contract contract, String productId) {
    this.contract = contract;
    this.productId = productId;
    this.validator = RowValidator.compile(contract);
  }

  @Override
  public String productId() {
    return productId;
  }

  @Override
  public String nextEvent(RandomGenerator random, EventKind kind) {
    return switch (kind) {
      case VALID -> valid(random);
      case DUPLICATE -> {
        String earlier = recent.pick(random);
        yield earlier != null ? earlier : valid(random);
      }
      case INVALID -> invalid(random);
    };
  }

  private String valid(RandomGenerator random) {
    Outcome last = null;
    for (int i = 0; i < ATTEMPTS; i++) {
      String event = object(contract.table().fields(), random, true).toString();
      last = validator.validate(event.getBytes(StandardCharsets.UTF_8), Instant.now());
      if (last instanceof Outcome.Accepted) {
        recent.remember(event);
        return event;
      }
    }
    throw new IllegalStateException("cannot make events that " + contract.id() + "'s contract accepts from its"
        + " types and options alone (" + ((Outcome.Rejected) last).errors().get(0).rule() + ": "
        + ((Outcome.Rejected) last).errors().get(0).message() + "); such a product needs a traffic source of its"
        + " domain's own");
  }

  /** A valid event with one thing broken: a required property left out, or a value of the wrong type. */
  private String invalid(RandomGenerator random) {
    List<Field> fields = contract.table().fields();
    for (int i = 0; i < ATTEMPTS && !fields.isEmpty(); i++) {
      ObjectNode event = object(fields, random, true);
      Field victim = fields.get(random.nextInt(fields.size()));
      if (victim.required() && random.nextBoolean()) {
        event.remove(victim.name());
      } else {
        event.set(victim.name(), wrongType(victim));
      }
      String text = event.toString();
      if (validator.validate(text.getBytes(StandardCharsets.UTF_8), Instant.now()) instanceof Outcome.Rejected) {
        return text;
      }
    }
    return "{\"\":\"not an event of " + contract.id() + "\"}";
  }

  private static JsonNode wrongType(Field f) {
    return switch (f.type()) {
      case STRING, DATE, TIME, TIMESTAMP -> JSON.arrayNode().add(1);
      default -> JSON.textNode("not a " + f.type().odcsName());
    };
  }

  private ObjectNode object(List<Field> fields, RandomGenerator random, boolean top) {
    ObjectNode node = JSON.objectNode();
    for (Field f : fields) {
      if (!f.required() && !f.isPrimaryKey() && random.nextInt(5) == 0) {
        continue; // an optional property is left out now and then
      }
      node.set(f.name(), value(f, random, top && f.isPrimaryKey()));
    }
    return node;
  }

  private JsonNode value(Field f, RandomGenerator random, boolean key) {
    List<String> valid = validValues(f);
    if (!valid.isEmpty() && f.type() == io.lakemesh.contracts.model.LogicalType.STRING) {
      return JSON.textNode(valid.get(random.nextInt(valid.size())));
    }
    return switch (f.type()) {
      case STRING -> JSON.textNode(string(f, random, key));
      case INTEGER -> JSON.numberNode(whole(f, random));
      case NUMBER -> number(f, random);
      case BOOLEAN -> JSON.booleanNode(random.nextBoolean());
      case DATE -> JSON.textNode(date(f, random));
      case TIME -> JSON.textNode(String.format("%02d:%02d:%02d", random.nextInt(24), random.nextInt(60),
          random.nextInt(60)));
      case TIMESTAMP -> JSON.textNode(Instant.now().minusSeconds(random.nextInt(3600)).truncatedTo(ChronoUnit.MILLIS)
          .toString());
      case OBJECT -> f.isFreeFormObject() ? JSON.objectNode().put("note", "free-form")
          : object(f.properties(), random, false);
      case ARRAY -> array(f, random);
    };
  }

  private JsonNode array(Field f, RandomGenerator random) {
    ArrayNode items = JSON.arrayNode();
    int min = f.options().minItems() == null ? 1 : f.options().minItems();
    int max = f.options().maxItems() == null ? Math.max(min, 3) : f.options().maxItems();
    int n = min + random.nextInt(Math.max(1, max - min + 1));
    for (int i = 0; i < n; i++) {
      items.add(f.items() == null ? JSON.textNode("item " + i) : value(f.items(), random, false));
    }
    return items;
  }

  private static List<String> validValues(Field f) {
    List<String> out = new ArrayList<>();
    for (QualityRule r : f.quality()) {
      if (r instanceof QualityRule.Library lib && lib.metric().equals("invalidValues")) {
        out.addAll(lib.validValues());
      }
    }
    return out;
  }

  private static String string(Field f, RandomGenerator random, boolean key) {
    String pattern = f.options().pattern();
    for (QualityRule r : f.quality()) {
      if (pattern == null && r instanceof QualityRule.Library lib && lib.pattern() != null) {
        pattern = lib.pattern();
      }
    }
    if (pattern != null) {
      String bare = pattern.replaceAll("^\\^", "").replaceAll("\\$$", "");
      return RgxGen.parse(bare).generate(new Random(random.nextLong()));
    }
    String format = f.options().format() == null ? "" : f.options().format();
    Integer keyMax = f.maxLength();
    if (format.equals("uuid") || (key && (keyMax == null || keyMax >= 36))) {
      return new java.util.UUID(random.nextLong(), random.nextLong()).toString();
    }
    if (key) {
      // a key shorter than a UUID (VARCHAR2(20)): as many random base-36 digits as fit, so keys rarely repeat
      StringBuilder id = new StringBuilder();
      while (id.length() < keyMax) {
        id.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36));
      }
      return id.substring(0, keyMax);
    }
    switch (format.toLowerCase(java.util.Locale.ROOT)) {
      case "email" -> {
        return "user" + random.nextInt(10_000) + "@example.com";
      }
      case "uri", "url" -> {
        return "https://www.example.com/p/" + random.nextInt(100_000);
      }
      case "ipv4" -> {
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
      }
      case "hostname" -> {
        return "host" + random.nextInt(10_000) + ".example.com";
      }
      default -> {
        // any other format is not checked: a plain text below
      }
    }
    int min = f.options().minLength() != null ? f.options().minLength()
        : Math.min(3, f.maxLength() == null ? 3 : f.maxLength()); // CHAR(2): two letters
    int max = f.maxLength() == null ? Math.max(min, 12) : f.maxLength();
    int length = min + random.nextInt(Math.max(1, max - min + 1));
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      s.append((char) ('a' + random.nextInt(26)));
    }
    return s.toString();
  }

  private static long whole(Field f, RandomGenerator random) {
    BigDecimal low = bound(f.options().minimum(), f.options().exclusiveMinimum(), true, BigDecimal.ZERO);
    BigDecimal high = bound(f.options().maximum(), f.options().exclusiveMaximum(), false, low.add(
        BigDecimal.valueOf(1000)));
    long from = low.setScale(0, RoundingMode.CEILING).longValue();
    long to = high.setScale(0, RoundingMode.FLOOR).longValue();
    return to <= from ? from : from + random.nextLong(to - from + 1);
  }

  private static JsonNode number(Field f, RandomGenerator random) {
    Types.DecimalType decimal = IcebergMapping.decimalOf(f);
    int scale = decimal == null ? 2 : decimal.scale();
    BigDecimal low = bound(f.options().minimum(), f.options().exclusiveMinimum(), true, BigDecimal.ZERO);
    BigDecimal high = bound(f.options().maximum(), f.options().exclusiveMaximum(), false, low.add(
        BigDecimal.valueOf(1000)));
    if (decimal != null) {
      // within the precision too: at most precision - scale digits before the point
      BigDecimal cap = BigDecimal.TEN.pow(Math.max(0, decimal.precision() - scale)).subtract(BigDecimal.ONE);
      high = high.min(cap);
    }
    BigDecimal span = high.subtract(low).max(BigDecimal.ZERO);
    BigDecimal value = low.add(span.multiply(BigDecimal.valueOf(random.nextDouble())))
        .setScale(scale, RoundingMode.DOWN);
    if (value.compareTo(low) < 0) {
      value = low.setScale(scale, RoundingMode.UP);
    }
    return JSON.numberNode(value);
  }

  /** A bound of the options, nudged inside an exclusive one; {@code otherwise} when none is given. */
  private static BigDecimal bound(String inclusive, String exclusive, boolean lower, BigDecimal otherwise) {
    try {
      if (inclusive != null) {
        return new BigDecimal(inclusive);
      }
      if (exclusive != null) {
        BigDecimal e = new BigDecimal(exclusive);
        BigDecimal step = new BigDecimal("0.01");
        return lower ? e.add(step) : e.subtract(step);
      }
    } catch (NumberFormatException e) {
      // not a number (a date bound on a number is refused by lint): the default range
    }
    return otherwise;
  }

  private static String date(Field f, RandomGenerator random) {
    LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(random.nextInt(30));
    String format = f.options().format();
    if (format == null || List.of("yyyy-MM-dd", "uuuu-MM-dd", "date", "iso").contains(format)) {
      return day.toString();
    }
    try {
      return DateTimeFormatter.ofPattern(format).format(day);
    } catch (IllegalArgumentException e) {
      return day.toString(); // a format the validator reads some other way; the check before sending decides
    }
  }
}
