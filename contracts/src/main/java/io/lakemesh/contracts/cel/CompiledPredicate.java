package io.lakemesh.contracts.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.types.SimpleType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * A checked CEL expression turned into a tree of Java closures over the typed row, for the subset the contracts use:
 * constants, variables, field selection and {@code has()}, arithmetic and comparisons of ints, doubles, timestamps
 * and durations, the logical operators, the list macros (all, exists, exists_one, map, filter), {@code size},
 * {@code double(int)}, {@code duration("…")} and the environment's {@code sum} and {@code abs}.
 *
 * <p>The interpreter stays the reference: the closures return null ("unsure") for anything outside the common
 * case, such as an error, an absent value, an integer overflow or a NaN, and the caller then asks the interpreter.
 * So a closure only has to be right when it answers, which {@code CompiledPredicateTest} checks against the
 * interpreter. Expressions with anything else are not compiled at all.
 */
final class CompiledPredicate {
  private static final Instant MIN_TIMESTAMP = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX_TIMESTAMP = Instant.parse("9999-12-31T23:59:59.999999999Z");
  private static final Pattern SIMPLE_DURATION = Pattern.compile("([0-9]{1,9})(h|m|s|ms)");

  private final Node root;
  private final int locals;

  private CompiledPredicate(Node root, int locals) {
    this.root = root;
    this.locals = locals;
  }

  /** The expression as closures, or empty when it uses anything outside the supported subset. */
  static Optional<CompiledPredicate> compile(CelAbstractSyntaxTree ast, Set<String> columns) {
    Compiler compiler = new Compiler(ast, columns);
    try {
      Node root = compiler.compile(ast.getExpr(), Map.of());
      return Optional.of(new CompiledPredicate(root, compiler.slots));
    } catch (Unsupported e) {
      return Optional.empty();
    }
  }

  /** The value of the predicate, or null when only the interpreter can say (errors included). */
  Boolean test(Record row, Instant now) {
    try {
      return root.eval(new Frame(row, now, new Object[locals])) instanceof Boolean b ? b : null;
    } catch (Unsure | ClassCastException | NullPointerException | ArithmeticException
        | IndexOutOfBoundsException e) {
      // a value of an unexpected kind or an error: CEL has its own rules for those, the interpreter applies them
      return null;
    }
  }

  /** Evaluation state of one test: the row, the time and the comprehension variables. */
  private record Frame(Record row, Instant now, Object[] locals) {}

  @FunctionalInterface
  private interface Node {
    Object eval(Frame f);
  }

  /**
   * An expression the checker typed {@code double}, evaluated without boxing: the contracts' rules are mostly
   * arithmetic over decimal columns, where a boxed {@code Double} per operation and the overload lookup by the
   * values' classes cost more than the arithmetic. Throws {@link Unsure} where the boxed path would.
   */
  @FunctionalInterface
  private interface DoubleNode {
    double eval(Frame f);
  }

  /** This evaluation needs the interpreter; thrown for errors and edge cases, so it has no stack trace. */
  private static final class Unsure extends RuntimeException {
    static final Unsure INSTANCE = new Unsure();

    private Unsure() {
      super("unsure", null, false, false);
    }
  }

  /** The expression uses something the closures do not cover; thrown at compile time only. */
  private static final class Unsupported extends Exception {
    Unsupported(String what) {
      super(what, null, false, false);
    }
  }

  private static final class Compiler {
    private final CelAbstractSyntaxTree ast;
    private final Set<String> columns;
    int slots;

    Compiler(CelAbstractSyntaxTree ast, Set<String> columns) {
      this.ast = ast;
      this.columns = columns;
    }

    Node compile(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      DoubleNode number = unboxed(e, scope);
      if (number != null) {
        return f -> number.eval(f); // boxed once, where a value leaves the arithmetic
      }
      Node comparison = doubleComparison(e, scope);
      if (comparison != null) {
        return comparison;
      }
      return switch (e.getKind()) {
        case CONSTANT -> constant(e.constant());
        case IDENT -> ident(e.ident().name(), scope);
        case SELECT -> select(e, scope);
        case CALL -> call(e, scope);
        case LIST -> list(e, scope);
        case COMPREHENSION -> comprehension(e, scope);
        default -> throw new Unsupported(e.getKind().toString());
      };
    }

    private static Node constant(CelConstant c) throws Unsupported {
      Object value = switch (c.getKind()) {
        case INT64_VALUE -> c.int64Value();
        case DOUBLE_VALUE -> c.doubleValue();
        case STRING_VALUE -> c.stringValue();
        case BOOLEAN_VALUE -> c.booleanValue();
        default -> throw new Unsupported("constant " + c.getKind());
      };
      return f -> value;
    }

    private Node ident(String name, Map<String, Integer> scope) throws Unsupported {
      Integer slot = scope.get(name);
      if (slot != null) {
        int s = slot;
        return f -> f.locals()[s];
      }
      if (name.equals(RowExpressions.NOW)) {
        return Frame::now;
      }
      if (!columns.contains(name)) {
        throw new Unsupported("variable " + name); // the whole row, or something the environment adds
      }
      Column column = new Column(name);
      return f -> cel(column.read(f.row()));
    }

    private Node select(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      CelExpr.CelSelect s = e.select();
      String field = s.field();
      boolean testOnly = s.testOnly();
      CelExpr operand = s.operand();
      if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals(RowExpressions.ROW)
          && !scope.containsKey(RowExpressions.ROW)) {
        // row.<column> and has(row.<column>): the row as a map of its present columns
        Column column = new Column(field);
        return f -> member(f.row(), column, testOnly);
      }
      Node target = compile(operand, scope);
      Column column = new Column(field);
      return f -> target.eval(f) instanceof Record r ? member(r, column, testOnly) : unsure();
    }

    private Node list(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      if (!e.list().optionalIndices().isEmpty()) {
        throw new Unsupported("optional list elements");
      }
      List<Node> elements = new ArrayList<>();
      for (CelExpr element : e.list().elements()) {
        elements.add(compile(element, scope));
      }
      Node[] nodes = elements.toArray(Node[]::new);
      return f -> {
        List<Object> out = new ArrayList<>(nodes.length);
        for (Node n : nodes) {
          out.add(n.eval(f));
        }
        return out;
      };
    }

    private Node comprehension(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      CelExpr.CelComprehension c = e.comprehension();
      if (!c.iterVar2().isEmpty()) {
        throw new Unsupported("two-variable comprehension");
      }
      if (!isList(c.iterRange())) {
        throw new Unsupported("comprehension over a map");
      }
      Node quantifier = quantifier(c, scope);
      if (quantifier != null) {
        return quantifier;
      }
      Node range = compile(c.iterRange(), scope);
      int accu = slots++;
      Map<String, Integer> accuScope = withVariable(scope, c.accuVar(), accu);
      int iter = slots++;
      Map<String, Integer> loopScope = withVariable(accuScope, c.iterVar(), iter);
      Node condition = compile(c.loopCondition(), loopScope);
      Node append = appendStep(c, accu, loopScope);
      // an appended-to accumulator is private to this evaluation: a new list each time
      Node init = append != null ? f -> new ArrayList<>() : compile(c.accuInit(), scope);
      Node step = append != null ? append : compile(c.loopStep(), loopScope);
      Node result = compile(c.result(), accuScope);
      return f -> {
        List<?> items = (List<?>) range.eval(f);
        Object[] vars = f.locals();
        vars[accu] = init.eval(f);
        for (int i = 0; i < items.size(); i++) {
          vars[iter] = items.get(i);
          if (!(condition.eval(f) instanceof Boolean go)) {
            return unsure();
          }
          if (!go) {
            break;
          }
          vars[accu] = step.eval(f);
        }
        return result.eval(f);
      };
    }

    /**
     * {@code list.all(x, p)} and {@code list.exists(x, p)} as a loop that stops at the first item deciding it. The
     * macros keep a boolean accumulator and test it before every item; the loop needs neither. A predicate that
     * gives no boolean (an error) leaves the whole expression to the interpreter, which knows how CEL lets a false
     * (for all) or a true (for exists) elsewhere in the list win over an error.
     */
    private Node quantifier(CelExpr.CelComprehension c, Map<String, Integer> scope) throws Unsupported {
      CelExpr init = c.accuInit();
      CelExpr step = c.loopStep();
      CelExpr result = c.result();
      if (!c.iterVar2().isEmpty() || !isList(c.iterRange()) || init.getKind() != CelExpr.ExprKind.Kind.CONSTANT
          || init.constant().getKind() != CelConstant.Kind.BOOLEAN_VALUE
          || result.getKind() != CelExpr.ExprKind.Kind.IDENT || !result.ident().name().equals(c.accuVar())
          || step.getKind() != CelExpr.ExprKind.Kind.CALL || step.call().target().isPresent()
          || step.call().args().size() != 2) {
        return null;
      }
      boolean all = init.constant().booleanValue();
      if (!step.call().function().equals(all ? "_&&_" : "_||_")) {
        return null;
      }
      CelExpr accuArg = step.call().args().get(0);
      if (accuArg.getKind() != CelExpr.ExprKind.Kind.IDENT || !accuArg.ident().name().equals(c.accuVar())) {
        return null;
      }
      Node range = compile(c.iterRange(), scope);
      int iter = slots++;
      Node predicate;
      try {
        predicate = compile(step.call().args().get(1), withVariable(scope, c.iterVar(), iter)); // no accumulator
      } catch (Unsupported readsTheAccumulator) {
        return null;
      }
      boolean decides = !all; // the value of one item that decides the whole: a false for all, a true for exists
      return f -> {
        List<?> items = (List<?>) range.eval(f);
        Object[] vars = f.locals();
        for (int i = 0; i < items.size(); i++) {
          vars[iter] = items.get(i);
          if (!(predicate.eval(f) instanceof Boolean verdict)) {
            return unsure();
          }
          if (verdict == decides) {
            return decides;
          }
        }
        return all;
      };
    }

    /** {@code scope} with one more variable, held in local slot {@code slot}. */
    private static Map<String, Integer> withVariable(Map<String, Integer> scope, String name, int slot) {
      Map<String, Integer> inner = new HashMap<>(scope);
      inner.put(name, slot);
      return inner;
    }

    /**
     * The step of {@code map} ({@code accu + [f(x)]} from an empty list) as an append to one list, or null for any
     * other step. Adding lists copied the accumulator and made a one-element list for every item; the result is the
     * same list of the same values. The appended expressions must not read the accumulator (they are compiled
     * without it in scope), so nobody sees the list while it grows.
     */
    private Node appendStep(CelExpr.CelComprehension c, int accu, Map<String, Integer> loopScope)
        throws Unsupported {
      CelExpr added = appendedList(c);
      if (added == null) {
        return null;
      }
      Map<String, Integer> withoutAccu = new HashMap<>(loopScope);
      withoutAccu.remove(c.accuVar());
      List<Node> elements = new ArrayList<>();
      try {
        for (CelExpr element : added.list().elements()) {
          elements.add(compile(element, withoutAccu));
        }
      } catch (Unsupported e) {
        return null; // reads the accumulator (or is unsupported anyway): compiled the general way
      }
      Node[] nodes = elements.toArray(Node[]::new);
      return f -> {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) f.locals()[accu];
        for (Node n : nodes) {
          list.add(n.eval(f));
        }
        return list;
      };
    }

    /** {@code e} as an unboxed double, when the checker typed it double and it is arithmetic the closures know. */
    private DoubleNode unboxed(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      if (!ast.getType(e.id()).map(t -> t.equals(SimpleType.DOUBLE)).orElse(false)) {
        return null;
      }
      switch (e.getKind()) {
        case CONSTANT -> {
          if (e.constant().getKind() != CelConstant.Kind.DOUBLE_VALUE) {
            return null;
          }
          double value = e.constant().doubleValue();
          return f -> value;
        }
        case IDENT -> {
          String name = e.ident().name();
          if (scope.containsKey(name) || !columns.contains(name)) {
            return null; // a comprehension variable holds a boxed value already
          }
          Column column = new Column(name);
          return f -> number(column.read(f.row()));
        }
        case SELECT -> {
          CelExpr.CelSelect select = e.select();
          if (select.testOnly()) {
            return null;
          }
          Column column = new Column(select.field());
          CelExpr operand = select.operand();
          if (operand.getKind() == CelExpr.ExprKind.Kind.IDENT && operand.ident().name().equals(RowExpressions.ROW)
              && !scope.containsKey(RowExpressions.ROW)) {
            return f -> number(column.read(f.row()));
          }
          Node target = compile(operand, scope);
          return f -> target.eval(f) instanceof Record r ? number(column.read(r)) : unsureDouble();
        }
        case CALL -> {
          return unboxedCall(e, scope);
        }
        default -> {
          return null;
        }
      }
    }

    private DoubleNode unboxedCall(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      String overload = singleOverload(e);
      CelExpr.CelCall call = e.call();
      if (overload == null || call.target().isPresent()) {
        return null;
      }
      List<CelExpr> args = call.args();
      switch (overload) {
        case "add_double", "subtract_double", "multiply_double", "divide_double" -> {
          DoubleNode a = asDouble(args.get(0), scope);
          DoubleNode b = asDouble(args.get(1), scope);
          return switch (overload) {
            case "add_double" -> f -> a.eval(f) + b.eval(f);
            case "subtract_double" -> f -> a.eval(f) - b.eval(f);
            case "multiply_double" -> f -> a.eval(f) * b.eval(f);
            default -> f -> a.eval(f) / b.eval(f);
          };
        }
        case "negate_double" -> {
          DoubleNode a = asDouble(args.get(0), scope);
          return f -> -a.eval(f);
        }
        case "lakemesh_abs_double" -> {
          DoubleNode a = asDouble(args.get(0), scope);
          return f -> Math.abs(a.eval(f));
        }
        case "double_to_double" -> {
          return asDouble(args.get(0), scope);
        }
        case "int64_to_double" -> {
          Node a = compile(args.get(0), scope);
          return f -> (double) lng(a.eval(f));
        }
        case "lakemesh_sum_list" -> {
          DoubleNode fused = summedMap(args.get(0), scope);
          if (fused != null) {
            return fused;
          }
          Node list = compile(args.get(0), scope);
          return f -> sum(list.eval(f));
        }
        default -> {
          return null;
        }
      }
    }

    /**
     * {@code sum(list.map(x, e))} with {@code e} a double, as one loop adding each {@code e}: no list of boxed
     * values is made to be summed and dropped. Null for any other argument (then the list is made and summed).
     */
    private DoubleNode summedMap(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      if (e.getKind() != CelExpr.ExprKind.Kind.COMPREHENSION) {
        return null;
      }
      CelExpr.CelComprehension c = e.comprehension();
      CelExpr added = mappedElement(c);
      if (added == null || !ast.getType(added.id()).map(t -> t.equals(SimpleType.DOUBLE)).orElse(false)) {
        return null;
      }
      Node range = compile(c.iterRange(), scope);
      int iter = slots++;
      DoubleNode element;
      try {
        // without the accumulator in scope: it must not read it
        element = asDouble(added, withVariable(scope, c.iterVar(), iter));
      } catch (Unsupported readsTheAccumulator) {
        return null;
      }
      return f -> {
        List<?> items = (List<?>) range.eval(f);
        Object[] vars = f.locals();
        double total = 0;
        for (int i = 0; i < items.size(); i++) {
          vars[iter] = items.get(i);
          total += element.eval(f);
        }
        return total;
      };
    }

    /** The {@code e} of {@code list.map(x, e)} (an unconditional map over a list), or null for anything else. */
    private CelExpr mappedElement(CelExpr.CelComprehension c) {
      CelExpr condition = c.loopCondition();
      CelExpr result = c.result();
      CelExpr added = appendedList(c);
      if (added == null || !c.iterVar2().isEmpty() || !isList(c.iterRange())
          || condition.getKind() != CelExpr.ExprKind.Kind.CONSTANT
          || condition.constant().getKind() != CelConstant.Kind.BOOLEAN_VALUE || !condition.constant().booleanValue()
          || result.getKind() != CelExpr.ExprKind.Kind.IDENT || !result.ident().name().equals(c.accuVar())
          || added.list().elements().size() != 1) {
        return null;
      }
      return added.list().elements().get(0);
    }

    /**
     * The list {@code [e...]} a comprehension's step appends ({@code accu + [e...]}, from an empty list, as the
     * {@code map} macro builds it), or null for any other step.
     */
    private CelExpr appendedList(CelExpr.CelComprehension c) {
      CelExpr init = c.accuInit();
      CelExpr step = c.loopStep();
      if (init.getKind() != CelExpr.ExprKind.Kind.LIST || !init.list().elements().isEmpty()
          || step.getKind() != CelExpr.ExprKind.Kind.CALL || !step.call().function().equals("_+_")
          || step.call().target().isPresent() || step.call().args().size() != 2
          || !ast.getReference(step.id()).map(r -> r.overloadIds().equals(List.of("add_list"))).orElse(false)) {
        return null;
      }
      CelExpr to = step.call().args().get(0);
      CelExpr added = step.call().args().get(1);
      return to.getKind() == CelExpr.ExprKind.Kind.IDENT && to.ident().name().equals(c.accuVar())
          && added.getKind() == CelExpr.ExprKind.Kind.LIST && added.list().optionalIndices().isEmpty() ? added : null;
    }

    /** An argument the checker typed double: unboxed when it can be, else its boxed value taken apart. */
    private DoubleNode asDouble(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      DoubleNode d = unboxed(e, scope);
      if (d != null) {
        return d;
      }
      Node boxed = compile(e, scope);
      return f -> dbl(boxed.eval(f));
    }

    /** A comparison of two doubles ({@code <, <=, >, >=}) over unboxed operands, or null for any other call. */
    private Node doubleComparison(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      if (e.getKind() != CelExpr.ExprKind.Kind.CALL) {
        return null;
      }
      String overload = singleOverload(e);
      if (overload == null || !overload.endsWith("_double") || e.call().args().size() != 2
          || e.call().target().isPresent()) {
        return null;
      }
      int kind = switch (overload) {
        case "less_double" -> 0;
        case "less_equals_double" -> 1;
        case "greater_double" -> 2;
        case "greater_equals_double" -> 3;
        default -> -1;
      };
      if (kind < 0) {
        return null;
      }
      DoubleNode a = asDouble(e.call().args().get(0), scope);
      DoubleNode b = asDouble(e.call().args().get(1), scope);
      return f -> {
        double x = a.eval(f);
        double y = b.eval(f);
        if (Double.isNaN(x) || Double.isNaN(y)) {
          throw Unsure.INSTANCE; // as order() does: NaN is the interpreter's
        }
        // primitive comparisons already treat -0.0 and 0.0 as equal, as CEL does
        boolean result = switch (kind) {
          case 0 -> x < y;
          case 1 -> x <= y;
          case 2 -> x > y;
          default -> x >= y;
        };
        return result;
      };
    }

    /** The call's overload when the checker left exactly one, else null (the boxed dispatch decides at run time). */
    private String singleOverload(CelExpr e) {
      List<String> ids = ast.getReference(e.id()).<List<String>>map(CelReference::overloadIds).orElse(List.of());
      return ids.size() == 1 ? ids.get(0) : null;
    }

    private boolean isList(CelExpr e) {
      return ast.getType(e.id()).map(t -> t.kind() == dev.cel.common.types.CelKind.LIST).orElse(false);
    }

    private Node call(CelExpr e, Map<String, Integer> scope) throws Unsupported {
      CelExpr.CelCall call = e.call();
      List<Node> args = new ArrayList<>();
      if (call.target().isPresent()) {
        if (!call.function().equals("size")) {
          throw new Unsupported("receiver-style call " + call.function());
        }
        args.add(compile(call.target().get(), scope));
      }
      for (CelExpr arg : call.args()) {
        args.add(compile(arg, scope));
      }
      switch (call.function()) {
        case "_&&_" -> {
          Node l = args.get(0);
          Node r = args.get(1);
          return f -> bool(l.eval(f)) ? bool(r.eval(f)) : Boolean.FALSE;
        }
        case "_||_" -> {
          Node l = args.get(0);
          Node r = args.get(1);
          return f -> bool(l.eval(f)) ? Boolean.TRUE : bool(r.eval(f));
        }
        case "_?_:_" -> {
          Node c = args.get(0);
          Node a = args.get(1);
          Node b = args.get(2);
          return f -> bool(c.eval(f)) ? a.eval(f) : b.eval(f);
        }
        case "@not_strictly_false" -> {
          Node a = args.get(0);
          return f -> bool(a.eval(f));
        }
        case "!_" -> {
          Node a = args.get(0);
          return f -> !bool(a.eval(f));
        }
        case "_==_", "_!=_" -> {
          Node a = args.get(0);
          Node b = args.get(1);
          boolean negate = call.function().equals("_!=_");
          return f -> equal(a.eval(f), b.eval(f)) != negate;
        }
        case "duration" -> {
          return duration(args.get(0));
        }
        default -> {
          return dispatch(e, args);
        }
      }
    }

    /**
     * A call through the overloads the checker left possible: one when the argument types are known, several when
     * some are {@code dyn} (members of objects), chosen then by the kinds of the values, as the interpreter does.
     */
    private Node dispatch(CelExpr e, List<Node> args) throws Unsupported {
      Optional<CelReference> ref = ast.getReference(e.id());
      if (ref.isEmpty() || ref.get().overloadIds().isEmpty() || args.size() > 2) {
        throw new Unsupported("call " + e.call().function());
      }
      List<Overload> candidates = new ArrayList<>();
      for (String id : ref.get().overloadIds()) {
        Overload o = OVERLOADS.get(id);
        // values of the kinds of an unknown overload (1 <= 1.5, a uint) match no candidate: unsure at run time
        if (o != null && o.params().length == args.size()) {
          candidates.add(o);
        }
      }
      if (candidates.isEmpty()) {
        throw new Unsupported("function " + ref.get().overloadIds());
      }
      Overload[] overloads = candidates.toArray(Overload[]::new);
      Node a = args.get(0);
      Node b = args.size() > 1 ? args.get(1) : null;
      return f -> {
        Object x = a.eval(f);
        Object y = b == null ? null : b.eval(f);
        for (Overload o : overloads) {
          if (o.params()[0].isInstance(x) && (y == null || o.params()[1].isInstance(y))) {
            return o.fn().apply(x, y);
          }
        }
        return unsure();
      };
    }

    private static Node duration(Node text) throws Unsupported {
      Object constant;
      try {
        constant = text.eval(null); // a constant ignores the frame; anything else fails here
      } catch (RuntimeException e) {
        throw new Unsupported("duration of a non-constant");
      }
      Matcher m = constant instanceof String s ? SIMPLE_DURATION.matcher(s) : null;
      if (m == null || !m.matches()) {
        throw new Unsupported("duration " + constant);
      }
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2)) {
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMillis(n);
      };
      return f -> d;
    }

  }

  /** A function of the standard library or the environment, for values of exactly these kinds. */
  private record Overload(Class<?>[] params, Fn fn) {}

  @FunctionalInterface
  private interface Fn {
    Object apply(Object x, Object y);
  }

  private static final Map<String, Overload> OVERLOADS = overloads();

  private static Map<String, Overload> overloads() {
    Map<String, Overload> m = new HashMap<>();
    Class<?> i = Long.class;
    Class<?> d = Double.class;
    Class<?> s = String.class;
    Class<?> l = List.class;
    Class<?> t = Instant.class;
    Class<?> u = Duration.class;
    m.put("add_int64", op(i, i, (x, y) -> Math.addExact((Long) x, (Long) y)));
    m.put("subtract_int64", op(i, i, (x, y) -> Math.subtractExact((Long) x, (Long) y)));
    m.put("multiply_int64", op(i, i, (x, y) -> Math.multiplyExact((Long) x, (Long) y)));
    m.put("divide_int64", op(i, i, (x, y) -> {
      long a = (Long) x;
      long b = (Long) y;
      return b == 0 || (a == Long.MIN_VALUE && b == -1) ? unsure() : (Object) (a / b);
    }));
    m.put("modulo_int64", op(i, i, (x, y) -> {
      long b = (Long) y;
      return b == 0 || b == -1 ? unsure() : (Object) ((Long) x % b);
    }));
    m.put("negate_int64", op(i, (x, y) -> Math.negateExact((Long) x)));
    m.put("add_double", op(d, d, (x, y) -> (Double) x + (Double) y));
    m.put("subtract_double", op(d, d, (x, y) -> (Double) x - (Double) y));
    m.put("multiply_double", op(d, d, (x, y) -> (Double) x * (Double) y));
    m.put("divide_double", op(d, d, (x, y) -> (Double) x / (Double) y));
    m.put("negate_double", op(d, (x, y) -> -(Double) x));
    m.put("add_string", op(s, s, (x, y) -> (String) x + (String) y));
    m.put("add_list", op(l, l, (x, y) -> {
      List<Object> out = new ArrayList<>(((List<?>) x).size() + ((List<?>) y).size());
      out.addAll((List<?>) x);
      out.addAll((List<?>) y);
      return out;
    }));
    m.put("add_timestamp_duration", op(t, u, (x, y) -> inRange(((Instant) x).plus((Duration) y))));
    m.put("add_duration_timestamp", op(u, t, (x, y) -> inRange(((Instant) y).plus((Duration) x))));
    m.put("subtract_timestamp_duration", op(t, u, (x, y) -> inRange(((Instant) x).minus((Duration) y))));
    Fn listSize = (x, y) -> (long) ((List<?>) x).size();
    m.put("size_list", op(l, listSize));
    m.put("list_size", op(l, listSize));
    Fn stringSize = (x, y) -> (long) ((String) x).codePointCount(0, ((String) x).length());
    m.put("size_string", op(s, stringSize));
    m.put("string_size", op(s, stringSize));
    m.put("int64_to_double", op(i, (x, y) -> ((Long) x).doubleValue()));
    m.put("double_to_double", op(d, (x, y) -> x));
    m.put("lakemesh_sum_list", op(l, (x, y) -> sum(x)));
    m.put("lakemesh_abs_double", op(d, (x, y) -> Math.abs((Double) x)));
    m.put("lakemesh_abs_int", op(i, (x, y) -> Math.abs((Long) x)));
    for (String kind : List.of("int64", "double", "timestamp", "duration")) {
      Class<?> c = switch (kind) {
        case "int64" -> i;
        case "double" -> d;
        case "timestamp" -> t;
        default -> u;
      };
      m.put("less_" + kind, op(c, c, (x, y) -> order(x, y) < 0));
      m.put("less_equals_" + kind, op(c, c, (x, y) -> order(x, y) <= 0));
      m.put("greater_" + kind, op(c, c, (x, y) -> order(x, y) > 0));
      m.put("greater_equals_" + kind, op(c, c, (x, y) -> order(x, y) >= 0));
    }
    return Map.copyOf(m);
  }

  private static Overload op(Class<?> x, Fn fn) {
    return new Overload(new Class<?>[] {x}, fn);
  }

  private static Overload op(Class<?> x, Class<?> y, Fn fn) {
    return new Overload(new Class<?>[] {x, y}, fn);
  }

  /** Order of two values of one kind; NaN is left to the interpreter, and -0.0 equals 0.0 as in CEL. */
  @SuppressWarnings("unchecked")
  private static int order(Object x, Object y) {
    if (x instanceof Double a && y instanceof Double b) {
      if (a.isNaN() || b.isNaN()) {
        throw Unsure.INSTANCE;
      }
      return Double.compare(a == 0 ? 0.0 : a, b == 0 ? 0.0 : b);
    }
    if (x instanceof String a && y instanceof String b) {
      return CodePointOrder.compare(a, b);
    }
    return ((Comparable<Object>) x).compareTo(y);
  }

  /** Equality of two values of one kind; anything across kinds (1 == 1.0), NaN or a zero double is unsure. */
  private static boolean equal(Object x, Object y) {
    if (x == null || y == null || x.getClass() != y.getClass()) {
      throw Unsure.INSTANCE;
    }
    if (x instanceof Double a) {
      double b = (Double) y;
      if (a.isNaN() || Double.isNaN(b) || a == 0 || b == 0) {
        throw Unsure.INSTANCE;
      }
      return a == b;
    }
    if (x instanceof Long || x instanceof String || x instanceof Boolean || x instanceof Instant
        || x instanceof Duration) {
      return x.equals(y);
    }
    throw Unsure.INSTANCE;
  }

  private static Object member(Record record, Column column, boolean testOnly) {
    Object value = column.read(record);
    if (testOnly) {
      return value != null;
    }
    return value == null ? unsure() : cel(value);
  }

  /**
   * A member read by position: the position is looked up by name once per struct type (every row of a table has
   * the same one) instead of twice per read in the record's and the type's name maps.
   */
  private static final class Column {
    private final String name;
    /** The last struct type seen and the member's position in it; immutable, so racing threads are harmless. */
    private Slot slot;

    private record Slot(Types.StructType struct, int position) {}

    Column(String name) {
      this.name = name;
    }

    /** The member's value, or null when the record has no such member or it is null. */
    Object read(Record record) {
      Types.StructType struct = record.struct();
      Slot s = slot;
      if (s == null || s.struct() != struct) {
        s = new Slot(struct, position(struct, name));
        slot = s;
      }
      return s.position() < 0 ? null : record.get(s.position());
    }

    private static int position(Types.StructType struct, String name) {
      List<Types.NestedField> fields = struct.fields();
      for (int i = 0; i < fields.size(); i++) {
        if (fields.get(i).name().equals(name)) {
          return i;
        }
      }
      return -1;
    }
  }

  private static boolean bool(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    throw Unsure.INSTANCE;
  }

  private static long lng(Object v) {
    if (v instanceof Long l) {
      return l;
    }
    throw Unsure.INSTANCE;
  }

  private static double dbl(Object v) {
    if (v instanceof Double d) {
      return d;
    }
    throw Unsure.INSTANCE;
  }

  /** A column's value as the closures' double, with {@code cel}'s conversions; anything else is unsure. */
  private static double number(Object value) {
    Class<?> type = value == null ? null : value.getClass();
    if (type == BigDecimal.class) {
      return ((BigDecimal) value).doubleValue();
    }
    if (type == Double.class) {
      return (Double) value;
    }
    if (type == Float.class) {
      return RowExpressions.floatAsWritten((Float) value);
    }
    throw Unsure.INSTANCE;
  }

  private static double sum(Object list) {
    return RowExpressions.sum((List<?>) list);
  }

  private static double unsureDouble() {
    throw Unsure.INSTANCE;
  }

  private static Instant inRange(Instant t) {
    if (t.isBefore(MIN_TIMESTAMP) || t.isAfter(MAX_TIMESTAMP)) {
      throw Unsure.INSTANCE;
    }
    return t;
  }

  private static Object unsure() {
    throw Unsure.INSTANCE;
  }

  /**
   * An Iceberg generic value as the closures see it, the same values {@link RowExpressions#toCel} gives the
   * interpreter, except that timestamps are {@link Instant}s and objects stay records. Absent is unsure.
   */
  private static Object cel(Object value) {
    // the row's own classes first, by exact class: the instanceof chain below tests interfaces (Record, List),
    // which costs a scan of the class's supertypes for every decimal read
    Class<?> type = value == null ? null : value.getClass();
    if (type == BigDecimal.class) {
      return ((BigDecimal) value).doubleValue();
    }
    if (type == String.class || type == Long.class || type == Double.class || type == Boolean.class) {
      return value;
    }
    if (type == Integer.class) {
      return ((Integer) value).longValue();
    }
    // the decoder's nested rows, lists and timestamps, also by exact class (a test against the Record or List
    // interface was half of the closures' time on the retail rules, which walk every line of a sale)
    if (type == GenericRecord.class) {
      return value;
    }
    if (type == ArrayList.class) {
      return new CelList((List<?>) value);
    }
    if (type == OffsetDateTime.class) {
      return ((OffsetDateTime) value).toInstant();
    }
    if (value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean
        || value instanceof Record) {
      return value;
    }
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof BigDecimal d) {
      return d.doubleValue();
    }
    if (value instanceof Float x) {
      return RowExpressions.floatAsWritten(x);
    }
    if (value instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    if (value instanceof LocalDate || value instanceof LocalTime) {
      return TemporalText.of(value);
    }
    if (value instanceof List<?> list) {
      return new CelList(list);
    }
    throw Unsure.INSTANCE;
  }

  /** A list whose elements are converted when read, so a rule that reads one member of each item pays for one. */
  private static final class CelList extends AbstractList<Object> implements RandomAccess {
    private final List<?> list;

    CelList(List<?> list) {
      this.list = list;
    }

    @Override
    public Object get(int index) {
      Object v = list.get(index);
      return v == null ? null : cel(v);
    }

    @Override
    public int size() {
      return list.size();
    }
  }
}
