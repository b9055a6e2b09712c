package io.lakemesh.contracts.iceberg;

import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/** The Iceberg schema and partition spec a contract yields. */
public final class IcebergMapping {
  /** {@code decimal(p,s)}, {@code numeric(p,s)}, Oracle's and Snowflake's {@code number(p,s)}. */
  private static final Pattern DECIMAL = Pattern.compile(
      "(?i)\\s*(?:decimal|numeric|number)\\s*[(\\[]\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?[)\\]]\\s*");
  private static final Pattern PARAMETERIZED = Pattern.compile("(?i)(bucket|truncate)\\s*\\[\\s*(\\d+)\\s*]");

  private IcebergMapping() {}

  /** The typed schema of the product's rows (silver for a source product, the table itself otherwise). */
  /**
   * The top-level columns of a contract that map on their own, each name once (compared in any case), for checks
   * that can still run on a document with problems (two properties of one name, one whose type does not map): the
   * names left out are added to {@code left}.
   */
  public static Types.StructType mappableColumns(Contract contract, java.util.Set<String> left) {
    AtomicInteger ids = new AtomicInteger(0);
    List<Types.NestedField> columns = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Field f : contract.table().fields()) {
      try {
        Types.NestedField column = column(f, ids);
        new Schema(column); // refuses a nested name twice
        if (seen.add(f.name().toLowerCase(java.util.Locale.ROOT))) {
          columns.add(column);
        } else {
          left.add(f.name());
        }
      } catch (RuntimeException e) {
        left.add(f.name());
      }
    }
    AtomicInteger fresh = new AtomicInteger(0);
    return org.apache.iceberg.types.TypeUtil.assignFreshIds(new Schema(columns), fresh::incrementAndGet).asStruct();
  }

  public static Schema schema(Contract contract) {
    AtomicInteger ids = new AtomicInteger(0);
    List<Types.NestedField> columns = new ArrayList<>();
    for (Field f : contract.table().fields()) {
      columns.add(column(f, ids));
    }
    List<Integer> identifier = new ArrayList<>();
    // number the fields the way Iceberg does when it creates a table (top-level first, then nested), so rows
    // built from this schema match the table's own schema field for field
    AtomicInteger fresh = new AtomicInteger(0);
    Schema plain = org.apache.iceberg.types.TypeUtil.assignFreshIds(new Schema(columns), fresh::incrementAndGet);
    columns = plain.columns();
    for (Field pk : contract.primaryKey()) {
      Types.NestedField column = plain.findField(pk.name());
      // Iceberg refuses float and double identifier fields (equality on them is unreliable); such a key still
      // deduplicates silver, it is only not declared to Iceberg
      if (column.isRequired() && column.type().isPrimitiveType() && !isFloatingPoint(pk)) {
        identifier.add(column.fieldId());
      }
    }
    return identifier.isEmpty() ? plain : new Schema(columns, java.util.Set.copyOf(identifier));
  }

  /** The partition spec from the contract's {@code partitioned} properties, in {@code partitionKeyPosition} order. */
  public static PartitionSpec partitionSpec(Contract contract, Schema schema) {
    PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
    for (Field f : contract.partitionFields()) {
      String transform = transformOf(f);
      Matcher m = PARAMETERIZED.matcher(transform);
      if (m.matches()) {
        int n = Integer.parseInt(m.group(2));
        if (m.group(1).equalsIgnoreCase("bucket")) {
          spec.bucket(f.name(), n);
        } else {
          spec.truncate(f.name(), n);
        }
        continue;
      }
      switch (transform) {
        case "identity" -> spec.identity(f.name());
        case "year" -> spec.year(f.name());
        case "month" -> spec.month(f.name());
        case "day" -> spec.day(f.name());
        case "hour" -> spec.hour(f.name());
        default -> throw new IllegalArgumentException("unknown partition transform '" + transform + "' on "
            + f.name());
      }
    }
    return spec.build();
  }

  /** The partition transform of a field: declared, or day for timestamps and identity otherwise. */
  public static String transformOf(Field f) {
    if (f.partitionTransform() != null) {
      return f.partitionTransform().trim().toLowerCase(Locale.ROOT);
    }
    return f.type() == LogicalType.TIMESTAMP ? "day" : "identity";
  }

  /** True when the transform text is one Iceberg knows. */
  public static boolean isKnownTransform(String transform) {
    String t = transform.trim().toLowerCase(Locale.ROOT);
    return List.of("identity", "year", "month", "day", "hour").contains(t) || PARAMETERIZED.matcher(t).matches();
  }

  private static Types.NestedField column(Field f, AtomicInteger ids) {
    int id = ids.incrementAndGet();
    Type type = type(f, ids);
    return f.required() || f.isPrimaryKey()
        ? Types.NestedField.required(id, f.name(), type, f.description())
        : Types.NestedField.optional(id, f.name(), type, f.description());
  }

  /** The Iceberg type of one contract property. */
  public static Type type(Field f, AtomicInteger ids) {
    return switch (f.type()) {
      case STRING -> Types.StringType.get();
      case DATE -> Types.DateType.get();
      case TIME -> Types.TimeType.get();
      case TIMESTAMP -> Types.TimestampType.withZone();
      case BOOLEAN -> Types.BooleanType.get();
      case INTEGER -> isLong(f) ? Types.LongType.get() : Types.IntegerType.get();
      case NUMBER -> number(f);
      case OBJECT -> {
        if (f.isFreeFormObject()) {
          yield Types.StringType.get(); // no declared properties: the object's JSON text
        }
        List<Types.NestedField> children = new ArrayList<>();
        for (Field child : f.properties()) {
          children.add(column(child, ids));
        }
        yield Types.StructType.of(children);
      }
      case ARRAY -> {
        int elementId = ids.incrementAndGet();
        Type element = f.items() == null ? Types.StringType.get() : type(f.items(), ids);
        yield f.items() != null && f.items().required()
            ? Types.ListType.ofRequired(elementId, element)
            : Types.ListType.ofOptional(elementId, element);
      }
    };
  }

  /** Precision and scale as {@code physicalType: decimal(p,s)} writes them, whether Iceberg can hold them or not. */
  public record DeclaredDecimal(int precision, int scale) {
    /** Whether an Iceberg decimal column can have them: 1 to 38 digits, the scale within the precision. */
    public boolean valid() {
      return precision >= 1 && precision <= 38 && scale >= 0 && scale <= precision;
    }
  }

  /** The decimal {@code physicalType: decimal(p,s)} declares, or null when it declares none (or too many digits). */
  public static DeclaredDecimal declaredDecimal(Field f) {
    if (f.physicalType() == null) {
      return null;
    }
    Matcher m = DECIMAL.matcher(f.physicalType());
    if (!m.matches() || !io.lakemesh.contracts.model.Field.bracketsPair(f.physicalType())) {
      return null;
    }
    try {
      return new DeclaredDecimal(Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    } catch (NumberFormatException e) {
      return new DeclaredDecimal(Integer.MAX_VALUE, 0); // more digits than an int: far beyond Iceberg's 38
    }
  }

  /**
   * The Iceberg decimal of {@code physicalType: decimal(p,s)}, or null when there is none or Iceberg cannot hold it
   * (lint reports that; the column is then typed as a plain number, so other checks can go on).
   */
  public static Types.DecimalType decimalOf(Field f) {
    DeclaredDecimal d = declaredDecimal(f);
    if (d == null && f.physicalType() != null && f.physicalType().strip().equalsIgnoreCase("money")) {
      return Types.DecimalType.of(19, 4); // SQL Server's money; PostgreSQL's has 2 places, which this holds
    }
    return d == null || !d.valid() ? null : Types.DecimalType.of(d.precision(), d.scale());
  }

  /** Physical types that make a {@code number} a whole number (e.g. ODCS's own examples: number / int). */
  private static final List<String> INT_PHYSICAL = List.of("int", "integer", "int4", "int32", "smallint", "int2",
      "tinyint", "mediumint", "serial", "serial4", "smallserial", "serial2");
  private static final List<String> LONG_PHYSICAL = List.of("bigint", "long", "int8", "int64", "bigserial",
      "serial8");

  /** Whether a {@code number} property is stored as a whole number (its physicalType is an integer type). */
  public static boolean isWholeNumber(Field f) {
    if (f.type() != io.lakemesh.contracts.model.LogicalType.NUMBER) {
      return false;
    }
    Type.TypeID t = number(f).typeId();
    return t == Type.TypeID.INTEGER || t == Type.TypeID.LONG;
  }

  /** Whether a {@code number} property is stored as a floating-point number (double or float). */
  public static boolean isFloatingPoint(Field f) {
    if (f.type() != io.lakemesh.contracts.model.LogicalType.NUMBER) {
      return false;
    }
    Type t = number(f);
    return t.typeId() == Type.TypeID.DOUBLE || t.typeId() == Type.TypeID.FLOAT;
  }

  /**
   * Which key of a number's property set its storage width, for naming the rule a too-wide value breaks:
   * {@code format} ({@code i16}, {@code f32}), {@code physicalType} ({@code bigint}, {@code float},
   * {@code decimal(p,s)}), else {@code logicalType} (an integer is an int, a number a double).
   */
  public static String widthSource(Field f) {
    String physical = f.physicalType() == null ? "" : f.physicalType().toLowerCase(Locale.ROOT).strip();
    if (f.type() == io.lakemesh.contracts.model.LogicalType.INTEGER) {
      boolean sized = INT_PHYSICAL.contains(physical) || LONG_PHYSICAL.contains(physical)
          || physical.contains("bigint") || physical.contains("long") || physical.contains("int64")
          || wholeDigits(f) > 0;
      return f.options().format() != null ? "format" : sized ? "physicalType" : "logicalType";
    }
    if (decimalOf(f) != null || INT_PHYSICAL.contains(physical) || LONG_PHYSICAL.contains(physical)) {
      return "physicalType";
    }
    if ("f32".equals(f.options().format())) {
      return "format";
    }
    return physical.equals("real") || physical.equals("float4") ? "physicalType" : "logicalType";
  }

  private static Type number(Field f) {
    Types.DecimalType decimal = decimalOf(f);
    if (decimal != null) {
      return decimal;
    }
    String physical = f.physicalType() == null ? "" : f.physicalType().toLowerCase(Locale.ROOT).strip();
    if (INT_PHYSICAL.contains(physical)) {
      return Types.IntegerType.get();
    }
    if (LONG_PHYSICAL.contains(physical)) {
      return Types.LongType.get();
    }
    // `float` is double precision in PostgreSQL, Snowflake, BigQuery and SQL Server; `real` and `float4` are 32-bit
    if ("f32".equals(f.options().format()) || physical.equals("real") || physical.equals("float4")) {
      return Types.FloatType.get();
    }
    return Types.DoubleType.get();
  }

  /** Whether an integer property is stored as a long (its format or physicalType says 64 bits). */
  public static boolean isLong(Field f) {
    String format = f.options().format();
    if (format != null) {
      return !List.of("i8", "i16", "i32", "u8", "u16").contains(format);
    }
    String physical = f.physicalType() == null ? "" : f.physicalType().toLowerCase(Locale.ROOT).strip();
    // the same names as a number's integer physicalTypes: Postgres' int8 is a bigint
    return LONG_PHYSICAL.contains(physical) || physical.contains("bigint") || physical.contains("long")
        || physical.contains("int64") || wholeDigits(f) >= 10;
  }

  /**
   * The digits a whole-number decimal physical type declares for an integer ({@code NUMBER(10)}, {@code
   * numeric(12)}, {@code decimal(12,0)}: Oracle and SQL databases' integers); 0 for any other. Ten digits or more
   * do not fit an int, so such an integer is a long.
   */
  public static int wholeDigits(Field f) {
    if (f.type() != io.lakemesh.contracts.model.LogicalType.INTEGER || f.physicalType() == null) {
      return 0;
    }
    if (f.physicalType().strip().equalsIgnoreCase("number")) {
      return 38; // Oracle's NUMBER without a precision: up to 38 digits, the usual type of ids
    }
    Matcher m = DECIMAL.matcher(f.physicalType());
    if (!m.matches() || (m.group(2) != null && Integer.parseInt(m.group(2)) != 0)) {
      return 0;
    }
    return Integer.parseInt(m.group(1));
  }
}
