package io.lakemesh.runtime.quality;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.contracts.ContractCheck;
import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.LocatedRule;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.validate.BatchChecks;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Runs a contract's {@code sql} quality rules with DuckDB over the Parquet files of a batch (before it is
 * committed) or of the whole table. In a query, {@code ${object}} (or {@code {object}}) stands for the batch,
 * {@code ${table}} for the table including the batch, and {@code ${property}} for the rule's property. The query
 * returns one number, compared with the rule's operator.
 *
 * <p>DuckDB runs sandboxed: it may read only under the warehouse directory, and its configuration is locked, so a
 * query cannot read other files, write files, or load extensions. One instance per pipeline (not thread-safe).
 */
public final class SqlRules implements AutoCloseable {

  private static final String LINT_OBJECT = "lakemesh_batch";
  private static final String LINT_TABLE = "lakemesh_table";
  private static final Set<Integer> NUMERIC = Set.of(java.sql.Types.TINYINT, java.sql.Types.SMALLINT,
      java.sql.Types.INTEGER, java.sql.Types.BIGINT, java.sql.Types.FLOAT, java.sql.Types.REAL, java.sql.Types.DOUBLE,
      java.sql.Types.NUMERIC, java.sql.Types.DECIMAL);
  /** DuckDB's numeric types the JDBC driver does not map to a standard numeric SQL type (e.g. SUM of a BIGINT). */
  private static final Set<String> OTHER_NUMERIC = Set.of("HUGEINT", "UHUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
      "UBIGINT");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<QualityRule.Sql> rules;
  private final Connection connection;
  /** The contract's top-level columns, in its order. */
  private final List<String> columns;
  /** The names a query may call the whole table by besides ${table}: the schema object's name and physicalName. */
  private final List<String> tableNames;

  private SqlRules(List<QualityRule.Sql> rules, Connection connection, List<String> columns, List<String> tableNames) {
    this.rules = rules;
    this.connection = connection;
    this.columns = columns;
    this.tableNames = tableNames;
  }

  /** The SQL rules of a contract, or none: {@code warehouseDir} null means files DuckDB cannot read (e.g. S3). */
  public static SqlRules of(Contract contract, Path warehouseDir) {
    List<QualityRule.Sql> rules = new ArrayList<>();
    contract.table().quality().forEach(r -> {
      if (r instanceof QualityRule.Sql sql) {
        rules.add(sql);
      }
    });
    contract.table().fields().forEach(f -> f.quality().forEach(r -> {
      if (r instanceof QualityRule.Sql sql) {
        rules.add(sql);
      }
    }));
    if (rules.isEmpty() || warehouseDir == null) {
      return new SqlRules(List.of(), null, List.of(), List.of());
    }
    List<String> columns = contract.table().fields().stream().map(f -> f.name()).toList();
    try {
      return new SqlRules(List.copyOf(rules), sandboxed(warehouseDir, c -> { }), columns, tableNames(contract));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start DuckDB for the sql rules of " + contract.id() + ": "
          + e.getMessage(), e);
    }
  }

  /** Sets up a connection before the sandbox closes (e.g. creates tables); runs with external access still on. */
  private interface Setup {
    void run(Connection c) throws SQLException;
  }

  /**
   * An in-memory DuckDB that may read only under {@code allowedDir} (nothing when null), with its configuration
   * locked, so a query cannot read other files, write files, or load extensions. The same sandbox runs rules at
   * runtime and binds them at lint time, so a query refused at runtime is refused by lint.
   */
  private static Connection sandboxed(Path allowedDir, Setup setup) throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      setup.run(c);
      if (allowedDir != null) {
        s.execute("SET allowed_directories = ['" + allowedDir.toAbsolutePath().toString().replace("'", "''")
            + "']");
      }
      s.execute("SET enable_external_access = false");
      s.execute("SET autoinstall_known_extensions = false");
      s.execute("SET autoload_known_extensions = false");
      s.execute("SET threads = 1");
      s.execute("SET lock_configuration = true");
    } catch (SQLException e) {
      c.close();
      throw e;
    }
    return c;
  }

  /**
   * The problems of a contract's {@code sql} rules, found without data: each query is prepared (parsed and bound)
   * in the runtime's sandbox against empty tables with the contract's columns, and must be one SELECT statement
 * returning one numeric column. A rule on a
   * nested property is refused, since only the object's and top-level properties' rules run.
   */
  public static List<Problem> problems(Contract contract) {
    List<LocatedRule> located = contract.locatedRules().stream()
        .filter(r -> r.rule() instanceof QualityRule.Sql)
        .toList();
    if (located.isEmpty()) {
      return List.of();
    }
    List<Problem> problems = new ArrayList<>();
    java.util.Set<String> unmapped = new java.util.LinkedHashSet<>();
    org.apache.iceberg.types.Types.StructType struct;
    try {
      struct = IcebergMapping.schema(contract).asStruct();
    } catch (RuntimeException e) {
      // a document with other problems (listed by the parser): the columns that map on their own make the tables,
      // so the rules that read only those are checked in this lint too, not after the next fix
      struct = IcebergMapping.mappableColumns(contract, unmapped);
    }
    // DuckDB does not tell names apart by case: such a table cannot be made, and a rule could not name one of them
    java.util.Map<String, List<String>> byFolded = struct.fields().stream().map(org.apache.iceberg.types.Types.NestedField::name)
        .collect(Collectors.groupingBy(n -> n.toLowerCase(java.util.Locale.ROOT), java.util.LinkedHashMap::new,
            Collectors.toList()));
    List<List<String>> clashes = byFolded.values().stream().filter(names -> names.size() > 1).toList();
    if (!clashes.isEmpty()) {
      return List.of(new Problem(located.get(0).pointer(), "sql rules need column names that differ by more than"
          + " case (the SQL engine, DuckDB, does not tell " + clashes.stream().map(names -> String.join(" and ",
              names.stream().map(n -> "'" + n + "'").toList())).collect(Collectors.joining("; ")) + " apart):"
          + " rename one, or check these rules another way"));
    }
    String columns = columns(struct);
    try (Connection c = sandboxed(null, setup -> {
      try (Statement s = setup.createStatement()) {
        s.execute("CREATE TABLE " + LINT_OBJECT + " (" + columns + ")");
        s.execute("CREATE TABLE " + LINT_TABLE + " (" + columns + ")");
      }
    })) {
      for (LocatedRule r : located) {
        QualityRule.Sql rule = (QualityRule.Sql) r.rule();
        if (rule.field() != null && rule.field().contains(".")) {
          problems.add(new Problem(r.pointer(), "sql rule '" + rule.name() + "' is on nested property '"
              + rule.field() + "': put it on the object or a top-level property, where sql rules run"));
          continue;
        }
        String bound = query(rule, LINT_OBJECT, LINT_TABLE, tableNames(contract));
        String problem = bindProblem(c, bound);
        String unreadable = problem == null ? null : unmapped.stream()
            .filter(name -> problem.toLowerCase(Locale.ROOT).contains("\"" + name.toLowerCase(Locale.ROOT) + "\""))
            .findFirst().orElse(null);
        if (unreadable != null) {
          problems.add(new Problem(r.pointer("query"), "sql rule '" + rule.name() + "' reads '" + unreadable
              + "', whose own problem is listed: the rule is checked once that is fixed"));
        } else if (problem != null) {
          // a placeholder of another tool's (${TARGET_TABLE}) reaches DuckDB as it is: say which ones are replaced
          java.util.regex.Matcher left = UNKNOWN_PLACEHOLDER.matcher(bound);
          problems.add(new Problem(r.pointer("query"), "sql rule '" + rule.name() + "': " + problem + (left.find()
              ? " (" + left.group() + " is no placeholder Lakemesh replaces: {object} or ${object} is the batch,"
                  + " ${table} the whole table, {property} or ${property} the rule's property)" : "")));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start DuckDB to check the sql rules of " + contract.id() + ": "
          + e.getMessage(), e);
    }
    return problems;
  }

  private static String bindProblem(Connection c, String sql) {
    String statement = statementProblem(c, sql);
    if (statement != null) {
      return statement;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      // the pipeline binds nothing: a parameter prepares here but fails every batch later (and halts a critical rule)
      int parameters = ps.getParameterMetaData().getParameterCount();
      if (parameters > 0) {
        return "the query has " + parameters + " parameter" + (parameters == 1 ? "" : "s") + " ('?', '$1'), which"
            + " nothing binds: write the values into the query";
      }
      ResultSetMetaData meta = ps.getMetaData();
      if (meta == null || meta.getColumnCount() < 1) {
        return "the query must return one number";
      }
      if (meta.getColumnCount() > 1) {
        return "the query must return one column, a number, not " + meta.getColumnCount() + " columns";
      }
      if (!isNumeric(meta.getColumnType(1), meta.getColumnTypeName(1))) {
        return "the query must return one number, not " + meta.getColumnTypeName(1);
      }
      return null;
    } catch (SQLException e) {
      String first = e.getMessage() == null ? e.getClass().getSimpleName()
          : e.getMessage().lines().filter(l -> !l.isBlank()).findFirst().orElse("");
      boolean unknownTable = first.startsWith("Catalog Error") && first.contains("does not exist");
      return first + (unknownTable ? " (a query reads the batch as ${object} and the whole table as ${table}, or by the schema"
          + " object's name or physicalName)" : "");
    }
  }

  private static boolean isNumeric(int sqlType, String typeName) {
    return NUMERIC.contains(sqlType) || typeName != null && OTHER_NUMERIC.contains(typeName.toUpperCase(Locale.ROOT));
  }

  /**
   * Why the text is not exactly one SELECT (or WITH ... SELECT, VALUES, a set operation), or null when it is or
   * when it does not parse (preparing it then reports the parser's error). DuckDB's own parser decides:
   * {@code json_serialize_sql} serializes SELECT statements only and lists each statement of the text. Preparing
   * alone is not enough: DuckDB prepares ATTACH, SET, INSTALL or PRAGMA too, some with a numeric first column, and
   * prepares only the last of several statements.
   */
  private static String statementProblem(Connection c, String sql) {
    JsonNode result;
    try (PreparedStatement ps = c.prepareStatement("SELECT json_serialize_sql(?)")) {
      ps.setString(1, sql);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("json_serialize_sql returned no row");
        }
        result = JSON.readTree(rs.getString(1));
      }
    } catch (SQLException | JsonProcessingException e) {
      throw new IllegalStateException("cannot ask DuckDB what kind of statement a sql rule is: " + e.getMessage(), e);
    }
    if (result.path("error").asBoolean(false)) {
      if ("not implemented".equals(result.path("error_type").asText())) {
        return "the query must be one SELECT (or WITH ... SELECT) statement; DuckDB reads "
            + leadingKeyword(sql) + " as another kind of statement";
      }
      return null;
    }
    int statements = result.path("statements").size();
    if (statements != 1) {
      return "the query must be one SELECT statement, not " + statements + " statements separated by ';'";
    }
    return null;
  }

  /** The first word of a query, for messages, e.g. {@code 'ATTACH ...'}. */
  private static String leadingKeyword(String sql) {
    String[] words = sql.strip().split("\\s+", 2);
    return "'" + words[0] + (words.length > 1 ? " ..." : "") + "'";
  }

  /** DuckDB column definitions for an Iceberg struct, e.g. {@code "id" VARCHAR, "lines" STRUCT("sku" VARCHAR)[]}. */
  private static String columns(Types.StructType struct) {
    return struct.fields().stream().map(f -> quote(f.name()) + " " + duckType(f.type()))
        .collect(Collectors.joining(", "));
  }

  private static String duckType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> "DECIMAL(" + ((Types.DecimalType) type).precision() + "," + ((Types.DecimalType) type).scale()
          + ")";
      case DATE -> "DATE";
      case TIME -> "TIME";
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case STRING -> "VARCHAR";
      case UUID -> "UUID";
      case BINARY, FIXED -> "BLOB";
      case STRUCT -> "STRUCT(" + columns(type.asStructType()) + ")";
      case LIST -> duckType(type.asListType().elementType()) + "[]";
      case MAP -> "MAP(" + duckType(type.asMapType().keyType()) + ", " + duckType(type.asMapType().valueType())
          + ")";
      default -> "VARCHAR";
    };
  }

  private static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A rule's query with its placeholders replaced: the batch, the whole table, the rule's property. */
  /** A {@code ${name}} or {@code {name}} left in a query once Lakemesh's own placeholders are replaced. */
  private static final java.util.regex.Pattern UNKNOWN_PLACEHOLDER =
      java.util.regex.Pattern.compile("\\$?\\{[A-Za-z_][A-Za-z0-9_.]*}");

  private static String query(QualityRule.Sql rule, String object, String table, List<String> tableNames) {
    String property = rule.field() == null ? "" : quote(rule.field());
    // ODCS's spec writes {object} and {property}; ${...} forms are kept for contracts written that way
    String query = rule.query()
        .replace("${object}", object)
        .replace("{object}", object)
        .replace("${table}", table)
        .replace("${property}", property)
        .replace("{property}", property)
        .replace("${column}", property)
        .replace("{column}", property);
    List<String> named = tableNames.stream().filter(n -> namesTable(rule.query(), List.of(n))).toList();
    if (named.isEmpty()) {
      return query;
    }
    // contracts written for other tools name the table itself (SELECT COUNT(*) FROM orders): that name reads the
    // whole table, as ${table} does, through a common table expression around the query
    String body = query.strip();
    while (body.endsWith(";")) {
      body = body.substring(0, body.length() - 1).strip();
    }
    return "WITH " + named.stream().map(n -> quote(n) + " AS (SELECT * FROM " + table + ")")
        .collect(Collectors.joining(", ")) + " SELECT * FROM (" + body + ")";
  }

  /** The schema object's name and physicalName, when they are plain names a query can use as a table's. */
  private static List<String> tableNames(Contract contract) {
    JsonNode object = contract.document().path("schema").path(contract.table().index());
    return java.util.stream.Stream.of(contract.table().name(), object.path("physicalName").asText(""))
        .filter(n -> n.matches("[A-Za-z_][A-Za-z0-9_]*")).map(n -> n.toLowerCase(Locale.ROOT)).distinct().toList();
  }

  /** Whether the query names one of the table names as a word (any case, as SQL reads unquoted names). */
  private static boolean namesTable(String query, List<String> names) {
    String lower = query.toLowerCase(Locale.ROOT);
    return names.stream().anyMatch(n -> java.util.regex.Pattern.compile("(?<![A-Za-z0-9_$.])" + n
        + "(?![A-Za-z0-9_])").matcher(lower).find());
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /** What {@link #reasonField} answered per rule: a query is parsed once. */
  private final java.util.Map<String, String> reasonFields = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The field a quarantine reason of this sql rule names, as a row rule's does: the rule's property, else the
   * top-level columns its query reads (as DuckDB's parser finds them, in the contract's order, comma-separated);
   * empty for a rule this object does not run or a query that names none.
   */
  public String reasonField(String ruleName) {
    QualityRule.Sql rule = rules.stream().filter(r -> r.name().equals(ruleName)).findFirst().orElse(null);
    if (rule == null) {
      return "";
    }
    if (rule.field() != null) {
      return rule.field();
    }
    return reasonFields.computeIfAbsent(ruleName, name -> columnsRead(rule));
  }

  private String columnsRead(QualityRule.Sql rule) {
    Set<String> named = new java.util.HashSet<>();
    try (PreparedStatement parse = connection.prepareStatement("SELECT json_serialize_sql(?)")) {
      parse.setString(1, query(rule, LINT_OBJECT, LINT_TABLE, tableNames));
      try (ResultSet result = parse.executeQuery()) {
        if (result.next()) {
          JSON.readTree(result.getString(1)).findValues("column_names").forEach(names -> names.forEach(
              n -> named.add(n.asText().toLowerCase(Locale.ROOT))));
        }
      }
    } catch (SQLException | java.io.IOException e) {
      // the rule ran, so it parses; a reason without its columns is still a reason
      org.slf4j.LoggerFactory.getLogger(SqlRules.class).warn("cannot tell which columns sql rule '{}' reads, its"
          + " quarantine reasons name none: {}", rule.name(), e.toString());
      return "";
    }
    return String.join(",", columns.stream().filter(c -> named.contains(c.toLowerCase(Locale.ROOT))).toList());
  }

  /**
   * Evaluates every rule. A query that fails (bad SQL, wrong result shape) is a failed verdict with the database's
   * message, never an exception that would stop the pipeline by itself.
   */
  public List<BatchChecks.Verdict> evaluate(Collection<String> batchFiles, Collection<String> tableFiles) {
    List<BatchChecks.Verdict> verdicts = new ArrayList<>(rules.size());
    for (QualityRule.Sql rule : rules) {
      boolean aboutTheBatch = rule.query().contains("{object}");
      boolean aboutTheTable = rule.query().contains("${table}") || namesTable(rule.query(), tableNames);
      if ((aboutTheBatch && batchFiles.isEmpty()) || (aboutTheTable && tableFiles.isEmpty())) {
        continue; // no rows reached silver in this batch: nothing to judge (and no columns to bind)
      }
      String sql = query(rule, relation(batchFiles), relation(tableFiles), tableNames);
      try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        if (!rs.next()) {
          verdicts.add(new BatchChecks.Verdict(rule.name(), rule.severity(), false, null, "the query returned no row"));
          continue;
        }
        BigDecimal measured = rs.getBigDecimal(1);
        if (measured == null) {
          measured = BigDecimal.ZERO;
        }
        boolean passed = rule.threshold().accepts(measured);
        verdicts.add(new BatchChecks.Verdict(rule.name(), rule.severity(), passed, measured,
            "sql rule " + rule.name() + " measured " + measured.toPlainString()));
      } catch (SQLException e) {
        verdicts.add(new BatchChecks.Verdict(rule.name(), rule.severity(), false, null,
            "sql rule " + rule.name() + " cannot run: " + e.getMessage().lines().findFirst().orElse("")));
      }
    }
    return verdicts;
  }

  private static String relation(Collection<String> files) {
    return "read_parquet([" + files.stream().map(f -> "'" + localPath(f).replace("'", "''") + "'")
        .collect(Collectors.joining(",")) + "], union_by_name = true)";
  }

  private static String localPath(String location) {
    return location.startsWith("file:") ? Path.of(java.net.URI.create(location.startsWith("file:///") ? location
        : "file://" + location.substring("file:".length()))).toString() : location;
  }

  /**
   * {@link #problems(Contract)} as a {@link ContractCheck}, registered in {@code META-INF/services}: the contract
   * parser runs it wherever the runtime is on the class path, so a node refuses at start what {@code lint} refuses.
   */
  public static final class Check implements ContractCheck {
    @Override
    public List<Problem> problems(Contract contract) {
      return SqlRules.problems(contract);
    }

    @Override
    public String checks() {
      return "the sql quality rules";
    }
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        throw new IllegalStateException("cannot close DuckDB: " + e.getMessage(), e);
      }
    }
  }
}
