package io.lakemesh.contracts.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.time.Instant;
import org.apache.iceberg.data.Record;

/** A compiled, type-checked boolean CEL expression over one row. Thread-safe. */
public final class RowPredicate {
  private final String source;
  private final CelAbstractSyntaxTree ast;
  private final CelRuntime.Program program;
  private final RowExpressions environment;

  RowPredicate(String source, CelAbstractSyntaxTree ast, CelRuntime.Program program, RowExpressions environment) {
    this.source = source;
    this.ast = ast;
    this.program = program;
    this.environment = environment;
  }

  public String source() {
    return source;
  }

  /** The checked syntax tree, for translation into storage filters. */
  public CelAbstractSyntaxTree ast() {
    return ast;
  }

  /**
   * Evaluates the predicate. An evaluation error (e.g. a missing optional value used in arithmetic) is reported as
   * an exception, never as a silent false, so callers decide what it means for the row.
   */
  public boolean test(Record row, Instant now) throws CelEvaluationException {
    Object result = program.eval(name -> environment.resolve(row, now, name));
    return Boolean.TRUE.equals(result);
  }
}
