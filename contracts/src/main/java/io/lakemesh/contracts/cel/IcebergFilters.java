package io.lakemesh.contracts.cel;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.iceberg.Schema;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Translates a checked CEL predicate into an Iceberg filter for pushdown (file and partition pruning).
 *
 * <p>The translation never excludes a row the CEL expression accepts: parts that have no exact Iceberg counterpart
 * are widened, so callers still evaluate the CEL predicate on the rows a scan returns. Only comparisons of a
 * top-level column with a constant, {@code in} lists, {@code &&}, {@code ||} and {@code !} are pushed down.
 *
 * <p>CEL has three outcomes per row, not two: a comparison with an absent (null) value is neither true nor false
 * (the row is rejected whether or not the comparison is negated), while Iceberg's evaluator orders nulls first and
 * so finds {@code null < 5} true and {@code !(null < 5)} false. Each sub-expression is therefore translated twice:
 * into the rows where it is true and the rows where it is false, and {@code !} swaps the two. That keeps negation
 * exact (and lets a negated widened part stay widened instead of turning into a narrowing).
 */
public final class IcebergFilters {
  /** RFC 3339 as CEL's {@code timestamp(string)} reads it: seconds required, an offset required. */
  private static final Pattern RFC3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");
  /** Decimals of up to 15 significant digits convert to distinct doubles in the same order (CEL sees doubles). */
  private static final int DOUBLE_EXACT_DIGITS = 15;
  private static final long DOUBLE_EXACT_LONG = 1L << 53;

  private IcebergFilters() {}

  /** The Iceberg filter for a predicate: exact where possible, always a superset of the CEL result. */
  public static Expression toIceberg(RowPredicate predicate, Schema schema) {
    return translate(predicate.ast().getExpr(), schema).whenTrue();
  }

  /**
   * True when the whole predicate was translated exactly: for every row, the filter accepts it exactly when the
   * CEL predicate evaluates to true (no residual CEL evaluation would be needed).
   */
  public static boolean isExact(RowPredicate predicate, Schema schema) {
    return translate(predicate.ast().getExpr(), schema).exact();
  }

  /**
   * The rows where a CEL sub-expression is true, and those where it is false; a row in neither makes it
   * null-valued or an error. Both are supersets when not {@code exact}.
   */
  private record Translation(Expression whenTrue, Expression whenFalse, boolean exact) {
    static final Translation WIDENED = new Translation(Expressions.alwaysTrue(), Expressions.alwaysTrue(), false);

    static Translation constant(boolean value) {
      return value
          ? new Translation(Expressions.alwaysTrue(), Expressions.alwaysFalse(), true)
          : new Translation(Expressions.alwaysFalse(), Expressions.alwaysTrue(), true);
    }

    Translation not() {
      return new Translation(whenFalse, whenTrue, exact);
    }
  }

  private static Translation translate(CelExpr expr, Schema schema) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CONSTANT
        && expr.constant().getKind() == CelConstant.Kind.BOOLEAN_VALUE) {
      return Translation.constant(expr.constant().booleanValue());
    }
    if (expr.getKind() != CelExpr.ExprKind.Kind.CALL) {
      return Translation.WIDENED;
    }
    CelExpr.CelCall call = expr.call();
    List<CelExpr> args = call.args();
    switch (call.function()) {
      case "_&&_" -> {
        // CEL's && and || are commutative over errors and nulls: false && error is false, true || error is true
        Translation left = translate(args.get(0), schema);
        Translation right = translate(args.get(1), schema);
        return new Translation(Expressions.and(left.whenTrue(), right.whenTrue()),
            Expressions.or(left.whenFalse(), right.whenFalse()), left.exact() && right.exact());
      }
      case "_||_" -> {
        Translation left = translate(args.get(0), schema);
        Translation right = translate(args.get(1), schema);
        return new Translation(Expressions.or(left.whenTrue(), right.whenTrue()),
            Expressions.and(left.whenFalse(), right.whenFalse()), left.exact() && right.exact());
      }
      case "!_" -> {
        return translate(args.get(0), schema).not();
      }
      case "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_" -> {
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

  private enum Op {
    EQ, NE, LT, LE, GT, GE;

    static Op of(String function) {
      return switch (function) {
        case "_==_" -> EQ;
        case "_!=_" -> NE;
        case "_<_" -> LT;
        case "_<=_" -> LE;
        case "_>_" -> GT;
        default -> GE;
      };
    }

    /** The same comparison with its operands swapped ({@code 5 < x} is {@code x > 5}). */
    Op flipped() {
      return switch (this) {
        case LT -> GT;
        case LE -> GE;
        case GT -> LT;
        case GE -> LE;
        default -> this;
      };
    }

    /** The comparison that holds exactly when this one does not (for non-null, non-NaN values). */
    Op negated() {
      return switch (this) {
        case EQ -> NE;
        case NE -> EQ;
        case LT -> GE;
        case LE -> GT;
        case GT -> LE;
        case GE -> LT;
      };
    }

    Expression on(String column, Object value) {
      return switch (this) {
        case EQ -> Expressions.equal(column, value);
        case NE -> Expressions.notEqual(column, value);
        case LT -> Expressions.lessThan(column, value);
        case LE -> Expressions.lessThanOrEqual(column, value);
        case GT -> Expressions.greaterThan(column, value);
        case GE -> Expressions.greaterThanOrEqual(column, value);
      };
    }
  }

  private static Translation comparison(String function, CelExpr left, CelExpr right, Schema schema) {
    Op op = Op.of(function);
    Optional<Types.NestedField> column = column(left, schema);
    CelExpr constant = right;
    if (column.isEmpty()) {
      column = column(right, schema);
      constant = left;
      op = op.flipped();
    }
    if (column.isEmpty()) {
      return Translation.WIDENED;
    }
    Types.NestedField field = column.get();
    Optional<Object> value = literal(constant, field.type());
    // (strings too: CEL orders them by code point, as Iceberg does; see CodePointOrder)
    if (value.isEmpty()) {
      return Translation.WIDENED;
    }
    String name = field.name();
    if (value.get() instanceof Double d && d == 0.0) {
      return zeroComparison(field, op);
    }
    return guarded(field, op.on(name, value.get()), op.negated().on(name, value.get()));
  }

  /**
   * A comparison with a double zero: CEL finds -0.0 == 0.0, Iceberg orders -0.0 below 0.0, so each operator takes
   * the zero (or both) that makes Iceberg keep exactly the rows CEL does.
   */
  private static Translation zeroComparison(Types.NestedField field, Op op) {
    String name = field.name();
    Expression whenTrue = switch (op) {
      case GT -> Expressions.greaterThan(name, 0.0);
      case GE -> Expressions.greaterThanOrEqual(name, -0.0);
      case LT -> Expressions.lessThan(name, -0.0);
      case LE -> Expressions.lessThanOrEqual(name, 0.0);
      case EQ -> Expressions.in(name, -0.0, 0.0);
      case NE -> Expressions.notIn(name, -0.0, 0.0);
    };
    Expression whenFalse = switch (op) {
      case GT -> Expressions.lessThanOrEqual(name, 0.0);
      case GE -> Expressions.lessThan(name, -0.0);
      case LT -> Expressions.greaterThanOrEqual(name, -0.0);
      case LE -> Expressions.greaterThan(name, 0.0);
      case EQ -> Expressions.notIn(name, -0.0, 0.0);
      case NE -> Expressions.in(name, -0.0, 0.0);
    };
    return guarded(field, whenTrue, whenFalse);
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
      if (v.get() instanceof Double d && d == 0.0) {
        values.add(-d); // the other zero, which CEL finds equal to it
      }
    }
    String name = column.get().name();
    if (values.isEmpty()) {
      return guarded(column.get(), Expressions.alwaysFalse(), Expressions.alwaysTrue());
    }
    return guarded(column.get(), Expressions.in(name, values.toArray()), Expressions.notIn(name, values.toArray()));
  }

  /**
   * A comparison's true and false rows, without the rows where CEL has no answer: a null value (CEL resolves an
   * absent optional value to no value at all) and a NaN (which CEL finds neither equal, less nor greater, but which
   * Iceberg orders above every number).
   */
  private static Translation guarded(Types.NestedField field, Expression whenTrue, Expression whenFalse) {
    Expression trueRows = whenTrue;
    Expression falseRows = whenFalse;
    boolean floating = field.type().typeId() == Type.TypeID.DOUBLE || field.type().typeId() == Type.TypeID.FLOAT;
    if (floating) {
      trueRows = Expressions.and(Expressions.notNaN(field.name()), trueRows);
      falseRows = Expressions.or(Expressions.isNaN(field.name()), falseRows);
    }
    if (field.isOptional()) {
      trueRows = Expressions.and(Expressions.notNull(field.name()), trueRows);
      falseRows = Expressions.and(Expressions.notNull(field.name()), falseRows);
    }
    return new Translation(trueRows, falseRows, true);
  }

  private static Optional<Types.NestedField> column(CelExpr expr, Schema schema) {
    if (expr.getKind() != CelExpr.ExprKind.Kind.IDENT) {
      return Optional.empty();
    }
    Types.NestedField field = schema.asStruct().field(expr.ident().name());
    return field != null && field.type().isPrimitiveType() ? Optional.of(field) : Optional.empty();
  }

  /**
   * The Iceberg literal of a CEL constant for a column type, only when CEL compares the column's values with it
   * exactly as Iceberg compares them with the literal (e.g. 100.005 is not pushed down against a decimal(12,2)
   * column, because rounding it would change the comparison).
   */
  private static Optional<Object> literal(CelExpr expr, Type type) {
    if (expr.getKind() == CelExpr.ExprKind.Kind.CALL && expr.call().function().equals("timestamp")
        && expr.call().args().size() == 1 && type.typeId() == Type.TypeID.TIMESTAMP) {
      CelExpr arg = expr.call().args().get(0);
      if (arg.getKind() == CelExpr.ExprKind.Kind.CONSTANT
          && arg.constant().getKind() == CelConstant.Kind.STRING_VALUE) {
        return timestampMicros(arg.constant().stringValue());
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
      case DOUBLE -> exactDouble(c);
      case DECIMAL -> numeric(c).flatMap(d -> exactDecimal(d, (Types.DecimalType) type));
      default -> Optional.empty();
    };
  }

  /**
   * A timestamp constant in Iceberg's microseconds, when CEL reads the same instant: RFC 3339 within years 1 to
   * 9999, and no finer than a microsecond (Iceberg would truncate {@code .0000001}, turning {@code <} into
   * {@code <=}).
   */
  private static Optional<Object> timestampMicros(String text) {
    if (!RFC3339.matcher(text).matches()) {
      return Optional.empty();
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(text);
      Instant instant = t.toInstant();
      int yearUtc = t.withOffsetSameInstant(ZoneOffset.UTC).getYear();
      if (instant.getNano() % 1_000 != 0 || yearUtc < 1 || yearUtc > 9999) {
        return Optional.empty();
      }
      return Optional.of(instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000);
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Object> intValue(long v) {
    return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? Optional.of((int) v) : Optional.empty();
  }

  /**
   * A date constant as epoch days. CEL sees a date column as its ISO text and compares text, which orders like
   * dates only for four-digit years written in full ({@code 2026-01-05}, not {@code 2026-1-5}).
   */
  private static Optional<Object> isoDate(String text) {
    try {
      LocalDate date = LocalDate.parse(text);
      if (!date.toString().equals(text) || date.getYear() < 0 || date.getYear() > 9999) {
        return Optional.empty();
      }
      return Optional.of((int) date.toEpochDay());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /** A number constant for a double column; integers only where a double holds them exactly. */
  private static Optional<Object> exactDouble(CelConstant c) {
    return switch (c.getKind()) {
      // an int zero is left to CEL: cel-java compares a double with an int by Double.compare, -0.0 below 0
      case INT64_VALUE -> Math.abs(c.int64Value()) <= DOUBLE_EXACT_LONG && c.int64Value() != 0
          ? Optional.of((double) c.int64Value()) : Optional.empty();
      case DOUBLE_VALUE -> Double.isNaN(c.doubleValue()) ? Optional.empty() : Optional.of(c.doubleValue());
      default -> Optional.empty();
    };
  }

  private static Optional<BigDecimal> numeric(CelConstant c) {
    return switch (c.getKind()) {
      case INT64_VALUE -> Optional.of(BigDecimal.valueOf(c.int64Value()));
      case DOUBLE_VALUE -> Double.isFinite(c.doubleValue())
          ? Optional.of(BigDecimal.valueOf(c.doubleValue())) : Optional.empty();
      default -> Optional.empty();
    };
  }

  /**
   * A constant for a decimal column, when it fits the column's scale and precision. CEL sees decimal values as
   * doubles, so the comparison is only exact while the column has at most 15 significant digits (beyond that,
   * two neighbouring values can become the same double).
   */
  private static Optional<Object> exactDecimal(BigDecimal d, Types.DecimalType type) {
    if (type.precision() > DOUBLE_EXACT_DIGITS) {
      return Optional.empty();
    }
    try {
      BigDecimal scaled = d.setScale(type.scale(), RoundingMode.UNNECESSARY);
      return scaled.precision() <= type.precision() ? Optional.of(scaled) : Optional.empty();
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }
}
