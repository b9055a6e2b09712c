package io.lakemesh.contracts;

import com.fasterxml.jackson.databind.JsonNode;
import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.validate.ContractPatterns;
import io.lakemesh.contracts.validate.IntegerFormat;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.ContractMetadata;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LocatedRule;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.model.TypeOptions;
import io.lakemesh.contracts.policy.AccessPolicy;
import io.lakemesh.contracts.sla.ServiceLevels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.iceberg.types.Types;

/** Lakemesh's checks beyond the ODCS JSON Schema: things a schema cannot see. */
final class SemanticChecks {
  /** Semantic Versioning 2.0.0: X.Y.Z with an optional pre-release and build. */
  private static final Pattern SEMVER = Pattern.compile(
      "(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})\\.(0|[1-9]\\d{0,8})(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  private SemanticChecks() {}

  static List<Problem> check(Contract contract) {
    return check(contract, false);
  }

  /**
   * @param lenient the document already has problems: a step that trips over a value they are about (a type it
   *     cannot map) adds nothing, and the other steps still run, so one lint lists every mistake
   */
  static List<Problem> check(Contract contract, boolean lenient) {
    List<Problem> problems = new ArrayList<>();
    if (!SEMVER.matcher(contract.version()).matches()) {
      problems.add(new Problem("/version", "'" + contract.version() + "' is not a semantic version X.Y.Z (e.g."
          + " 1.0.0): the evolution gate reads the major version from it"));
    }
    String base = contract.table().pointer() + "/properties";
    step(lenient, problems, () -> checkFields(contract, contract.table().fields(), base, 0, problems));
    step(lenient, problems, () -> checkPositions(contract, problems));
    if (contract.stage() != Stage.SOURCE && (contract.settings().upstream() == null)) {
      problems.add(new Problem("/customProperties", "a " + contract.stage().odcsName()
          + " product needs lakemeshUpstream naming the product it derives from"));
    }
    if (contract.settings().partitions() < 1 || contract.settings().partitions() > 1024) {
      problems.add(new Problem(contract.settingPointer("lakemeshPartitions"),
          "lakemeshPartitions must be between 1 and 1024"));
    }
    step(lenient, problems, () -> checkRules(contract, problems));
    step(lenient, problems, () -> problems.addAll(io.lakemesh.contracts.aggregate.AggregatePlan.problems(contract)));
    step(lenient, problems, () -> checkRelationships(contract, problems));
    step(lenient, problems, () -> problems.addAll(AccessPolicy.problems(contract)));
    step(lenient, problems, () -> problems.addAll(ServiceLevels.problems(contract)));
    return problems;
  }

  /** One group of checks; on a document with problems, its failure drops only what it would have found. */
  private static void step(boolean lenient, List<Problem> problems, Runnable checks) {
    int before = problems.size();
    try {
      checks.run();
    } catch (RuntimeException e) {
      if (!lenient) {
        throw e;
      }
      problems.subList(before, problems.size()).clear(); // half a step's findings may be its failure's echo
    }
  }

  /**
   * A relationship of this product's schema object must start at one of its properties, and one that points into a
   * schema object of the same document must point at a property that exists there; references into other
   * contracts cannot be checked here.
   */
  private static void checkRelationships(Contract contract, List<Problem> problems) {
    JsonNode objects = contract.document().path("schema");
    JsonNode self = objects.path(contract.table().index());
    String object = contract.table().name();
    for (ContractMetadata.Relationship rel : contract.metadata().relationships()) {
      if (!rel.path().startsWith(contract.table().pointer() + "/")) {
        continue; // another object's: checked with its own product
      }
      if (rel.from().isEmpty() || rel.to().isEmpty()) {
        problems.add(new Problem(rel.path(), "a relationship needs both 'from' and 'to'"));
        continue;
      }
      if (rel.from().size() != rel.to().size()) {
        problems.add(new Problem(rel.path(), "'from' and 'to' must name as many properties as each other"));
      }
      for (String from : rel.from()) {
        if (from.contains("/")) {
          String ownPrefix = "schema/" + (self.hasNonNull("id") ? self.path("id").asText() : object) + "/";
          String dangling = from.contains("#") || !from.replaceFirst("^/", "").startsWith(ownPrefix)
              ? "'" + from + "' is not a property of " + object + ": 'from' is one of its own (" + object
                  + ".<property>, or " + ownPrefix + "properties/<property id>)"
              : danglingById(objects, from);
          if (dangling != null) {
            problems.add(new Problem(rel.path() + "/from", dangling));
          }
        } else if (!resolves(self, from)) {
          problems.add(new Problem(rel.path() + "/from", "'" + from + "' is not a property of " + object));
        }
      }
      for (String to : rel.to()) {
        String dangling = danglingTarget(objects, to);
        if (dangling != null) {
          problems.add(new Problem(rel.path() + "/to", dangling));
        }
      }
    }
  }

  /**
   * Why {@code to} points at nothing, or null. A reference into this document is checked: ODCS's shorthand
   * {@code object.property} naming one of its schema objects, and a fully qualified one by ids
   * ({@code schema/<object id>/properties/<property id>}, or {@code #/schema/...}). Shorthand naming an object this
   * document does not have is taken as another contract's (ODCS's own full example writes them so), and a
   * reference with a file ({@code customers.odcs.yaml#/schema/...}) is another contract's: neither is checked here.
   */
  private static String danglingTarget(JsonNode objects, String to) {
    if (to.startsWith("#")) {
      return danglingById(objects, to.substring(1));
    }
    if (to.contains("#")) {
      return null;
    }
    if (to.contains("/")) {
      return danglingById(objects, to);
    }
    for (JsonNode target : objects) {
      if (names(target, to)) {
        return resolves(target, to) ? null
            : "'" + to + "' is not a property of " + target.path("name").asText();
      }
    }
    return null;
  }

  /** A fully qualified reference within this document: each step matches an {@code id} of the level below. */
  private static String danglingById(JsonNode objects, String to) {
    String[] parts = to.replaceFirst("^/", "").split("/");
    if (parts.length < 2 || !parts[0].equals("schema") || parts.length % 2 != 0) {
      return "'" + to + "' is not a reference into this contract's schema (schema/<object id>/properties/<property"
          + " id>)";
    }
    JsonNode level = objects;
    for (int i = 1; i < parts.length; i += 2) {
      if (i > 1 && !parts[i - 1].equals("properties")) {
        return "'" + to + "': expected 'properties' before '" + parts[i] + "', not '" + parts[i - 1] + "'";
      }
      JsonNode found = null;
      for (JsonNode item : level) {
        // by id, as ODCS means it; by name where the item has no id (ids are optional)
        String key = item.hasNonNull("id") ? item.path("id").asText() : item.path("name").asText();
        if (key.equals(parts[i])) {
          found = item;
        }
      }
      if (found == null) {
        return "'" + to + "': no " + (i == 1 ? "schema object" : "property") + " here has id '" + parts[i]
            + "' (a reference by ids names each level's id, or its name where it has no id)";
      }
      level = found.has("items") ? found.path("items").path("properties") : found.path("properties");
    }
    return null;
  }

  /**
   * True when {@code reference} starts with the object's name: as written, or as its product names it (ODCS
   * references cannot hold spaces, so {@code Order_Lines.id} names object {@code Order Lines}).
   */
  private static boolean names(JsonNode object, String reference) {
    int dot = reference.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    String name = object.path("name").asText();
    String prefix = reference.substring(0, dot);
    return prefix.equals(name) || ProductIds.normalize(prefix).equals(ProductIds.normalize(name));
  }

  /** True when {@code reference} ({@code prop.sub}, or {@code object.prop.sub}) names a property of the object. */
  private static boolean resolves(JsonNode object, String reference) {
    String path = names(object, reference) ? reference.substring(reference.indexOf('.') + 1) : reference;
    JsonNode properties = object.path("properties");
    JsonNode found = null;
    for (String part : path.split("\\.")) {
      found = null;
      for (JsonNode p : properties) {
        if (p.path("name").asText().equals(part)) {
          found = p;
        }
      }
      if (found == null) {
        return false;
      }
      properties = found.has("items") ? found.path("items").path("properties") : found.path("properties");
    }
    return found != null;
  }

  private static void checkFields(Contract contract, List<Field> fields, String path, int depth,
      List<Problem> problems) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < fields.size(); i++) {
      Field f = fields.get(i);
      String p = path + "/" + i;
      if (!names.add(f.name())) {
        problems.add(new Problem(p + "/name", "duplicate property name '" + f.name() + "'"));
      }
      if (depth > 0 && f.isPrimaryKey()) {
        problems.add(new Problem(p + "/primaryKey", "'" + f.name() + "' is nested: a primary key is made of"
            + " top-level properties"));
      }
      if (depth > 0 && f.isPartitioned()) {
        problems.add(new Problem(p + "/partitioned", "'" + f.name() + "' is nested: tables are partitioned by"
            + " top-level properties"));
      }
      if (f.partitionTransform() != null && !IcebergMapping.isKnownTransform(f.partitionTransform())) {
        problems.add(new Problem(partitionTransformPointer(contract, p), "unknown partition transform '"
            + f.partitionTransform() + "' (identity, year, month, day, hour, bucket[N], truncate[N])"));
      }
      checkValue(contract, f, p, depth, problems);
    }
  }

  /** The checks of what a property holds: also for an array's items, which are a value without a name. */
  private static void checkValue(Contract contract, Field f, String p, int depth, List<Problem> problems) {
    if (f.options().pattern() != null) {
      try {
        ContractPatterns.compile(f.options().pattern());
      } catch (PatternSyntaxException e) {
        problems.add(new Problem(p + "/logicalTypeOptions/pattern", "not a valid regular expression: "
            + e.getDescription()));
      }
    }
    int before = problems.size();
    checkDecimal(f, p + "/physicalType", problems);
    if (problems.size() == before) { // bounds are judged against the column's type, which a bad decimal leaves open
      checkBounds(f, p + "/logicalTypeOptions", problems);
    }
    checkPhysicalType(f, p + "/physicalType", problems);
    if (f.options().defaultTimezone() != null && f.type() != LogicalType.TIMESTAMP) {
      problems.add(new Problem(p + "/logicalTypeOptions/defaultTimezone", "defaultTimezone applies to timestamps;"
          + " '" + f.name() + "' is a " + f.type().odcsName() + " (a time of day is stored without a zone)"));
    } else if (f.options().defaultTimezone() != null) {
      try {
        io.lakemesh.contracts.validate.Timestamps.zone(f.options().defaultTimezone());
      } catch (java.time.DateTimeException e) {
        problems.add(new Problem(p + "/logicalTypeOptions/defaultTimezone", "'" + f.options().defaultTimezone()
            + "' is not a time zone (an IANA name such as Europe/Paris, or an offset such as +08:00)"));
      }
    }
    checkFields(contract, f.properties(), p + "/properties", depth + 1, problems);
    if (f.items() != null) {
      checkValue(contract, f.items(), p + "/items", depth + 1, problems);
    }
  }

  /** The pointer of a property's partition transform value, or of the property when it declares none. */
  static String partitionTransformPointer(Contract contract, String propertyPointer) {
    for (String key : List.of("partitionTransform", "lakemeshPartitionTransform")) {
      String pointer = ContractReader.customValuePointer(contract.document(), propertyPointer, key);
      if (!pointer.endsWith("/customProperties")) {
        return pointer;
      }
    }
    return propertyPointer;
  }

  private static final Pattern NUMERIC_PHYSICAL = Pattern.compile(
      "(?i)(decimal|numeric|number)\\s*(\\(.*\\))?|tinyint|smallint|int|integer|bigint|long|int(8|16|32|64)|float|real"
          + "|double( precision)?");
  private static final Pattern DECIMAL_PHYSICAL = Pattern.compile("(?i)(decimal|numeric|number)\\s*(\\(.*\\))?");

  /**
   * physicalType is free-form in ODCS, and Lakemesh reads it only for numbers (decimal, float, bigint, ...). A
   * numeric physical type on another logical type, or a decimal on an integer, would be ignored without a word, so
   * the column would not get the type the author wrote.
   */
  private static void checkPhysicalType(Field f, String pointer, List<Problem> problems) {
    String physical = f.physicalType() == null ? "" : f.physicalType().trim();
    if (physical.isEmpty()) {
      return;
    }
    boolean numeric = NUMERIC_PHYSICAL.matcher(physical).matches();
    if (numeric && f.type() != LogicalType.NUMBER && f.type() != LogicalType.INTEGER) {
      problems.add(new Problem(pointer, "physicalType " + physical + " is numeric but '" + f.name()
          + "' has logicalType " + f.type().name().toLowerCase(java.util.Locale.ROOT)
          + ": it would be ignored; drop it or use logicalType number or integer"));
    } else if (f.type() == LogicalType.INTEGER && DECIMAL_PHYSICAL.matcher(physical).matches()
        && IcebergMapping.wholeDigits(f) == 0) {
      // NUMBER(10) or decimal(12,0) is a whole number of that many digits: an int or a long by its digits
      problems.add(new Problem(pointer, "physicalType " + physical + " on integer '" + f.name() + "' would be"
          + " ignored (integers are int or bigint, or a decimal of scale 0 such as NUMBER(10)): use logicalType"
          + " number for a decimal"));
    }
  }

  private static void checkDecimal(Field f, String pointer, List<Problem> problems) {
    String physical = f.physicalType() == null ? "" : f.physicalType().trim().toLowerCase(java.util.Locale.ROOT);
    // a bare `decimal` or `numeric` is free-form (a double); with (p,s) it declares a decimal
    if (f.type() != LogicalType.NUMBER || !((physical.startsWith("decimal") || physical.startsWith("numeric")
        || physical.startsWith("number")) && physical.contains("("))) {
      return;
    }
    IcebergMapping.DeclaredDecimal decimal = IcebergMapping.declaredDecimal(f);
    if (decimal == null) {
      problems.add(new Problem(pointer, "write decimal precision and scale as decimal(p,s)"));
    } else if (decimal.precision() < 1 || decimal.precision() > 38) {
      problems.add(new Problem(pointer, "decimal precision is 1 to 38 digits (Iceberg's decimals hold at most 38);"
          + " got " + f.physicalType()));
    } else if (decimal.scale() > decimal.precision()) {
      problems.add(new Problem(pointer, "the scale (" + decimal.scale() + " digits after the point) must not exceed"
          + " the precision (" + decimal.precision() + " digits in all)"));
    }
  }

  /** A lower bound above its upper bound accepts no value at all: a typo, never intended. */
  private static void checkBounds(Field f, String pointer, List<Problem> problems) {
    TypeOptions o = f.options();
    int before = problems.size();
    bound(o.minLength(), f.maxLength(), "minLength", o.maxLength() != null ? "maxLength"
        : "physicalType " + f.physicalType() + "'s length", false, pointer, problems);
    bound(o.minItems(), o.maxItems(), "minItems", "maxItems", false, pointer, problems);
    bound(o.minProperties(), o.maxProperties(), "minProperties", "maxProperties", false, pointer, problems);
    for (String name : List.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")) {
      String text = option(o, name);
      boolean customDate = f.type() == io.lakemesh.contracts.model.LogicalType.DATE && o.format() != null;
      if (text != null && !customDate && comparable(f, text) == null && boundKind(f) != null) {
        problems.add(new Problem(pointer + "/" + name, "'" + text + "' is not " + boundKind(f)));
      }
    }
    for (String[] pair : new String[][] {{"minimum", "maximum"}, {"exclusiveMinimum", "maximum"},
        {"minimum", "exclusiveMaximum"}, {"exclusiveMinimum", "exclusiveMaximum"}}) {
      Comparable<?> low = comparable(f, option(o, pair[0]));
      Comparable<?> high = comparable(f, option(o, pair[1]));
      boolean exclusive = pair[0].startsWith("exclusive") || pair[1].startsWith("exclusive");
      bound(low, high, pair[0], pair[1], exclusive, pointer, problems);
    }
    boolean whole = f.type() == LogicalType.INTEGER || IcebergMapping.isWholeNumber(f);
    if (whole && problems.size() == before) {
      checkIntegerRange(f, o, pointer, problems);
    }
    Types.DecimalType decimal = f.type() == LogicalType.NUMBER ? IcebergMapping.decimalOf(f) : null;
    if (decimal != null && problems.size() == before) {
      checkDecimalRange(decimal, o, pointer, problems);
    }
  }

  /** Bounds beyond what a decimal column holds ({@code decimal(5,2)} with {@code maximum: 100000}). */
  private static void checkDecimalRange(Types.DecimalType decimal, TypeOptions o, String pointer,
      List<Problem> problems) {
    java.math.BigDecimal largest = java.math.BigDecimal.TEN.pow(decimal.precision() - decimal.scale())
        .subtract(java.math.BigDecimal.ONE.movePointLeft(decimal.scale()));
    String range = largest.negate().toPlainString() + ".." + largest.toPlainString();
    for (String key : List.of("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum")) {
      String text = option(o, key);
      java.math.BigDecimal bound;
      try {
        bound = text == null ? null : new java.math.BigDecimal(text);
      } catch (NumberFormatException e) {
        continue; // reported where bounds are read
      }
      boolean upper = key.endsWith("aximum");
      if (bound != null && (upper ? bound.compareTo(largest) > 0 : bound.compareTo(largest.negate()) < 0)) {
        problems.add(new Problem(pointer + "/" + key, key + " " + text + " is beyond decimal(" + decimal.precision()
            + "," + decimal.scale() + ") (" + range + "): values " + (upper ? "above " + largest.toPlainString()
            : "below " + largest.negate().toPlainString()) + " would be quarantined; widen the precision"));
      }
    }
  }

  /**
   * Bounds with room between them for a fraction only ({@code exclusiveMinimum: 36, exclusiveMaximum: 37}), or
   * none within the column's width ({@code format: u8, minimum: 300}); and a bound beyond the width, which admits
   * values the column cannot store ({@code maximum: 3000000000} on a 32-bit integer): they would be quarantined.
   */
  private static void checkIntegerRange(Field f, TypeOptions o, String pointer, List<Problem> problems) {
    io.lakemesh.contracts.model.WholeBounds whole = io.lakemesh.contracts.model.WholeBounds.of(o);
    if (whole.empty()) {
      problems.add(new Problem(pointer + "/" + whole.lowKey(), whole.lowKey() + " " + option(o, whole.lowKey())
          + " and " + whole.highKey() + " " + option(o, whole.highKey())
          + " leave no whole number between them: no integer can pass"));
      return;
    }
    IntegerFormat width = IntegerFormat.of(f);
    boolean widest = width.max().compareTo(java.math.BigDecimal.valueOf(Long.MAX_VALUE)) >= 0;
    String wider = widest ? "no integer column is wider: make it a number with physicalType: decimal(38,0)"
        : f.type() != LogicalType.INTEGER ? "store it wider with physicalType: bigint"
        : o.format() != null ? "choose a wider format" : "store it wider with format: i64 (or physicalType: bigint)";
    boolean lowAbove = whole.low() != null && whole.low().compareTo(width.max()) > 0;
    if (lowAbove || whole.high() != null && whole.high().compareTo(width.min()) < 0) {
      String key = lowAbove ? whole.lowKey() : whole.highKey();
      problems.add(new Problem(pointer + "/" + key, key + " " + option(o, key) + " leaves no value "
          + width.description() + " can hold (" + width.range() + "): no integer can pass"));
      return;
    }
    if (whole.high() != null && whole.high().compareTo(width.max()) > 0) {
      problems.add(new Problem(pointer + "/" + whole.highKey(), whole.highKey() + " " + option(o, whole.highKey())
          + " is beyond " + width.description() + " (" + width.range() + "): values above " + width.max().toPlainString()
          + " would be quarantined; " + wider));
    }
    if (whole.low() != null && whole.low().compareTo(width.min()) < 0) {
      problems.add(new Problem(pointer + "/" + whole.lowKey(), whole.lowKey() + " " + option(o, whole.lowKey())
          + " is beyond " + width.description() + " (" + width.range() + "): values below " + width.min().toPlainString()
          + " would be quarantined; " + wider));
    }
  }

  private static String option(TypeOptions o, String name) {
    return switch (name) {
      case "minimum" -> o.minimum();
      case "maximum" -> o.maximum();
      case "exclusiveMinimum" -> o.exclusiveMinimum();
      default -> o.exclusiveMaximum();
    };
  }

  /** What a bound of the field must be, or null for types without bounds of their own. */
  private static String boundKind(Field f) {
    return switch (f.type()) {
      case DATE -> "a date (yyyy-MM-dd)";
      case TIMESTAMP -> "a timestamp (2026-01-01T00:00:00Z, or 2026-01-01 for the start of the day)";
      case TIME -> "a time (HH:mm, HH:mm:ss or with a fraction" + (io.lakemesh.contracts.validate.Timestamps
          .timePattern(f.options().format()) == null ? "" : ", or " + f.options().format()) + ")";
      case NUMBER, INTEGER -> "a number";
      default -> null;
    };
  }

  /** A time bound, as ISO or in the property's format (as events may write it). */
  private static java.time.LocalTime time(Field f, String text) {
    return io.lakemesh.contracts.validate.Timestamps.parseTime(text,
        io.lakemesh.contracts.validate.Timestamps.timePattern(f.options().format()));
  }

  /** A bound as something to compare: a number, a date or an instant; null when it is absent or unreadable. */
  private static Comparable<?> comparable(Field f, String text) {
    if (text == null) {
      return null;
    }
    try {
      return switch (f.type()) {
        case DATE -> java.time.LocalDate.parse(text);
        case TIMESTAMP -> io.lakemesh.contracts.validate.Timestamps.Reading.of(f.options()).parse(text).toInstant();
        case TIME -> time(f, text);
        default -> new BigDecimal(text);
      };
    } catch (RuntimeException unreadable) {
      return null; // the row validator's compiler reports bounds it cannot read
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void bound(Comparable low, Comparable high, String lowName, String highName, boolean exclusive,
      String pointer, List<Problem> problems) {
    if (low == null || high == null || low.getClass() != high.getClass()) {
      return;
    }
    int c = low.compareTo(high);
    if (c > 0 || (exclusive && c == 0)) {
      problems.add(new Problem(pointer + "/" + lowName, lowName + " " + text(low) + " is "
          + (c > 0 ? "greater than " : "equal to ") + highName + " " + text(high) + ": no value can pass"));
    }
  }

  private static String text(Object bound) {
    return bound instanceof BigDecimal d ? d.toPlainString() : String.valueOf(bound);
  }

  private static void checkPositions(Contract contract, List<Problem> problems) {
    List<Field> top = contract.table().fields();
    String properties = contract.table().pointer() + "/properties";
    List<Integer> pk = new ArrayList<>();
    List<Integer> partitions = new ArrayList<>();
    for (Field f : top) {
      if (f.isPrimaryKey()) {
        pk.add(f.primaryKeyPosition());
        if (f.type() == LogicalType.OBJECT || f.type() == LogicalType.ARRAY) {
          problems.add(new Problem(properties + "/" + top.indexOf(f), "primary key '" + f.name()
              + "' must be a scalar"));
        }
      }
      if (f.isPartitioned()) {
        partitions.add(f.partitionKeyPosition());
        if (f.type() == LogicalType.OBJECT || f.type() == LogicalType.ARRAY) {
          problems.add(new Problem(properties + "/" + top.indexOf(f), "partition column '" + f.name()
              + "' must be a scalar"));
        }
      }
    }
    boolean pkValuesRead = true;
    boolean partitionValuesRead = true;
    for (int i = 0; i < top.size(); i++) {
      pkValuesRead &= checkPositionValue(contract, i, "primaryKeyPosition", problems);
      partitionValuesRead &= checkPositionValue(contract, i, "partitionKeyPosition", problems);
    }
    // a position below 1 was read as 1: the sequence would report that 1 as a repeat, a consequence, not a mistake
    if (pkValuesRead) {
      checkSequence(contract, Field::isPrimaryKey, pk, "primaryKeyPosition", "the primary key has", problems);
    }
    if (partitionValuesRead) {
      checkSequence(contract, Field::isPartitioned, partitions, "partitionKeyPosition", "the table is partitioned by",
          problems);
    }
  }

  /**
   * ODCS positions start at 1 and default to -1 (not given); the reader takes any value below 1 as 1, so an
   * explicit 0 (or another value below 1 but -1) would silently become the first position.
   */
  private static boolean checkPositionValue(Contract contract, int index, String key, List<Problem> problems) {
    if (contract.document() == null) {
      return true;
    }
    String pointer = contract.table().pointer() + "/properties/" + index + "/" + key;
    JsonNode value = contract.document().at(pointer);
    if (value.isIntegralNumber() && value.asInt() < 1 && value.asInt() != -1) {
      problems.add(new Problem(pointer, key + " starts at 1 (ODCS; -1, its default, means not given); got "
          + value.asText()));
      return false;
    }
    return true;
  }

  /**
   * Positions must be 1..N without gaps or repeats, unless no column gives one: then the columns are in declaration
   * order (ODCS examples declare composite keys so). A column without one is read as position 1, so when that makes
   * the sequence wrong, each such column is named at itself (it needs its place), not the repeat it is read as.
   */
  private static void checkSequence(Contract contract, java.util.function.Predicate<Field> member,
      List<Integer> positions, String key, String what, List<Problem> problems) {
    List<Integer> sorted = positions.stream().sorted().toList();
    boolean inOrder = true;
    for (int i = 0; i < sorted.size(); i++) {
      inOrder &= sorted.get(i) == i + 1;
    }
    if (inOrder) {
      return;
    }
    List<Field> top = contract.table().fields();
    boolean anyGiven = false;
    for (int i = 0; i < top.size() && contract.document() != null; i++) {
      anyGiven |= member.test(top.get(i)) && given(contract.document()
          .at(contract.table().pointer() + "/properties/" + i + "/" + key));
    }
    if (!anyGiven) {
      return; // no column gives a position (ODCS's default, -1): the key is in the order the columns are declared
    }
    int before = problems.size();
    for (int i = 0; i < top.size() && contract.document() != null; i++) {
      String pointer = contract.table().pointer() + "/properties/" + i;
      if (member.test(top.get(i)) && !given(contract.document().at(pointer + "/" + key))) {
        problems.add(new Problem(pointer, what + " " + sorted.size() + " columns: give '" + top.get(i).name()
            + "' a " + key + " (1.." + sorted.size() + ") to order them"));
      }
    }
    // each position that repeats an earlier one or lies past the count is named where it is written
    java.util.Map<Integer, String> seen = new java.util.HashMap<>();
    for (int i = 0; i < top.size() && contract.document() != null; i++) {
      String pointer = contract.table().pointer() + "/properties/" + i + "/" + key;
      if (!member.test(top.get(i))) {
        continue;
      }
      int position = contract.document().at(pointer).asInt();
      String earlier = seen.putIfAbsent(position, top.get(i).name());
      if (earlier != null || position > sorted.size()) {
        problems.add(new Problem(pointer, key + " " + position + " of '" + top.get(i).name() + "' "
            + (earlier != null ? "repeats that of '" + earlier + "'" : "is past the " + sorted.size() + " columns")
            + ": " + what + " " + sorted.size() + " columns, so the values must be 1.." + sorted.size()
            + " without gaps or repeats; got " + sorted));
      }
    }
    if (problems.size() == before) {
      problems.add(new Problem(contract.table().pointer() + "/properties", key + " values must be 1.." + sorted.size()
          + " without gaps or repeats; got " + sorted));
    }
  }

  /** A key position written out: -1, ODCS's default, means not given even when written. */
  private static boolean given(JsonNode position) {
    return position.isIntegralNumber() && position.asInt() != -1;
  }

  /** The built-in checks' names in lower case, as rule names are compared. */
  private static final Set<String> BUILT_IN = io.lakemesh.contracts.validate.Violation.BUILT_IN_RULES.stream()
      .map(n -> n.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());

  private static void checkRules(Contract contract, List<Problem> problems) {
    RowExpressions env = RowExpressions.forFields(contract.table().fields());
    Set<String> names = new HashSet<>();
    for (LocatedRule located : contract.locatedRules()) {
      QualityRule rule = located.rule();
      if (rule.name() != null && rule.name().isBlank()) {
        problems.add(new Problem(located.pointer(ruleNameKey(contract, located)), "a rule name must not be empty:"
            + " it is the reason code of quarantined rows and the key of its counters"));
      } else if (rule.name() != null && !rule.name().equals(rule.name().strip())) {
        problems.add(new Problem(located.pointer(ruleNameKey(contract, located)), "rule name '" + rule.name()
            + "' begins or ends with a space: it is a reason code, matched exactly; write '" + rule.name().strip()
            + "'"));
      }
      String name = rule.name() == null ? null : rule.name().toLowerCase(java.util.Locale.ROOT);
      if (!names.add(name)) {
        // the quarantine API's rule filter takes any case, so names one case apart would be read as one
        problems.add(new Problem(located.pointer(ruleNameKey(contract, located)), "duplicate rule name '"
            + rule.name() + "' (rule names are compared in any case): rule names are reason codes"));
      } else if (name != null && BUILT_IN.contains(name.contains(":") ? name.substring(0, name.indexOf(':')) : name)) {
        problems.add(new Problem(located.pointer(ruleNameKey(contract, located)), "rule name '" + rule.name()
            + "' is taken by a built-in check (" + (name.contains(":") ? "counted as <check>:<field>, e.g."
                + " pattern:code" : "its counters and reason codes") + "): give the rule a name of its own"));
      }
      if (rule instanceof QualityRule.Cel cel) {
        try {
          env.compile(cel.expression());
        } catch (InvalidExpressionException e) {
          problems.add(new Problem(located.pointer("implementation"), "rule '" + cel.name() + "': "
              + e.getMessage().replace('\n', ' ')));
        }
      }
      if (rule instanceof QualityRule.Library lib) {
        if (lib.field() == null && !List.of("rowCount", "duplicateValues").contains(lib.metric())) {
          problems.add(new Problem(located.pointer("metric"), "rule '" + lib.name() + "': metric " + lib.metric()
              + " belongs on a property"));
        }
        if (lib.pattern() != null) {
          try {
            ContractPatterns.compile(lib.pattern());
          } catch (PatternSyntaxException e) {
            problems.add(new Problem(located.pointer("arguments/pattern"), "rule '" + lib.name()
                + "': invalid pattern: " + e.getDescription()));
          }
        }
        if (lib.metric().equals("invalidValues") && lib.field() != null && lib.validValues().isEmpty()
            && lib.pattern() == null) {
          // without either there is nothing to judge a value by: the rule would silently pass everything
          problems.add(new Problem(located.pointer("arguments"), "rule '" + lib.name() + "': an invalidValues rule"
              + " needs arguments.validValues (the values allowed) or arguments.pattern"));
        }
        checkArgumentProperties(contract, located, lib, problems);
        checkValidValueTypes(contract, located, lib, problems);
        checkThreshold(contract, located, lib, problems);
      }
    }
  }

  private static final List<String> THRESHOLD_KEYS = List.of("mustBe", "mustNotBe", "mustBeGreaterThan",
      "mustBeGreaterOrEqualTo", "mustBeLessThan", "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween");

  /** A threshold no measurement can meet, or a percent that means nothing: written by mistake, never meant. */
  private static void checkThreshold(Contract contract, LocatedRule located, QualityRule.Library lib,
      List<Problem> problems) {
    JsonNode node = contract.document() == null ? null : contract.document().at(located.pointer());
    String key = node == null ? null : THRESHOLD_KEYS.stream().filter(node::has).findFirst().orElse(null);
    if (key == null) {
      return; // the default (no offender at all), or a missing comparison the schema already reports
    }
    io.lakemesh.contracts.model.Threshold t = lib.threshold();
    String rule = "rule '" + lib.name() + "': ";
    if (t.upper() != null && t.value().compareTo(t.upper()) > 0) {
      problems.add(new Problem(located.pointer(key), rule + key + " [" + t.value().toPlainString() + ", "
          + t.upper().toPlainString() + "] has its low bound above its high one: write [" + t.upper().toPlainString()
          + ", " + t.value().toPlainString() + "]"));
    }
    if (lib.percent() && lib.metric().equals("rowCount")) {
      problems.add(new Problem(located.pointer("unit"), rule + "rowCount counts rows: a percent of them has no"
          + " meaning (leave unit out)"));
    } else if (lib.percent()) {
      java.math.BigDecimal hundred = java.math.BigDecimal.valueOf(100);
      boolean outside = false;
      for (java.math.BigDecimal v : java.util.Arrays.asList(t.value(), t.upper())) {
        if (v != null && (v.signum() < 0 || v.compareTo(hundred) > 0)) {
          problems.add(new Problem(located.pointer(key), rule + "a percent is 0 to 100; got " + v.toPlainString()));
          outside = true;
          break;
        }
      }
      boolean never = t.operator() == io.lakemesh.contracts.model.Threshold.Operator.GREATER_THAN
          && t.value().compareTo(hundred) == 0
          || t.operator() == io.lakemesh.contracts.model.Threshold.Operator.LESS_THAN && t.value().signum() == 0;
      if (!outside && never) {
        problems.add(new Problem(located.pointer(key), rule + key + ": " + t.value().toPlainString() + " %: no share"
            + " can be " + (t.value().signum() == 0 ? "less than 0 %" : "more than 100 %")));
      }
    } else {
      // a count (of rows, of offending values): never below 0
      io.lakemesh.contracts.model.Threshold.Operator op = t.operator();
      java.math.BigDecimal top = t.upper() != null ? t.upper() : t.value();
      boolean never = op == io.lakemesh.contracts.model.Threshold.Operator.LESS_THAN && t.value().signum() <= 0
          || op == io.lakemesh.contracts.model.Threshold.Operator.LESS_OR_EQUAL && t.value().signum() < 0
          || op == io.lakemesh.contracts.model.Threshold.Operator.MUST_BE && t.value().signum() < 0
          || op == io.lakemesh.contracts.model.Threshold.Operator.BETWEEN && top.signum() < 0;
      if (never) {
        problems.add(new Problem(located.pointer(key), rule + key + " " + t.value().toPlainString()
            + (t.upper() == null ? "" : ".." + t.upper().toPlainString()) + ": a count is never below 0, so no"
            + " batch can meet it"));
      }
    }
  }

  /** Rules may be named by {@code name} or by {@code id}: point at the key the document uses. */
  private static String ruleNameKey(Contract contract, LocatedRule located) {
    JsonNode node = contract.document() == null ? null : contract.document().at(located.pointer());
    return node != null && !node.has("name") && node.has("id") ? "id" : "name";
  }

  /**
   * Valid values must have the type of their property: the reader compares them as text, so {@code [1, 2]} on a
   * string property would quietly accept the strings "1" and "2", which is rarely what was meant.
   */
  private static void checkValidValueTypes(Contract contract, LocatedRule located, QualityRule.Library lib,
      List<Problem> problems) {
    int quality = located.pointer().lastIndexOf("/quality/");
    if (contract.document() == null || quality < 0) {
      return;
    }
    JsonNode property = contract.document().at(located.pointer().substring(0, quality));
    String type = property.path("logicalType").asText("");
    JsonNode values = contract.document().at(located.pointer() + "/arguments/validValues");
    for (int i = 0; i < values.size(); i++) {
      JsonNode v = values.get(i);
      if (v.isNull()) {
        continue; // null among the valid values: a missing value is acceptable, which it is anyway
      }
      boolean fits = switch (type) {
        case "string", "date", "timestamp", "time" -> v.isTextual();
        case "integer" -> v.isIntegralNumber();
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        default -> true; // objects and arrays have no value list to compare with; the schema check reports them
      };
      if (!fits) {
        problems.add(new Problem(located.pointer("arguments/validValues/" + i), "rule '" + lib.name() + "': valid"
            + " value " + v + " is not a " + type + (type.equals("string") ? " (quote it: '" + v.asText() + "')"
            : type.equals("boolean") && v.isTextual() ? " (write true or false: contracts read YAML 1.2's booleans)"
            : "") + ", the type of the property it checks"));
      }
    }
  }

  /** {@code arguments.properties} (e.g. of {@code duplicateValues}) must name properties of the schema. */
  private static void checkArgumentProperties(Contract contract, LocatedRule located, QualityRule.Library lib,
      List<Problem> problems) {
    if (contract.document() == null) {
      return;
    }
    JsonNode listed = contract.document().at(located.pointer() + "/arguments/properties");
    for (int i = 0; i < listed.size(); i++) {
      String name = listed.get(i).asText();
      if (!resolves(contract.document().path("schema").path(contract.table().index()), name)) {
        problems.add(new Problem(located.pointer("arguments/properties/" + i), "rule '" + lib.name() + "': '"
            + name + "' is not a property of " + contract.table().name()));
      }
    }
  }
}
