package io.lakemesh.contracts.cel;

import com.google.protobuf.Timestamp;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.lakemesh.contracts.model.Field;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The CEL environment of a contract: each top-level field is a variable of its CEL type, {@code now} is the
 * evaluation time, and two small functions help with money: {@code sum(list)} and {@code abs(x)}.
 *
 * <p>One environment per contract, compiled once; programs are thread-safe and evaluated per row against the typed
 * Iceberg record (variables are converted lazily, only those an expression reads).
 */
public final class RowExpressions {

  /** The variable bound to the evaluation time. */
  public static final String NOW = "now";

  /**
   * The whole row as a map of its present (non-null) columns: {@code has(row.customer_id)} tests an optional
   * column, which a top-level variable cannot do in CEL.
   */
  public static final String ROW = "row";

  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();

  private final CelCompiler compiler;
  private final CelRuntime runtime;
  private final Map<String, Field> fields;

  private RowExpressions(List<Field> fields) {
    ContractTypes types = ContractTypes.of(fields);
    var builder = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setTypeProvider(types.provider())
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addVar(NOW, SimpleType.TIMESTAMP)
        .addVar(ROW, MapType.create(SimpleType.STRING, SimpleType.DYN))
        .addFunctionDeclarations(
            CelFunctionDecl.newFunctionDeclaration("sum",
                CelOverloadDecl.newGlobalOverload("lakemesh_sum_list", SimpleType.DOUBLE,
                    ListType.create(SimpleType.DYN))),
            CelFunctionDecl.newFunctionDeclaration("abs",
                CelOverloadDecl.newGlobalOverload("lakemesh_abs_double", SimpleType.DOUBLE, SimpleType.DOUBLE),
                CelOverloadDecl.newGlobalOverload("lakemesh_abs_int", SimpleType.INT, SimpleType.INT)));
    Map<String, Field> byName = new LinkedHashMap<>();
    for (Field field : fields) {
      if (field.name().equals(NOW) || field.name().equals(ROW)) {
        continue; // a column named like a built-in variable stays reachable as row.<name>
      }
      builder.addVar(field.name(), types.columns().get(field.name()));
      byName.put(field.name(), field);
    }
    this.compiler = builder.setResultType(SimpleType.BOOL).build();
    this.runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
        .setOptions(OPTIONS)
        // strings by code point, as CEL defines and other engines order the same tables: the standard functions
        // given explicitly, without cel-java's four string orderings, which CodePointOrder binds instead
        .setStandardEnvironmentEnabled(false)
        .setStandardFunctions(CodePointOrder.standardFunctions())
        .addFunctionBindings(CodePointOrder.bindings())
        .addFunctionBindings(
            CelFunctionBinding.from("lakemesh_sum_list", List.class, RowExpressions::sum),
            CelFunctionBinding.from("lakemesh_abs_double", Double.class, Math::abs),
            CelFunctionBinding.from("lakemesh_abs_int", Long.class, Math::abs))
        .build();
    this.fields = byName;
  }

  public static RowExpressions forFields(List<Field> fields) {
    return new RowExpressions(fields);
  }

  /** Compiles and type-checks a boolean expression; the exception's message says what is wrong and where. */
  public RowPredicate compile(String expression) throws InvalidExpressionException {
    CelValidationResult result = checked(compiler, expression, fields, ROW);
    if (result.hasError()) {
      throw new InvalidExpressionException(unknownColumns(describe(result)));
    }
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      NestedReferences.Findings references = NestedReferences.find(ast.getExpr(), fields, ROW);
      return new RowPredicate(expression, ast, runtime.createProgram(ast), this,
          CompiledPredicate.compile(ast, fields.keySet()).orElse(null), references.paths(), references.reads());
    } catch (CelValidationException | CelEvaluationException e) {
      throw new InvalidExpressionException(e.getMessage());
    }
  }

  private static final java.util.regex.Pattern UNDECLARED =
      java.util.regex.Pattern.compile("undeclared reference to '([^']+)' \\(in container ''\\)");

  /** CEL's "undeclared reference to 'x' (in container '')" as what it means here: no such column, and which are. */
  private String unknownColumns(String error) {
    java.util.regex.Matcher m = UNDECLARED.matcher(error);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("'" + m.group(1) + "' is not a column"
          + " (columns: " + String.join(", ", fields.keySet()) + "; also row, now)"));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The checker's findings with a hint for the usual mistakes, without the overload candidates it lists after a
   * "no matching overload" (a dozen signatures of built-in types, which bury the two types it found).
   */
  public static String describe(CelValidationResult result) {
    String error = CANDIDATES.matcher(result.getErrorString()).replaceAll("");
    // the parser's NumberFormatException text for a literal beyond 64 bits ("For input string: ...") names no problem
    error = OUT_OF_RANGE.matcher(error).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("the integer "
        + m.group(1) + (m.group(2) == null ? "" : " (hex)") + " is out of range: CEL integers are 64-bit"
        + " (-9223372036854775808 to 9223372036854775807, uint to 18446744073709551615u)"
        + (m.group(2) == null ? "; write it as a double (" + m.group(1).replaceAll("u$", "") + ".0)" : "")));
    if (error.contains(", null)") || error.contains("(null, ") || error.contains("null_type")) {
      // columns are typed as their values; a missing value is a missing key of the row map
      error += "\n(to test for a missing value write !has(row.<column>), and has(row.<column>) for a present one;"
          + " a null item x of a list of strings or numbers: type(x) == null_type)";
    } else if (error.contains("(double, int)") || error.contains("(int, double)")
        || error.contains("(double, list(int))") || error.contains("(int, list(double))")
        || error.contains("(double, uint)") || error.contains("(double, list(uint))")) {
      // decimals and numbers are doubles in CEL, and CEL does not mix doubles and ints
      error += "\n(number and decimal columns are doubles in CEL, and its arithmetic and == do not mix doubles with"
          + " ints: write 1.0 rather than 1, or double(x) for an integer x)";
    } else if (error.contains("(google.protobuf.Timestamp, string)")
        || error.contains("(string, google.protobuf.Timestamp)")) {
      error += "\n(timestamp columns compare with timestamp(\"2026-01-01T00:00:00Z\"); date and time columns are"
          + " strings: \"2026-01-01\", \"10:15:00\")";
    } else if (error.contains("invalid argument to has() macro")) {
      error += "\n(has() takes a field selection: has(row.<column>), or has(row.<object>.<property>))";
    }
    return error;
  }

  private static final java.util.regex.Pattern OUT_OF_RANGE =
      java.util.regex.Pattern.compile("For input string: \"(-?[0-9a-fA-F]+u?)\"( under radix 16)?");

  private static final java.util.regex.Pattern CANDIDATES = java.util.regex.Pattern.compile(" \\(candidates: [^\\n]*\\)");

  /**
   * Parses, refuses a selection of a property the contract does not declare with a sentence naming the ones it
   * does (the checker would only say "undefined field"), then type-checks.
   */
  public static CelValidationResult checked(CelCompiler compiler, String expression, Map<String, Field> fields,
      String rowVariable) throws InvalidExpressionException {
    CelValidationResult parsed = compiler.parse(expression);
    if (parsed.hasError()) {
      return parsed;
    }
    try {
      NestedReferences.Findings found = NestedReferences.find(parsed.getAst().getExpr(), fields, rowVariable);
      List<String> unknown = found.unknown();
      CelValidationResult checked = compiler.check(parsed.getAst());
      if (!unknown.isEmpty()) {
        // the checker's "undefined field" says less than the sentences above; its other findings (a top-level name
        // that does not exist, say) are kept, so one lint run shows every mistake of the expression
        List<String> more = checked.getErrors().stream().map(dev.cel.common.CelIssue::getMessage)
            .filter(m -> !m.startsWith("undefined field")).toList();
        throw new InvalidExpressionException("undeclared property: " + String.join("; ", unknown)
            + (more.isEmpty() ? "" : "; " + String.join("; ", more)));
      }
      if (!found.nullComparisons().isEmpty()) {
        // said for every column type alike (the checker refuses some with its overload list, lets others through)
        throw new InvalidExpressionException(String.join("; ", found.nullComparisons()));
      }
      if (!found.literals().isEmpty() && !checked.hasError()) {
        throw new InvalidExpressionException(String.join("; ", found.literals()));
      }
      return checked;
    } catch (CelValidationException e) {
      throw new InvalidExpressionException(e.getMessage());
    }
  }

  Optional<Field> field(String name) {
    return Optional.ofNullable(fields.get(name));
  }

  /** Resolves a variable of a row for CEL: converts the Iceberg value to its CEL representation. */
  Optional<Object> resolve(Record row, Instant now, String name) {
    if (NOW.equals(name)) {
      return Optional.of(timestamp(now));
    }
    if (ROW.equals(name) && !fields.containsKey(ROW)) {
      return Optional.of(toCel(row));
    }
    if (!fields.containsKey(name)) {
      return Optional.empty();
    }
    Object value = row.getField(name);
    // an absent optional value resolves to null so `has()`-free expressions see null rather than an error
    return Optional.ofNullable(toCel(value));
  }

  /**
   * A 32-bit float column's value as CEL's double: the decimal the value prints as (99.99, as the API shows it and an
   * event wrote it), not the binary float widened (99.98999786376953), which no filter naming 99.99 would find.
   */
  static double floatAsWritten(Float value) {
    return Double.parseDouble(value.toString());
  }

  /** Converts an Iceberg generic value (as {@code GenericRecord} holds it) into CEL's value model. */
  public static Object toCel(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (value instanceof Float f) {
      return floatAsWritten(f);
    }
    if (value instanceof OffsetDateTime t) {
      return timestamp(t.toInstant());
    }
    if (value instanceof LocalDate || value instanceof LocalTime) {
      return TemporalText.of(value);
    }
    if (value instanceof Record record) {
      return new RecordView(record);
    }
    if (value instanceof List<?> list) {
      return new ListView(list);
    }
    return value;
  }

  /**
   * A nested record as a CEL map, converting a member only when an expression reads it: a rule over
   * {@code items.map(i, i.line_amount)} touches one member of each item, not all seven. Absent (null) members are
   * not keys, as {@code has()} expects.
   */
  private static final class RecordView extends AbstractMap<String, Object> {
    private final Record record;
    private Map<String, Object> materialized;

    RecordView(Record record) {
      this.record = record;
    }

    @Override
    public Object get(Object key) {
      if (!(key instanceof String name) || record.struct().field(name) == null) {
        return null;
      }
      return nested(record.getField(name));
    }

    @Override
    public boolean containsKey(Object key) {
      return key instanceof String name && record.struct().field(name) != null && record.getField(name) != null;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
      if (materialized == null) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Types.NestedField f : record.struct().fields()) {
          Object v = nested(record.getField(f.name()));
          if (v != null) {
            map.put(f.name(), v);
          }
        }
        materialized = map;
      }
      return materialized.entrySet();
    }
  }

  /** A list as a CEL list, converting an element only when an expression reads it. */
  private static final class ListView extends AbstractList<Object> implements RandomAccess {
    private final List<?> list;

    ListView(List<?> list) {
      this.list = list;
    }

    @Override
    public Object get(int index) {
      Object item = list.get(index);
      // a null item is CEL's null: `r == null` tells it, and reading a member of it is an error that exists() and
      // all() may outweigh with another item's answer (a Java null made the whole filter fail)
      return item == null ? com.google.protobuf.NullValue.NULL_VALUE : nested(item);
    }

    @Override
    public int size() {
      return list.size();
    }
  }

  /**
   * A value inside an object or list. The runtime adapts a declared variable's protobuf {@code Timestamp} to its
   * own timestamp values, but not values it finds inside a map or list (those have type dyn): there a timestamp
   * must already be the runtime's own ({@link Instant}), or comparing it fails with "no matching overload".
   */
  private static Object nested(Object value) {
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    return toCel(value);
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  /** The total of a list's numbers (what {@code sum} means here; the compiled closures use it too). */
  static double sum(List<?> values) {
    double total = 0;
    for (Object v : values) {
      if (v instanceof Number n) {
        total += n.doubleValue();
      }
    }
    return total;
  }
}
