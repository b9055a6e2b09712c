package io.lakemesh.contracts.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.time.Instant;
import java.util.List;
import org.apache.iceberg.data.Record;

/** A compiled, type-checked boolean CEL expression over one row. Thread-safe. */
public final class RowPredicate {
  private final String source;
  private final CelAbstractSyntaxTree ast;
  private final CelRuntime.Program program;
  private final RowExpressions environment;
  /** The same expression as closures, or null when it uses more than they cover. */
  private final CompiledPredicate compiled;

  /** Where the values the expression reads sit in a row (see {@link #absent}). */
  private final List<List<String>> paths;
  private final List<String> reads;

  RowPredicate(String source, CelAbstractSyntaxTree ast, CelRuntime.Program program, RowExpressions environment,
      CompiledPredicate compiled, List<List<String>> paths, List<String> reads) {
    this.source = source;
    this.ast = ast;
    this.program = program;
    this.environment = environment;
    this.compiled = compiled;
    this.paths = paths;
    this.reads = reads;
  }

  /**
   * The declared values the expression reads as values, by path ({@code buyer.address.city}, {@code lines[].sku}),
   * not the objects and lists it only goes through to reach them. With {@link #referencedColumns()}'s {@code "*"}
   * (a dynamic {@code row[name]}), what a caller's masks must be checked against.
   */
  public List<String> reads() {
    return reads;
  }

  /**
   * The values the expression reads that this row lacks, each as its path in the row: {@code geo},
   * {@code buyer.address.geo}, {@code lines[2].discounts}; empty when the row has them all. An evaluation error on a
   * row that lacks one is that absence (CEL has no null-safe navigation), not a fault of the expression.
   */
  public List<String> absent(Record row) {
    java.util.Set<String> found = new java.util.LinkedHashSet<>();
    for (List<String> path : paths) {
      absent(row, path, 0, "", found);
    }
    return List.copyOf(found);
  }

  /**
   * What the row lacks, when that is why {@code failure} happened: CEL could not read a member that is not there
   * (or a null item or value); empty for a failure of another kind (a bad conversion, a division by zero), which is
   * the expression's own even when some value it reads is absent.
   */
  public List<String> absentBehind(CelEvaluationException failure, Record row) {
    dev.cel.common.CelErrorCode code = failure.getErrorCode();
    boolean readingNothing = code == dev.cel.common.CelErrorCode.ATTRIBUTE_NOT_FOUND
        || code == dev.cel.common.CelErrorCode.OVERLOAD_NOT_FOUND // a null operand, where no overload takes null
        || code == dev.cel.common.CelErrorCode.INTERNAL_ERROR; // a null list item or member value
    return readingNothing ? absent(row) : List.of();
  }

  /** CEL's wording of an evaluation error: {@code evaluation error at <input>:<offset>: <reason>}. */
  private static final java.util.regex.Pattern EVALUATION_ERROR =
      java.util.regex.Pattern.compile("evaluation error at <input>:(\\d+):\\s*(.*)", java.util.regex.Pattern.DOTALL);

  /**
   * An evaluation error as people read it, in the shape of a compile error: {@code <input>:1:5: division by zero |
   * age / 0 > 1 | ....^}. CEL names the place as an offset into the text, and takes the reason from the Java
   * exception, whose message the JIT leaves out once the code is hot (an implicit division by zero), so the reason
   * comes from CEL's error code where it has one.
   */
  public String describe(CelEvaluationException failure) {
    String message = failure.getMessage() == null ? "" : failure.getMessage();
    java.util.regex.Matcher m = EVALUATION_ERROR.matcher(message);
    String reason = m.matches() ? m.group(2).strip() : message.strip();
    dev.cel.common.CelErrorCode code = failure.getErrorCode();
    if (code == dev.cel.common.CelErrorCode.DIVIDE_BY_ZERO) {
      reason = "division by zero";
    } else if (reason.isEmpty()) {
      reason = code != null && code != dev.cel.common.CelErrorCode.INTERNAL_ERROR
          ? code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
          : failure.getCause() != null ? failure.getCause().getClass().getSimpleName() : "evaluation failed";
    }
    if (!m.matches()) {
      return reason;
    }
    int offset = Integer.parseInt(m.group(1).length() > 9 ? "-1" : m.group(1));
    if (offset < 0 || offset > source.length()) {
      return reason;
    }
    int lineStart = source.lastIndexOf('\n', offset - 1) + 1;
    int lineEnd = source.indexOf('\n', offset);
    int line = (int) source.substring(0, lineStart).chars().filter(c -> c == '\n').count() + 1;
    int column = offset - lineStart + 1;
    return "<input>:" + line + ":" + column + ": " + reason + " | "
        + source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd) + " | " + ".".repeat(column - 1) + "^";
  }

  private static void absent(Object value, List<String> path, int step, String at, java.util.Set<String> found) {
    if (step == path.size() || found.size() >= 5) {
      return;
    }
    String name = path.get(step);
    if (name.equals("[]")) {
      if (value instanceof List<?> items) {
        for (int i = 0; i < items.size(); i++) {
          String item = at + "[" + i + "]";
          if (items.get(i) == null) {
            found.add(item);
          } else {
            absent(items.get(i), path, step + 1, item, found);
          }
        }
      }
      return;
    }
    if (!(value instanceof Record record) || record.struct().field(name) == null) {
      return;
    }
    String member = at.isEmpty() ? name : at + "." + name;
    Object v = record.getField(name);
    if (v == null) {
      found.add(member);
    } else {
      absent(v, path, step + 1, member, found);
    }
  }

  public String source() {
    return source;
  }

  /**
   * The columns the expression reads: top-level variables and {@code row.<column>} selections. When the whole
   * {@code row} map is used in another way (e.g. {@code row[name]}), the result contains {@code "*"}: it may read
   * any column. Used to refuse expressions over columns a caller may only see masked.
   */
  public java.util.Set<String> referencedColumns() {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    java.util.Set<Long> rowSelects = new java.util.HashSet<>();
    dev.cel.common.navigation.CelNavigableAst.fromAst(ast).getRoot().allNodes().forEach(n -> {
      dev.cel.common.ast.CelExpr e = n.expr();
      if (e.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.SELECT
          && e.select().operand().getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.IDENT
          && e.select().operand().ident().name().equals(RowExpressions.ROW)) {
        names.add(e.select().field());
        rowSelects.add(e.select().operand().id());
      }
    });
    dev.cel.common.navigation.CelNavigableAst.fromAst(ast).getRoot().allNodes()
        .filter(n -> n.getKind() == dev.cel.common.ast.CelExpr.ExprKind.Kind.IDENT)
        .forEach(n -> {
          String name = n.expr().ident().name();
          if (!name.equals(RowExpressions.ROW)) {
            names.add(name);
          } else if (!rowSelects.contains(n.expr().id())) {
            names.add("*");
          }
        });
    return names;
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
    if (compiled != null) {
      Boolean fast = compiled.test(row, now);
      if (fast != null) {
        return fast;
      }
    }
    return interpret(row, now);
  }

  /** Whether the common case runs as compiled closures rather than through the interpreter. */
  boolean isCompiled() {
    return compiled != null;
  }

  /** What the closures say, or null when they leave it to the interpreter (or there are none). */
  Boolean testCompiled(Record row, Instant now) {
    return compiled == null ? null : compiled.test(row, now);
  }

  /** The interpreter's verdict, the reference the closures must agree with. */
  boolean interpret(Record row, Instant now) throws CelEvaluationException {
    Object result = program.eval(name -> environment.resolve(row, now, name));
    return Boolean.TRUE.equals(result);
  }
}
