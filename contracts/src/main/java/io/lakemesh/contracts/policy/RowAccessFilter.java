package io.lakemesh.contracts.policy;

import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.Map;
import org.apache.iceberg.data.Record;

/**
 * A role's compiled row filter: a CEL expression over {@code row} (the row's top-level columns) and {@code claims}
 * (the caller's token claims), e.g. {@code row.region == claims.region}. Thread-safe; compiled once per contract.
 *
 * <p>Fails closed: a row is visible only when the expression evaluates to {@code true}. Anything else hides the
 * row, including an evaluation error, which is what a claim the caller's token lacks or a null column read by the
 * filter produce (the same holds for a claim of the wrong type). Guard optional claims with {@code has(claims.x)}
 * where another branch should still let rows through.
 */
public final class RowAccessFilter {
  private final String source;
  private final CelRuntime.Program program;

  RowAccessFilter(String source, CelRuntime.Program program) {
    this.source = source;
    this.program = program;
  }

  /** The expression as the contract wrote it. */
  public String source() {
    return source;
  }

  /**
   * Whether the caller may see a row given as column name → value (JSON-like values: strings, numbers, booleans,
   * lists, maps; Iceberg generic values are accepted too).
   */
  public boolean test(Map<String, ?> row, Map<String, ?> claims) {
    return eval(CelValues.of(row), claims);
  }

  /** Whether the caller may see an Iceberg row. */
  public boolean test(Record row, Map<String, ?> claims) {
    return eval(CelValues.of(row), claims);
  }

  private boolean eval(Map<String, Object> row, Map<String, ?> claims) {
    Map<String, Object> claimValues = CelValues.of(claims == null ? Map.of() : claims);
    try {
      return Boolean.TRUE.equals(program.eval(Map.of(RowFilterEnvironment.ROW, row,
          RowFilterEnvironment.CLAIMS, claimValues)));
    } catch (CelEvaluationException | RuntimeException e) {
      // fail closed: a value CEL cannot handle (e.g. a claim of an unsupported type) hides the row, never leaks it
      return false;
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
