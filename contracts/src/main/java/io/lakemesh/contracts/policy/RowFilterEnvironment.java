package io.lakemesh.contracts.policy;

import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.ContractTypes;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.model.Field;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL environment of row filters: {@code row} is a struct whose fields are the contract's top-level columns, typed
 * as in quality rules (so {@code row.regoin} or {@code row.total_amount == "x"} fail to compile), and {@code claims}
 * is the caller's token claims as {@code map(string, dyn)}. Standard macros ({@code has}, {@code exists}, …) are on.
 */
final class RowFilterEnvironment {
  /** The variable bound to the row. */
  static final String ROW = "row";
  /** The variable bound to the caller's claims. */
  static final String CLAIMS = "claims";

  private static final String ROW_TYPE = "lakemesh.Row";
  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private final CelCompiler compiler;
  private final Map<String, Field> fields = new java.util.LinkedHashMap<>();

  private RowFilterEnvironment(List<Field> fields) {
    fields.forEach(f -> this.fields.putIfAbsent(f.name(), f));
    ContractTypes types = ContractTypes.of(fields);
    StructType row = types.struct(ROW_TYPE, types.columns());
    CelTypeProvider provider = types.provider();
    this.compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(OPTIONS)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .setTypeProvider(provider)
        .addVar(ROW, row)
        .addVar(CLAIMS, MapType.create(SimpleType.STRING, SimpleType.DYN))
        .setResultType(SimpleType.BOOL)
        .build();
  }

  static RowFilterEnvironment forFields(List<Field> fields) {
    return new RowFilterEnvironment(fields);
  }

  /** Compiles and type-checks a row filter; the exception's message says what is wrong and where. */
  RowAccessFilter compile(String expression) throws InvalidExpressionException {
    CelValidationResult result = RowExpressions.checked(compiler, expression, fields, ROW);
    if (result.hasError()) {
      throw new InvalidExpressionException(RowExpressions.describe(result));
    }
    try {
      return new RowAccessFilter(expression, RUNTIME.createProgram(result.getAst()));
    } catch (CelValidationException | CelEvaluationException e) {
      throw new InvalidExpressionException(e.getMessage());
    }
  }
}
