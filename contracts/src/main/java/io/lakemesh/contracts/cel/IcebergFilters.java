package io.lakemesh.contracts.cel;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Translates a checked CEL predicate into an Iceberg filter for pushdown (file and partition pruning).
 *
 * <p>The translation never excludes a row the CEL expression accepts: parts that have no exact Iceberg counterpart
 * are widened to {@code alwaysTrue}, so callers still evaluate the CEL predicate on the rows a scan returns. Only
 * comparisons of a top-level column with a constant, {@code in} lists, {@code &&}, {@code ||} and {@code !} are
 * pushed down.
 */
public final class IcebergFilters {

  private IcebergFilters() {}

  /** The Iceberg filter for a predicate: exact where possible, always a superset of the CEL result. */
  public static Expression toIceberg(RowPredicate predicate, Schema schema) {
    return translate(predicate.ast().getExpr(), schema).expression();
  }

  /** True when the whole predicate was translated exactly (no residual CEL evaluation would be needed). */
  public static boolean isExact(RowPredicate predicate, Schema schema) {
    return translate(predicate.ast().getExpr(), schema).exact();
  }

  private record Translation(Expression expression, boolean exact) {
    static final Translation WIDENED = new Translation(Expressions.alwaysTrue(), false);
  }

  private static Translation translate(CelExpr expr, Schema schema) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && expr.constant().getKind() == CelConstant.Kind.BOOLEAN_VALUE) {
      return new Translation(expr.constant().booleanValue() ? Expressions.alwaysTrue() : Expressions.alwaysFalse(),
          true);
    }
    if (expr.getKind() != CelExpr.ExprKind.Kind.CALL) {
      return Translation.WIDENED;
    }
    CelExpr.CelCall call = expr.call();
    List<CelExpr> args = call.args();
    switch (call.function()) {
      case "_&&_" -> {
        Translation left = translate(args.get(0), schema);
        Translation right = translate(args.get(1), schema);
        return new Translation(Expressions.and(left.expression(), right.expression()),
            left.exact() && right.exact());
      }
      case "_||_" -> {
        Translation left = translate(args.get(0), schema);
        Translation right = translate(args.get(1), schema);
        return new Translation(Expressions.or(left.expression(), right.expression()),
            left.exact() && right.exact());
      }
      case "!_" -> {
        Translation inner = translate(args.get(0), schema);
        // negating a widened filter would narrow it: only exact translations may be negated
        return inner.exact() ? new Translation(Expressions.not(inner.expression()), true) : Translation.WIDENED;
      }
      case "_==_", "_<_", "_<=_", "_>_", "_>=_" -> {
        return comparison(call.function(), args.get(0), args.get(1), schema);
      }
      case "@in" -> {
        return in(args.get(0), args.get(1), schema);
      }
      default -> {
        return Translation.WIDENED;
      }
    }
  }

  private static Translation comparison(String function, CelExpr left, CelExpr right, Schema schema) {
    Optional<Types.NestedField> column = column(left, schema);
    Optional<Object> value = column.flatMap(c -> literal(right, c.type()));
    String op = function;
    if (column.isEmpty()) {
      // constant on the left: flip the comparison
      column = column(right, schema);
      value = column.flatMap(c -> literal(left, c.type()));
      op = switch (function) {
        case "_<_" -> "_>_";
        case "_<=_" -> "_>=_";
        case "_>_" -> "_<_";
        case "_>=_" -> "_<=_";
        default -> function;
      };
    }
    if (column.isEmpty() || value.isEmpty()) {
      return Translation.WIDENED;
    }
    String name = column.get().name();
    Object v = value.get();
    Expression e = switch (op) {
      case "_==_" -> Expressions.equal(name, v);
      case "_<_" -> Expressions.lessThan(name, v);
      case "_<=_" -> Expressions.lessThanOrEqual(name, v);
      case "_>_" -> Expressions.greaterThan(name, v);
      default -> Expressions.greaterThanOrEqual(name, v);
    };
    return new Translation(e, true);
  }

  private static Translation in(CelExpr element, CelExpr list, Schema schema) {
    Optional<Types.NestedField> column = column(element, schema);
    if (column.isEmpty() || list.getKind() != CelExpr.ExprKind.Kind.LIST) {
      return Translation.WIDENED;
    }
    List<Object> values = new ArrayList<>();
    for (CelExpr e : list.list().elements()) {
      Optional<Object> v = literal(e, column.get().type());
      if (v.isEmpty()) {
        return Translation.WIDENED;
      }
      values.add(v.get());
    }
    if (values.isEmpty()) {
      return new Translation(Expressions.alwaysFalse(), true);
    }
    return new Translation(Expressions.in(column.get().name(), values.toArray()), true);
  }

  private static Optional<Types.NestedField> column(CelExpr expr, Schema schema) {
    if (expr.getKind() != CelExpr.ExprKind.Kind.IDENT) {
      return Optional.empty();
    }
    Types.NestedField field = schema.asStruct().field(expr.ident().name());
    return field != null && field.type().isPrimitiveType() ? Optional.of(field) : Optional.empty();
  }

  /**
   * The Iceberg literal of a CEL constant for a column type, only when the conversion is exact (e.g. 100.005 is
   * not pushed down against a decimal(12,2) column, because rounding it would change the comparison).
   */
  private static Optional<Object> literal(CelExpr expr, Type type) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CALL && expr.call().function().equals("timestamp")
        && expr.call().args().size() == 1 && type.typeId() == Type.TypeID.TIMESTAMP) {
      CelExpr arg = expr.call().args().get(0);
      if (arg.getKind() == CelExpr.ExprKind.Kind.CONSTANT
          && arg.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
        try {
          java.time.Instant instant = java.time.OffsetDateTime.parse(arg.constant().stringValue()).toInstant();
          return Optional.of(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
        } catch (java.time.format.DateTimeParseException e) {
          return Optional.empty();
        }
      }
      return Optional.empty();
    }
    if (expr.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
      return Optional.empty();
    }
    CelConstant c = expr.constant();
    return switch (type.typeId()) {
      case STRING -> c.getKind() == CelConstant.Kind.STRING_VALUE ? Optional.of(c.stringValue()) : Optional.empty();
      case DATE -> c.getKind() == CelConstant.Kind.STRING_VALUE ? isoDate(c.stringValue()) : Optional.empty();
      case BOOLEAN -> c.getKind() == CelConstant.Kind.BOOLEAN_VALUE ? Optional.of(c.booleanValue())
          : Optional.empty();
      case INTEGER, LONG -> c.getKind() == CelConstant.Kind.INT64_VALUE
          ? (type.typeId() == Type.TypeID.INTEGER ? intValue(c.int64Value()) : Optional.of(c.int64Value()))
          : Optional.empty();
      case DOUBLE -> numeric(c).map(BigDecimal::doubleValue);
      case DECIMAL -> numeric(c).flatMap(d -> exactDecimal(d, (Types.DecimalType) type));
      default -> Optional.empty();
    };
  }

  private static Optional<Object> intValue(long v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? Optional.of((int) v) : Optional.empty();
  }

  private static Optional<Object> isoDate(String text) {
    try {
      return Optional.of((int) java.time.LocalDate.parse(text).toEpochDay());
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<BigDecimal> numeric(CelConstant c) {
    return switch (c.getKind()) {
      case INT64_VALUE -> Optional.of(BigDecimal.valueOf(c.int64Value()));
      case DOUBLE_VALUE -> Double.isFinite(c.doubleValue())
          ? Optional.of(BigDecimal.valueOf(c.doubleValue())) : Optional.empty();
      default -> Optional.empty();
    };
  }

  private static Optional<Object> exactDecimal(BigDecimal d, Types.DecimalType type) {
    try {
      BigDecimal scaled = d.setScale(type.scale(), java.math.RoundingMode.UNNECESSARY);
      return scaled.precision() <= type.precision() ? Optional.of(scaled) : Optional.empty();
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }
}
