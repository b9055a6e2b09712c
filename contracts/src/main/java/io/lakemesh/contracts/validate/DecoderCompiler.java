package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.TypeOptions;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.validate.StreamDecoder.SlowPath;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Compiles contract properties into {@link Decoder}s: all option parsing, regex compilation and bound conversion
 * happens here, once, so that validating a row only runs the checks.
 */
final class DecoderCompiler {
  private static final BigDecimal LONG_MAX = BigDecimal.valueOf(Long.MAX_VALUE);
  // timestamps are CEL timestamps too, whose range is years 1 to 9999 (RFC 3339)
  private static final long MIN_EPOCH_MILLIS = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
  private static final long MAX_EPOCH_MILLIS = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

  private DecoderCompiler() {}

  /** A struct decoder for an object's properties, producing a {@link GenericRecord} of {@code struct}. */
  static StructDecoder struct(Types.StructType struct, List<Field> fields, String prefix) {
    List<StructDecoder.Member> members = new ArrayList<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      Types.NestedField column = struct.fields().get(i);
      String path = prefix.isEmpty() ? f.name() : prefix + "." + f.name();
      Compiled c = decoder(f, column.type(), path);
      List<StructDecoder.NestedRule> nested = new ArrayList<>();
      nestedMissingRules(f, List.of(), nested);
      members.add(new StructDecoder.Member(f.name(), i, f.required() || f.isPrimaryKey(), missingRules(f),
          c.tree(), c.stream(), f.physicalName(), nested));
    }
    return new StructDecoder(struct, members);
  }

  /** Every {@code nullValues} and {@code missingValues} rule of a property: each counts its own offenders. */
  private static List<QualityRule.Library> missingRules(Field f) {
    List<QualityRule.Library> rules = new ArrayList<>();
    for (QualityRule rule : f.quality()) {
      if (rule instanceof QualityRule.Library lib
          && (lib.metric().equals("nullValues") || lib.metric().equals("missingValues"))) {
        rules.add(lib);
      }
    }
    return rules;
  }

  /** The missing-value rules of the properties inside an object property, through nested objects (not arrays). */
  private static void nestedMissingRules(Field object, List<String> below, List<StructDecoder.NestedRule> out) {
    if (object.type() != io.lakemesh.contracts.model.LogicalType.OBJECT) {
      return;
    }
    for (Field p : object.properties()) {
      List<String> path = new ArrayList<>(below);
      path.add(p.name());
      missingRules(p).forEach(rule -> out.add(new StructDecoder.NestedRule(path, rule)));
      nestedMissingRules(p, path, out);
    }
  }

  /** One property's two readers: of a parsed tree (explains every problem), and of a parser (common case only). */
  private record Compiled(Decoder tree, StreamDecoder stream) {}

  private static Compiled decoder(Field f, Type type, String path) {
    Compiled base = switch (type.typeId()) {
      case STRING -> f.isFreeFormObject() ? jsonText(f) : stringDecoder(f);
      case INTEGER, LONG -> integerDecoder(f, type.typeId() == Type.TypeID.INTEGER);
      case DECIMAL -> decimalDecoder(f, (Types.DecimalType) type);
      case DOUBLE, FLOAT -> doubleDecoder(f, type.typeId() == Type.TypeID.FLOAT);
      case BOOLEAN -> new Compiled((v, p, fs) -> {
        if (!v.isBoolean()) {
          fs.error("type", p, "logicalType", "expected a boolean (true or false), got " + kind(v)
              + (v.isValueNode() && !v.isNull() ? " " + (v.isTextual() ? "'" + ShownText.of(v.asText()) + "'"
                  : ShownText.of(v.asText())) : ""));
          return null;
        }
        return v.booleanValue();
      }, (parser, t) -> switch (t) {
        case VALUE_TRUE -> Boolean.TRUE;
        case VALUE_FALSE -> Boolean.FALSE;
        default -> throw SlowPath.INSTANCE;
      });
      case DATE -> dateDecoder(f);
      case TIME -> timeDecoder(f);
      case TIMESTAMP -> timestampDecoder(f);
      case STRUCT -> {
        StructDecoder inner = struct(type.asStructType(), f.properties(), path);
        boolean members = f.options().constrainsMembers();
        yield new Compiled((v, p, fs) -> {
          if (!v.isObject()) {
            fs.error("type", p, "logicalType", "expected an object");
            return null;
          }
          checkMembers(f, v, p, fs);
          return inner.decode(v, p, fs);
        }, (parser, t) -> {
          if (t != JsonToken.START_OBJECT || members) {
            throw SlowPath.INSTANCE; // members are counted by the tree decoder (rare options)
          }
          return inner.read(parser);
        });
      }
      case LIST -> listDecoder(f, type.asListType(), path);
      default -> throw new IllegalArgumentException("unsupported type " + type + " for " + path);
    };
    return withValueRules(f, base);
  }

  /**
   * A value of no declared shape (an object without properties, an item of an array without items), stored as its
   * JSON text: a string as itself, anything else as compact JSON. Read by the tree decoders only (rare).
   */
  private static Compiled jsonText(Field object) {
    return jsonText(true, object);
  }

  private static Compiled jsonText(boolean objectOnly) {
    return jsonText(objectOnly, null);
  }

  private static Compiled jsonText(boolean objectOnly, Field object) {
    return new Compiled((v, p, fs) -> {
      if (objectOnly && !v.isObject()) {
        fs.error("type", p, "logicalType", "expected an object, got " + kind(v));
        return null;
      }
      if (object != null) {
        checkMembers(object, v, p, fs);
      }
      return v.isTextual() ? v.textValue() : v.toString();
    }, (parser, t) -> {
      throw SlowPath.INSTANCE;
    });
  }

  /**
   * An object's {@code logicalTypeOptions}: the members it must have ({@code required}, present even if null, as
   * JSON Schema means it) and how many it may have ({@code minProperties}, {@code maxProperties}).
   */
  private static void checkMembers(Field f, JsonNode v, FieldPath p, Findings fs) {
    TypeOptions o = f.options();
    for (String name : o.requiredProperties()) {
      if (!v.has(name)) {
        // the object as the event has it (legs[0], not the items' own name, which no reason uses)
        String object = p.toString();
        fs.error("required", p.member(name), "required", "is required (logicalTypeOptions.required of "
            + (object.isEmpty() ? f.name() : object) + ")");
      }
    }
    if (o.minProperties() != null && v.size() < o.minProperties()) {
      fs.error("min_properties", p, "minProperties", "has " + v.size() + " member(s), at least "
          + o.minProperties() + " required");
    }
    if (o.maxProperties() != null && v.size() > o.maxProperties()) {
      fs.error("max_properties", p, "maxProperties", "has " + v.size() + " members, at most " + o.maxProperties()
          + " allowed");
    }
  }

  /** The valid values for a message: all of a short list, else its first few. */
  private static String listed(List<String> values) {
    return values.size() <= 8 ? " " + values : " [" + String.join(", ", values.subList(0, 8)) + ", … "
        + (values.size() - 8) + " more]";
  }

  /** Property-level library rules on values: {@code invalidValues} with valid values or a pattern. */
  private static Compiled withValueRules(Field f, Compiled base) {
    List<ValueCheck> checks = new ArrayList<>();
    for (QualityRule rule : f.quality()) {
      if (!(rule instanceof QualityRule.Library lib) || !lib.metric().equals("invalidValues")) {
        continue;
      }
      // a non-zero threshold is about a share of a batch, not a single row: the row stays and is counted
      Severity severity = lib.rejectsAnyOffender() ? lib.severity() : Severity.WARNING;
      Set<String> valid = lib.validValues().isEmpty() ? null : new HashSet<>(lib.validValues());
      Pattern pattern = lib.pattern() == null ? null : ContractPatterns.compile(lib.pattern());
      checks.add((text, p, fs) -> {
        // the message says which test failed: an operator reading quarantine cannot tell them apart otherwise
        if (valid != null && !valid.contains(text)) {
          fs.add(severity, "invalid_value", p, lib.name(), "'" + ShownText.of(text) + "' is not one of the valid"
              + " values" + listed(lib.validValues()));
        } else if (pattern != null && !pattern.matcher(text).find()) {
          fs.add(severity, "invalid_value", p, lib.name(), "'" + ShownText.of(text) + "' does not match "
              + lib.pattern());
        }
      });
    }
    if (checks.isEmpty()) {
      return base;
    }
    Decoder tree = (v, p, fs) -> {
      Object decoded = base.tree().decode(v, p, fs);
      if (decoded != null) {
        String text = v.isTextual() ? v.textValue() : v.toString();
        for (ValueCheck check : checks) {
          check.check(text, p, fs);
        }
      }
      return decoded;
    };
    KnownStrings clean = f.type() == LogicalType.STRING && !f.isFreeFormObject() ? cleanValues(f, tree) : null;
    StreamDecoder stream = (parser, t) -> {
      // the rules read a value's JSON text; only a string's is at hand while streaming
      if (t != JsonToken.VALUE_STRING) {
        return viaTree(tree, parser);
      }
      if (clean != null) {
        String known = clean.find(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
        if (known != null) {
          return known; // a listed value every check of the property passes: nothing to check again
        }
      }
      Object decoded = base.stream().read(parser, t);
      String text = parser.getText();
      for (ValueCheck check : checks) {
        check.check(text, FieldPath.ROOT, Findings.TRIPWIRE);
      }
      return decoded;
    };
    return new Compiled(tree, stream);
  }

  /**
   * The property's listed valid values that pass every check of it without a finding (so a row holding one needs
   * no check), or null when it lists none.
   */
  private static KnownStrings cleanValues(Field f, Decoder checks) {
    List<String> listed = new ArrayList<>();
    for (QualityRule rule : f.quality()) {
      if (rule instanceof QualityRule.Library lib && lib.metric().equals("invalidValues")) {
        listed.addAll(lib.validValues());
      }
    }
    List<String> clean = new ArrayList<>();
    for (String value : listed) {
      Findings findings = new Findings();
      checks.decode(com.fasterxml.jackson.databind.node.TextNode.valueOf(value), FieldPath.ROOT, findings);
      if (!findings.hasErrors() && findings.warnings().isEmpty()) {
        clean.add(value);
      }
    }
    KnownStrings known = new KnownStrings(clean);
    return known.isEmpty() ? null : known;
  }

  private interface ValueCheck {
    void check(String text, FieldPath p, Findings fs);
  }

  private static String characters(int n) {
    return n == 1 ? "1 character" : n + " characters";
  }

  private static Compiled stringDecoder(Field f) {
    Pattern pattern = f.options().pattern() == null ? null : ContractPatterns.compile(f.options().pattern());
    Integer minLength = f.options().minLength();
    Integer maxLength = f.maxLength();
    // a limit that comes from a varchar(n) physical type says so: the author wrote no maxLength
    String maxLengthSource = f.options().maxLength() == null && maxLength != null ? " (physicalType "
        + f.physicalType().strip() + ")" : "";
    java.util.function.Predicate<String> format = StringFormats.check(f.options().format()).orElse(null);
    String formatName = f.options().format();
    ValueCheck checks = (s, p, fs) -> {
      if (format != null && !format.test(s)) {
        fs.error("format", p, "format", "'" + ShownText.of(s) + "' is not a valid " + formatName);
      }
      if (hasLoneSurrogate(s)) {
        // a JSON escape can spell half a surrogate pair: not Unicode text, and Parquet would store it as "?"
        fs.error("encoding", p, "logicalType", "contains an unpaired UTF-16 surrogate: not valid Unicode text");
      }
      if (pattern != null && !pattern.matcher(s).find()) {
        fs.error("pattern", p, "pattern", "'" + ShownText.of(s) + "' does not match " + f.options().pattern());
      }
      // code points never outnumber chars: a text of at most maxLength chars fits without counting them
      if (minLength != null || (maxLength != null && s.length() > maxLength)) {
        int length = s.codePointCount(0, s.length());
        if (minLength != null && length < minLength) {
          fs.error("min_length", p, "minLength", characters(length) + ", shorter than " + minLength);
        }
        if (maxLength != null && length > maxLength) {
          fs.error("max_length", p, "maxLength", characters(length) + ", longer than " + maxLength
              + maxLengthSource);
        }
      }
    };
    return new Compiled((v, p, fs) -> {
      if (!v.isTextual()) {
        fs.error("type", p, "logicalType", "expected a string, got " + kind(v));
        return null;
      }
      String s = v.textValue();
      checks.check(s, p, fs);
      return s;
    }, (parser, t) -> {
      if (t != JsonToken.VALUE_STRING) {
        throw SlowPath.INSTANCE;
      }
      String s = parser.getText();
      checks.check(s, FieldPath.ROOT, Findings.TRIPWIRE);
      return s;
    });
  }

  /** True when a surrogate char is not part of a high-low pair. */
  static boolean hasLoneSurrogate(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return true;
      }
    }
    return false;
  }

  private static Compiled integerDecoder(Field f, boolean int32) {
    Bounds bounds = Bounds.of(f);
    // the format narrows the storage type's range: i8, i16, u8, u16, u32, u64
    IntegerFormat format = IntegerFormat.of(f.options().format(), int32);
    BigDecimal min = format.min();
    BigDecimal max = format.max();
    String width = format.description();
    String widthRule = io.lakemesh.contracts.iceberg.IcebergMapping.widthSource(f);
    long minLong = min.longValueExact();
    long maxLong = max.compareTo(LONG_MAX) > 0 ? Long.MAX_VALUE : max.longValueExact();
    Decoder tree = (v, p, fs) -> {
      BigDecimal d = exactNumber(v);
      // stripped first: 1E+30000000 is a 12-byte integer whose plain form has 30 million digits, so nothing
      // below expands a number before its magnitude is known to fit
      BigDecimal whole = d == null ? null : d.stripTrailingZeros();
      if (whole == null || whole.scale() > 0) {
        fs.error("type", p, "logicalType", "expected an integer, got " + kind(v));
        return null;
      }
      if (whole.compareTo(min) < 0 || whole.compareTo(max) > 0) {
        fs.error("range", p, widthRule, show(d) + " does not fit " + width);
        return null;
      }
      bounds.check(whole, p, fs);
      return int32 ? (Object) whole.intValueExact() : (Object) whole.longValueExact();
    };
    StreamDecoder stream = (parser, t) -> {
      // integers written as integers that fit 64 bits; 2.0, 1E+3 and huge ones take the tree path
      if (t != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw SlowPath.INSTANCE;
      }
      long x = parser.getLongValue();
      if (x < minLong || x > maxLong) {
        throw SlowPath.INSTANCE;
      }
      if (bounds.any()) {
        bounds.check(BigDecimal.valueOf(x), FieldPath.ROOT, Findings.TRIPWIRE);
      }
      return int32 ? (Object) (int) x : (Object) x;
    };
    return new Compiled(tree, stream);
  }

  private static Compiled decimalDecoder(Field f, Types.DecimalType type) {
    Bounds bounds = Bounds.of(f);
    int scale = type.scale();
    int precision = type.precision();
    NumberCheck check = (d, p, fs) -> {
      if (d.signum() == 0) {
        // zero in any notation (0E+999999999 included) is zero at the column's scale
        BigDecimal zero = BigDecimal.ZERO.setScale(scale);
        bounds.check(zero, p, fs);
        return zero;
      }
      // magnitude and places are judged on the stripped form, so a huge exponent costs nothing to reject
      BigDecimal stripped = d.stripTrailingZeros();
      // a value the column cannot hold is still judged against the contract's minimum and maximum, so every such
      // check it fails is listed (and counted): 999.999 is too precise for decimal(5,2) and above a maximum of 60
      if (stripped.precision() - stripped.scale() > precision - scale) {
        fs.error("range", p, "physicalType", show(d) + " exceeds decimal(" + precision + "," + scale + ")");
        bounds.checkOrder(stripped, p, fs);
        return null;
      }
      if (stripped.scale() > scale) {
        fs.error("scale", p, "physicalType", show(d) + " has more than " + scale + " decimal places");
        bounds.checkOrder(stripped, p, fs);
        return null;
      }
      BigDecimal scaled = stripped.setScale(scale, RoundingMode.UNNECESSARY);
      bounds.check(scaled, p, fs);
      return scaled;
    };
    Compiled exact = numberDecoder(check);
    boolean anyBounds = bounds.any();
    StreamDecoder stream = (parser, t) -> {
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        // the number's text, read in place: no BigDecimal parse and copies for the common 42.00
        BigDecimal fast = DecimalText.atScale(parser.getTextCharacters(), parser.getTextOffset(),
            parser.getTextLength(), precision, scale);
        if (fast != null) {
          if (anyBounds) {
            bounds.check(fast, FieldPath.ROOT, Findings.TRIPWIRE);
          }
          return fast;
        }
      }
      return exact.stream().read(parser, t);
    };
    return new Compiled(exact.tree(), stream);
  }

  private static Compiled doubleDecoder(Field f, boolean float32) {
    Bounds bounds = Bounds.of(f);
    NumberCheck check = (d, p, fs) -> {
      double x = float32 ? d.floatValue() : d.doubleValue();
      if (Double.isInfinite(x)) {
        fs.error("range", p, io.lakemesh.contracts.iceberg.IcebergMapping.widthSource(f), show(d) + " does not fit a " + (float32 ? "32" : "64")
            + "-bit float");
        return null;
      }
      // the bounds judge the value that is stored (and that CEL rules see), not the digits that were sent
      // stripped, so -1 is said as -1, not -1.0
      bounds.check((float32 ? new BigDecimal(Float.toString((float) x)) : BigDecimal.valueOf(x)).stripTrailingZeros(),
          p, fs);
      return float32 ? (Object) (float) x : (Object) x;
    };
    return numberDecoder(check);
  }

  /** A number's exact value turned into the column's value, or null (a finding says why). */
  private interface NumberCheck {
    Object apply(BigDecimal exact, FieldPath p, Findings fs);
  }

  private static Compiled numberDecoder(NumberCheck check) {
    return new Compiled((v, p, fs) -> {
      BigDecimal d = exactNumber(v);
      if (d == null) {
        fs.error("type", p, "logicalType", "expected a number, got " + kind(v));
        return null;
      }
      return check.apply(d, p, fs);
    }, (parser, t) -> {
      if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
        throw SlowPath.INSTANCE;
      }
      // the same exact value the tree parser (exact decimals) would have produced
      return check.apply(parser.getDecimalValue(), FieldPath.ROOT, Findings.TRIPWIRE);
    });
  }

  private interface Parser {
    Object parse(String text);
  }

  /**
   * A date as ISO {@code yyyy-MM-dd}, or in the pattern of its {@code format} (e.g. {@code dd/MM/yyyy}), read
   * strictly (no 31/02); bounds may be written either way. Stored as a date either way.
   */
  private static Compiled dateDecoder(Field f) {
    String format = f.options().format();
    if (format == null || List.of("yyyy-MM-dd", "uuuu-MM-dd", "date", "iso").contains(format)) {
      return temporalDecoder(f, "a date (yyyy-MM-dd)", DecoderCompiler::parseDate, DecoderCompiler::parseDate);
    }
    java.time.format.DateTimeFormatter pattern = Timestamps.strictPattern(format);
    // the contract's pattern first (its order of day and month decides), then ISO, as times and timestamps read both
    Parser either = text -> {
      try {
        return LocalDate.parse(text, pattern);
      } catch (DateTimeException notInPattern) {
        try {
          return parseDate(text);
        } catch (DateTimeException notIso) {
          throw notInPattern;
        }
      }
    };
    return temporalDecoder(f, "a date (" + format + ", or yyyy-MM-dd)", either, either);
  }

  /**
   * A time as ISO {@code HH:mm[:ss[.f]]}, or in the pattern of its {@code format} (e.g. {@code HHmm}), as timestamps
   * read theirs besides ISO-8601; bounds may be written either way. A format that is no pattern is documentation.
   */
  private static Compiled timeDecoder(Field f) {
    String expected = "a time (HH:mm, HH:mm:ss or with a fraction";
    java.time.format.DateTimeFormatter pattern = Timestamps.timePattern(f.options().format());
    if (pattern == null) {
      return temporalDecoder(f, expected + ")", Timestamps::parseTime, LocalTime::parse);
    }
    Parser either = text -> Timestamps.parseTime(text, pattern);
    return temporalDecoder(f, expected + ", or " + f.options().format() + ")", either, either);
  }

  private static Compiled temporalDecoder(Field f, String expected, Parser parser, Parser boundParser) {
    TemporalBounds bounds = TemporalBounds.of(f, boundParser::parse);
    return new Compiled((v, p, fs) -> {
      if (!v.isTextual()) {
        fs.error("type", p, "logicalType", "expected " + expected + ", got " + kind(v));
        return null;
      }
      Object parsed;
      try {
        parsed = parser.parse(v.textValue());
      } catch (DateTimeException e) {
        fs.error("type", p, "logicalType", "'" + ShownText.of(v.textValue()) + "' is not " + expected);
        return null;
      }
      bounds.check(parsed, p, fs);
      return parsed;
    }, (json, t) -> {
      if (t != JsonToken.VALUE_STRING) {
        throw SlowPath.INSTANCE;
      }
      Object parsed;
      try {
        parsed = parser.parse(json.getText());
      } catch (DateTimeException e) {
        throw SlowPath.INSTANCE;
      }
      bounds.check(parsed, FieldPath.ROOT, Findings.TRIPWIRE);
      return parsed;
    });
  }

  /**
   * An ISO date with a four-digit year. {@link LocalDate#parse} also takes {@code +10000-01-01} and
   * {@code -0001-01-01}, whose text does not sort in date order, and CEL rules and filters compare dates as text.
   */
  static LocalDate parseDate(String text) {
    if (text.length() != 10 || text.charAt(4) != '-') {
      throw new DateTimeParseException("not yyyy-MM-dd", text, 0);
    }
    return LocalDate.parse(text);
  }

  private static Compiled timestampDecoder(Field f) {
    Timestamps.Reading reading = Timestamps.Reading.of(f.options());
    String expected = reading.pattern() == null ? "an ISO-8601 timestamp" : "a timestamp (ISO-8601, or "
        + f.options().format() + ")";
    TemporalBounds bounds = TemporalBounds.of(f, text -> reading.parse(text).toInstant());
    Decoder tree = (v, p, fs) -> {
      OffsetDateTime parsed;
      if (v.isIntegralNumber()) {
        long millis = v.canConvertToLong() ? v.longValue() : Long.MAX_VALUE;
        if (millis < MIN_EPOCH_MILLIS || millis > MAX_EPOCH_MILLIS) {
          fs.error("range", p, "logicalType", ShownText.of(v.asText()) + " ms since 1970 is outside years 1 to 9999");
          return null;
        }
        parsed = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
      } else if (v.isTextual()) {
        try {
          parsed = reading.parse(v.textValue());
        } catch (DateTimeException e) {
          fs.error("type", p, "logicalType", "'" + ShownText.of(v.textValue()) + "' is not " + expected);
          return null;
        }
        if (parsed.getYear() < 1 || parsed.getYear() > 9999) {
          fs.error("range", p, "logicalType", "'" + ShownText.of(v.textValue()) + "' is outside years 1 to 9999");
          return null;
        }
      } else {
        fs.error("type", p, "logicalType", v.isNumber()
            ? ShownText.of(v.asText()) + " is not a whole number of milliseconds since 1970 (write 1500000000000, or"
                + " an ISO-8601 timestamp)"
            : "expected an ISO-8601 timestamp (or whole milliseconds since 1970), got " + kind(v));
        return null;
      }
      bounds.check(parsed.toInstant(), p, fs);
      return parsed;
    };
    StreamDecoder stream = (parser, t) -> {
      OffsetDateTime parsed;
      if (t == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
        long millis = parser.getLongValue();
        if (millis < MIN_EPOCH_MILLIS || millis > MAX_EPOCH_MILLIS) {
          throw SlowPath.INSTANCE;
        }
        parsed = Instant.ofEpochMilli(millis).atOffset(ZoneOffset.UTC);
      } else if (t == JsonToken.VALUE_STRING) {
        try {
          parsed = reading.parse(parser.getText());
        } catch (DateTimeException e) {
          throw SlowPath.INSTANCE;
        }
        if (parsed.getYear() < 1 || parsed.getYear() > 9999) {
          throw SlowPath.INSTANCE;
        }
      } else {
        throw SlowPath.INSTANCE;
      }
      if (bounds.any()) {
        bounds.check(parsed.toInstant(), FieldPath.ROOT, Findings.TRIPWIRE);
      }
      return parsed;
    };
    return new Compiled(tree, stream);
  }

  /** A date's, time's or timestamp's bounds from {@code logicalTypeOptions}, inclusive and exclusive. */
  private record TemporalBounds(Object min, Object max, Object exclusiveMin, Object exclusiveMax, TypeOptions written) {
    static TemporalBounds of(Field f, java.util.function.Function<String, Object> parse) {
      TypeOptions o = f.options();
      return new TemporalBounds(o.minimum() == null ? null : parse.apply(o.minimum()),
          o.maximum() == null ? null : parse.apply(o.maximum()),
          o.exclusiveMinimum() == null ? null : parse.apply(o.exclusiveMinimum()),
          o.exclusiveMaximum() == null ? null : parse.apply(o.exclusiveMaximum()), o);
    }

    boolean any() {
      return min != null || max != null || exclusiveMin != null || exclusiveMax != null;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    void check(Object value, FieldPath p, Findings fs) {
      Comparable v = (Comparable) value;
      if (min != null && v.compareTo(min) < 0) {
        fs.error("minimum", p, "minimum", text(value) + " is before the minimum " + bound(min, written.minimum()));
      }
      if (exclusiveMin != null && v.compareTo(exclusiveMin) <= 0) {
        fs.error("minimum", p, "exclusiveMinimum", text(value) + " must be after "
            + bound(exclusiveMin, written.exclusiveMinimum()));
      }
      if (max != null && v.compareTo(max) > 0) {
        fs.error("maximum", p, "maximum", text(value) + " is after the maximum " + bound(max, written.maximum()));
      }
      if (exclusiveMax != null && v.compareTo(exclusiveMax) >= 0) {
        fs.error("maximum", p, "exclusiveMaximum", text(value) + " must be before "
            + bound(exclusiveMax, written.exclusiveMaximum()));
      }
    }

    /**
     * A timestamp bound as the contract writes it, then in UTC as the value is shown, when the two differ (a bound
     * with an offset): the reader finds the contract's text and can compare the instants.
     */
    private static String bound(Object parsed, String asWritten) {
      String utc = text(parsed);
      return parsed instanceof java.time.Instant && !asWritten.equals(utc) ? asWritten + " (" + utc + ")" : utc;
    }

    /** A time with its seconds, as the contract and the rows write it ({@code LocalTime} drops ":00"). */
    private static String text(Object value) {
      return value instanceof java.time.LocalTime t
          ? t.format(java.time.format.DateTimeFormatter.ISO_LOCAL_TIME) : String.valueOf(value);
    }
  }

  /**
   * An item as uniqueItems compares it, as JSON Schema does: by value, so 1 and 1.0 (and -0.0 and 0) are one number,
   * also inside objects and arrays.
   */
  private static final com.fasterxml.jackson.databind.node.JsonNodeFactory EXACT_NODES =
      com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true);

  private static JsonNode sameValue(JsonNode v) {
    com.fasterxml.jackson.databind.node.JsonNodeFactory nodes = EXACT_NODES;
    if (v.isNumber()) {
      BigDecimal d = v.decimalValue();
      return nodes.numberNode(d.signum() == 0 ? BigDecimal.ZERO : d.stripTrailingZeros());
    }
    if (v.isObject()) {
      com.fasterxml.jackson.databind.node.ObjectNode out = nodes.objectNode();
      v.fields().forEachRemaining(e -> out.set(e.getKey(), sameValue(e.getValue())));
      return out;
    }
    if (v.isArray()) {
      com.fasterxml.jackson.databind.node.ArrayNode out = nodes.arrayNode();
      v.forEach(item -> out.add(sameValue(item)));
      return out;
    }
    return v;
  }

  private static Compiled listDecoder(Field f, Types.ListType type, String path) {
    Field itemField = f.items();
    // items of no declared type: any JSON value, kept as its JSON text
    Compiled element = itemField == null ? jsonText(false) : decoder(itemField, type.elementType(), path + "[]");
    boolean elementRequired = type.isElementRequired();
    Integer minItems = f.options().minItems();
    Integer maxItems = f.options().maxItems();
    boolean unique = f.options().uniqueItems();
    Decoder tree = (v, p, fs) -> {
      if (!v.isArray()) {
        fs.error("type", p, "logicalType", "expected an array, got " + kind(v));
        return null;
      }
      int n = v.size();
      if (minItems != null && n < minItems) {
        fs.error("min_items", p, "minItems", "has " + n + " item(s), at least " + minItems + " required");
      }
      if (maxItems != null && n > maxItems) {
        fs.error("max_items", p, "maxItems", "has " + n + " items, at most " + maxItems + " allowed");
      }
      List<Object> out = new ArrayList<>(n);
      // each distinct value with the index it first appeared at, so a repeat can name its earlier twin
      java.util.Map<JsonNode, Integer> seen = unique ? new java.util.HashMap<>() : null;
      for (int i = 0; i < n; i++) {
        JsonNode item = v.get(i);
        FieldPath itemPath = p.index(i);
        if (item == null || item.isNull()) {
          if (elementRequired) {
            fs.error("required", itemPath, "required", "an item may not be null");
          } else if (seen != null) {
            // as in JSON Schema's uniqueItems, a null equals a null
            Integer earlier = seen.putIfAbsent(com.fasterxml.jackson.databind.node.NullNode.getInstance(), i);
            if (earlier != null) {
              fs.error("unique_items", itemPath, "uniqueItems", "repeats item [" + earlier + "] (null)");
            }
          }
          out.add(null);
          continue;
        }
        Integer earlier = seen == null ? null : seen.putIfAbsent(sameValue(item), i);
        if (earlier != null) {
          fs.error("unique_items", itemPath, "uniqueItems", "repeats item [" + earlier + "] ("
              + ShownText.of(item.toString()) + ")");
        }
        out.add(element.tree().decode(item, itemPath, fs));
      }
      return out;
    };
    StreamDecoder stream = (parser, t) -> {
      if (unique) {
        return viaTree(tree, parser); // unique items are compared as JSON trees
      }
      if (t != JsonToken.START_ARRAY) {
        throw SlowPath.INSTANCE;
      }
      List<Object> out = new ArrayList<>();
      for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
        if (item == JsonToken.VALUE_NULL) {
          if (elementRequired) {
            throw SlowPath.INSTANCE;
          }
          out.add(null);
        } else {
          out.add(element.stream().read(parser, item));
        }
      }
      int n = out.size();
      if ((minItems != null && n < minItems) || (maxItems != null && n > maxItems)) {
        throw SlowPath.INSTANCE;
      }
      return out;
    };
    return new Compiled(tree, stream);
  }

  /**
   * Reads the current value as a tree (with the event parser's settings) for checks that need one. The streaming
   * parser leaves duplicate names to {@link StructDecoder#read}, so they are detected by Jackson inside this value.
   */
  private static Object viaTree(Decoder tree, JsonParser parser) throws java.io.IOException {
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    JsonNode node = parser.readValueAsTree();
    parser.disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return tree.decode(node, FieldPath.ROOT, Findings.TRIPWIRE);
  }

  /** Numbers only, parsed exactly (the event parser keeps decimals as {@link BigDecimal}). */
  private static BigDecimal exactNumber(JsonNode v) {
    return v.isNumber() ? v.decimalValue() : null;
  }

  private static String kind(JsonNode v) {
    return switch (v.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case NULL -> "null";
      default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /**
   * A number as people write it, bounded: plain digits when short, else scientific notation (an event's
   * {@code 1e999999999} must not become a billion-digit message).
   */
  static String show(BigDecimal d) {
    int digitsBeforePoint = d.precision() - d.scale();
    return ShownText.of(digitsBeforePoint > 21 || d.scale() > 21 ? d.toString() : d.toPlainString());
  }

  /** Numeric bounds of a property, parsed once. */
  private record Bounds(BigDecimal min, BigDecimal max, BigDecimal exclusiveMin, BigDecimal exclusiveMax,
      BigDecimal multipleOf) {
    static Bounds of(Field f) {
      return new Bounds(dec(f.options().minimum()), dec(f.options().maximum()), dec(f.options().exclusiveMinimum()),
          dec(f.options().exclusiveMaximum()), f.options().multipleOf());
    }

    boolean any() {
      return min != null || max != null || exclusiveMin != null || exclusiveMax != null || multipleOf != null;
    }

    private static BigDecimal dec(String s) {
      return s == null ? null : new BigDecimal(s);
    }

    void check(BigDecimal d, FieldPath p, Findings fs) {
      checkOrder(d, p, fs);
      if (multipleOf != null && d.remainder(multipleOf).signum() != 0) {
        fs.error("multiple_of", p, "multipleOf", show(d) + " is not a multiple of "
            + multipleOf.toPlainString());
      }
    }

    /**
     * The minimum and maximum alone: comparisons cost next to nothing at any magnitude, where the remainder of
     * multipleOf would compute every digit of 1.5E+1000000 (minutes); for a value the column cannot hold.
     */
    void checkOrder(BigDecimal d, FieldPath p, Findings fs) {
      if (min != null && d.compareTo(min) < 0) {
        fs.error("minimum", p, "minimum", show(d) + " is less than " + min.toPlainString());
      }
      if (max != null && d.compareTo(max) > 0) {
        fs.error("maximum", p, "maximum", show(d) + " is greater than " + max.toPlainString());
      }
      if (exclusiveMin != null && d.compareTo(exclusiveMin) <= 0) {
        fs.error("minimum", p, "exclusiveMinimum", show(d) + " must be greater than "
            + exclusiveMin.toPlainString());
      }
      if (exclusiveMax != null && d.compareTo(exclusiveMax) >= 0) {
        fs.error("maximum", p, "exclusiveMaximum", show(d) + " must be less than "
            + exclusiveMax.toPlainString());
      }
    }
  }
}
