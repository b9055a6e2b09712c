package io.lakemesh.runtime.quality;

import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.model.Severity;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

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

  /** The verdict of one SQL rule on one batch. */
  public record Verdict(String rule, Severity severity, boolean passed, BigDecimal measured, String message) {}

  private final List<QualityRule.Sql> rules;
  private final Connection connection;

  private SqlRules(List<QualityRule.Sql> rules, Connection connection) {
    this.rules = rules;
    this.connection = connection;
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
      return new SqlRules(List.of(), null);
    }
    try {
      Connection c = DriverManager.getConnection("jdbc:duckdb:");
      try (Statement s = c.createStatement()) {
        s.execute("SET allowed_directories = ['" + warehouseDir.toAbsolutePath().toString().replace("'", "''")
            + "']");
        s.execute("SET enable_external_access = false");
        s.execute("SET autoinstall_known_extensions = false");
        s.execute("SET autoload_known_extensions = false");
        s.execute("SET threads = 1");
        s.execute("SET lock_configuration = true");
      }
      return new SqlRules(List.copyOf(rules), c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start DuckDB for the sql rules of " + contract.id() + ": "
          + e.getMessage(), e);
    }
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Evaluates every rule. A query that fails (bad SQL, wrong result shape) is a failed verdict with the database's
   * message, never an exception that would stop the pipeline by itself.
   */
  public List<Verdict> evaluate(Collection<String> batchFiles, Collection<String> tableFiles) {
    List<Verdict> verdicts = new ArrayList<>(rules.size());
    for (QualityRule.Sql rule : rules) {
      boolean aboutTheBatch = rule.query().contains("{object}");
      if ((aboutTheBatch && batchFiles.isEmpty()) || (rule.query().contains("${table}") && tableFiles.isEmpty())) {
        continue; // no rows reached silver in this batch: nothing to judge (and no columns to bind)
      }
      String sql = rule.query()
          .replace("${object}", relation(batchFiles))
          .replace("{object}", relation(batchFiles))
          .replace("${table}", relation(tableFiles))
          .replace("${property}", rule.field() == null ? "" : "\"" + rule.field() + "\"");
      try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        if (!rs.next()) {
          verdicts.add(new Verdict(rule.name(), rule.severity(), false, null, "the query returned no row"));
          continue;
        }
        BigDecimal measured = rs.getBigDecimal(1);
        if (measured == null) {
          measured = BigDecimal.ZERO;
        }
        boolean passed = rule.threshold().accepts(measured);
        verdicts.add(new Verdict(rule.name(), rule.severity(), passed, measured,
            "sql rule " + rule.name() + " measured " + measured.toPlainString()));
      } catch (SQLException e) {
        verdicts.add(new Verdict(rule.name(), rule.severity(), false, null,
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
