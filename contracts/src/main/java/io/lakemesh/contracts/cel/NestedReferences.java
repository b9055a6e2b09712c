package io.lakemesh.contracts.cel;

import dev.cel.common.ast.CelExpr;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks that every {@code object.property} an expression selects is a property the contract declares, before the
 * type checker runs, so the message names the object and the properties it has (the checker would only say
 * "undefined field"); it also covers {@code row.<column>.<property>} in rules, where {@code row} is a map. It
 * follows variables into nested objects, {@code row.<column>}, array indexing and the variables of macros
 * ({@code items.all(i, i.qty > 0)}). Knowing which field each reference denotes, the same walk also checks the
 * literals compared with them: a date or time written otherwise than the column holds it, and constant
 * {@code timestamp()}/{@code duration()} text CEL cannot read (their text rules are {@link TemporalText}'s).
 */
final class NestedReferences {
  private final Map<String, Field> scope;
  /** What was found so far: all of it is reported at once, not only the first. */
  private final java.util.Set<String> unknown = new java.util.LinkedHashSet<>();
  /** Date and time literals compared with a column that would not compare as the values it holds. */
  private final java.util.Set<String> literals = new java.util.LinkedHashSet<>();
  /** Columns compared with null, each as a sentence with what to write instead. */
  private final java.util.Set<String> nullComparisons = new java.util.LinkedHashSet<>();
  /** Where each field a reference denotes sits in a row: member names, {@code "[]"} for the items of an array. */
  private final Map<Field, List<String>> pathOf = new java.util.IdentityHashMap<>();
  private final java.util.Set<List<String>> paths = new java.util.LinkedHashSet<>();
  /** The path each reference node denotes, and the nodes that are only the way to another (a select's operand). */
  private final Map<Long, List<String>> nodePaths = new java.util.LinkedHashMap<>();
  private final java.util.Set<Long> operands = new java.util.HashSet<>();

  /**
   * What an expression's references say: undeclared properties, date or time literals no value can equal, and the
   * paths of the values it reads (to tell, when it fails on a row, which of them the row lacks).
   */
  record Findings(List<String> unknown, List<String> literals, List<List<String>> paths, List<String> reads,
      List<String> nullComparisons) {}

  private NestedReferences(Map<String, Field> scope) {
    this.scope = scope;
  }

  /** Every reference to an undeclared nested property, each as a sentence; empty when every one resolves. */
  static Findings find(CelExpr expr, Map<String, Field> topLevel, String rowVariable) {
    Map<String, Field> scope = new HashMap<>(topLevel);
    Field row = new Field(rowVariable, LogicalType.OBJECT, null, false, false, -1, -1, null, null, null,
        null, List.copyOf(topLevel.values()), null, List.of());
    scope.put(rowVariable, row);
    NestedReferences references = new NestedReferences(scope);
    references.pathOf.put(row, List.of()); // `row.<column>` reads the column itself
    references.resolve(expr);
    return new Findings(List.copyOf(references.unknown), List.copyOf(references.literals),
        List.copyOf(references.paths), references.reads(), List.copyOf(references.nullComparisons));
  }

  private static final java.util.Set<String> COMPARISONS = java.util.Set.of("_==_", "_!=_", "_<_", "_<=_", "_>_",
      "_>=_", "@in");

  /**
   * {@code timestamp("...")} and {@code duration("...")} of a constant that CEL cannot read would fail on every
   * row, found only by evaluating the filter over the whole table: said here, before anything runs.
   */
  private void checkConversionLiteral(CelExpr.CelCall call) {
    if (call.target().isPresent() || call.args().size() != 1) {
      return;
    }
    CelExpr arg = call.args().get(0);
    if (arg.getKind() != CelExpr.ExprKind.Kind.CONSTANT
        || arg.constant().getKind() != dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
      return;
    }
    String text = arg.constant().stringValue();
    if (call.function().equals("timestamp") && !TemporalText.isTimestamp(text)) {
      literals.add("timestamp(\"" + text + "\"): '" + text + "' is not a timestamp with an offset (write"
          + " timestamp(\"2026-11-26T00:00:00Z\"))");
    } else if (call.function().equals("duration") && !TemporalText.isDuration(text)) {
      literals.add("duration(\"" + text + "\"): '" + text + "' is not a duration (write e.g. duration(\"90s\"),"
          + " duration(\"1h30m\"); units h, m, s, ms, us, ns)");
    }
  }

  /**
   * Dates and times are strings in CEL, compared as text: a literal compared with such a column must be written as
   * the column's values are ({@code 2026-09-01}, {@code 10:15:00}), or {@code "2026-9-1"} would compare as text and
   * silently give wrong rows.
   */
  private void checkTemporalLiterals(CelExpr.CelCall call, List<Field> args) {
    for (int i = 0; i < args.size(); i++) {
      Field column = args.get(i);
      if (column == null || (column.type() != LogicalType.DATE && column.type() != LogicalType.TIME)) {
        continue;
      }
      for (int j = 0; j < call.args().size(); j++) {
        if (j == i) {
          continue;
        }
        CelExpr other = call.args().get(j);
        List<CelExpr> candidates = other.getKind() == CelExpr.ExprKind.Kind.LIST ? other.list().elements()
            : List.of(other);
        for (CelExpr c : candidates) {
          if (c.getKind() == CelExpr.ExprKind.Kind.CONSTANT
              && c.constant().getKind() == dev.cel.common.ast.CelConstant.Kind.STRING_VALUE) {
            String problem = TemporalText.problem(column, c.constant().stringValue());
            if (problem != null) {
              literals.add(problem);
            }
          }
        }
      }
    }
  }

  /**
   * A missing value is a missing member of the row, never a null: CEL refuses {@code x == null} for most column
   * types, but lets it through for timestamps and objects, where it would never match (and {@code != null} would
   * answer the same as {@code has()} only by accident). Refused alike for every column, with the way to say it.
   */
  private void checkNullComparison(CelExpr.CelCall call, List<Field> args) {
    if (!call.function().equals("_==_") && !call.function().equals("_!=_")) {
      return;
    }
    for (int i = 0; i < args.size() && i < 2; i++) {
      CelExpr other = call.args().get(1 - i);
      List<String> at = args.get(i) == null ? null : path(args.get(i));
      // a list's item itself may be null (a JSON null in the array): comparing it with null is how to tell; the
      // row itself (an empty path) is never null
      if (at == null || at.isEmpty() || at.get(at.size() - 1).equals("[]") || other.getKind() != CelExpr.ExprKind.Kind.CONSTANT
          || other.constant().getKind() != dev.cel.common.ast.CelConstant.Kind.NULL_VALUE) {
        continue;
      }
      // a member of a list's items is read through the loop variable (h.at), a column through the row
      String written = at.contains("[]") ? text(call.args().get(i)) : "row." + String.join(".", at);
      nullComparisons.add(String.join(".", at).replace(".[]", "[]") + (call.function().equals("_==_") ? " == null"
          : " != null") + ": a missing value is not null here (write " + (written == null
          ? "!has(<item>.<member>) for a missing value, has(<item>.<member>)"
          : "!has(" + written + ") for a missing value, has(" + written + ")") + " for a present one)");
      return;
    }
  }

  /** A field selection as written ({@code h.at}); null for anything else. */
  private static String text(CelExpr e) {
    if (e.getKind() == CelExpr.ExprKind.Kind.IDENT) {
      return e.ident().name();
    }
    if (e.getKind() == CelExpr.ExprKind.Kind.SELECT && !e.select().testOnly()) {
      String operand = text(e.select().operand());
      return operand == null ? null : operand + "." + e.select().field();
    }
    return null;
  }

  /** The declared field an expression denotes, or null when it is not (only) a field. */
  private Field resolve(CelExpr e) {
    switch (e.getKind()) {
      case IDENT -> {
        Field f = scope.get(e.ident().name());
        if (f != null && !path(f).isEmpty()) {
          paths.add(path(f));
          nodePaths.put(e.id(), path(f));
        }
        return f;
      }
      case SELECT -> {
        operands.add(e.select().operand().id());
        Field operand = resolve(e.select().operand());
        if (operand == null || operand.type() != LogicalType.OBJECT) {
          return null;
        }
        String name = e.select().field();
        Optional<Field> property = operand.property(name);
        if (property.isEmpty()) {
          unknown.add("'" + operand.name() + "' has no property '" + name + "' (it has: "
              + operand.properties().stream().map(Field::name).collect(Collectors.joining(", ")) + ")");
          return null;
        }
        List<String> at = new java.util.ArrayList<>(path(operand));
        at.add(name);
        pathOf.put(property.get(), List.copyOf(at));
        paths.add(List.copyOf(at));
        nodePaths.put(e.id(), List.copyOf(at));
        return property.get();
      }
      case CALL -> {
        e.call().target().ifPresent(this::resolve);
        Field first = null;
        List<Field> args = new java.util.ArrayList<>();
        for (int i = 0; i < e.call().args().size(); i++) {
          Field f = resolve(e.call().args().get(i));
          args.add(f);
          if (i == 0) {
            first = f;
          }
        }
        if (COMPARISONS.contains(e.call().function())) {
          checkTemporalLiterals(e.call(), args);
          checkNullComparison(e.call(), args);
        }
        checkConversionLiteral(e.call());
        // list[i] is an element of the list, and the list only the way to it
        if (e.call().function().equals("_[_]") && first != null && first.type() == LogicalType.ARRAY) {
          operands.add(e.call().args().get(0).id());
          Field item = element(first);
          if (item != null) {
            nodePaths.put(e.id(), path(item));
          }
          return item;
        }
        return null;
      }
      case COMPREHENSION -> {
        CelExpr.CelComprehension c = e.comprehension();
        Field range = resolve(c.iterRange());
        if (range != null && range.type() == LogicalType.ARRAY) {
          operands.add(c.iterRange().id()); // iterating a list reads its items, through the loop variable
        } // iterating an object reads its keys: which members are present, so the object itself is read

        resolve(c.accuInit());
        Map<String, Field> saved = new HashMap<>(scope);
        // a macro's variables shadow columns of the same name
        scope.put(c.iterVar(), range != null && range.type() == LogicalType.ARRAY ? element(range) : null);
        if (!c.iterVar2().isEmpty()) {
          scope.put(c.iterVar2(), null);
        }
        scope.put(c.accuVar(), null);
        resolve(c.loopCondition());
        resolve(c.loopStep());
        resolve(c.result());
        scope.clear();
        scope.putAll(saved);
        return null;
      }
      case LIST -> e.list().elements().forEach(this::resolve);
      case MAP -> e.map().entries().forEach(en -> {
        resolve(en.key());
        resolve(en.value());
      });
      case STRUCT -> e.struct().entries().forEach(en -> resolve(en.value()));
      default -> {
        return null;
      }
    }
    return null;
  }

  /** An array's items, named {@code <array>[]} so that a message says whose items they are. */
  private Field element(Field array) {
    Field i = array.items();
    if (i == null) {
      return null;
    }
    Field items = new Field(array.name() + "[]", i.type(), i.physicalType(), i.required(), i.unique(),
        -1, -1, null, i.classification(), i.description(), i.options(), i.properties(), i.items(), i.quality());
    List<String> at = new java.util.ArrayList<>(path(array));
    at.add("[]");
    pathOf.put(items, List.copyOf(at));
    return items;
  }

  /**
   * The values the expression reads as values, not only on the way to a member or item: {@code buyer.address.city}
   * but not {@code buyer}; {@code lines[].sku} for {@code lines.exists(l, l.sku == "x")}. Written as classification
   * paths are ({@code a.b}, {@code a[]}, {@code a[].b}).
   */
  private List<String> reads() {
    java.util.Set<String> reads = new java.util.LinkedHashSet<>();
    nodePaths.forEach((id, path) -> {
      if (!operands.contains(id)) {
        StringBuilder text = new StringBuilder();
        for (String step : path) {
          text.append(step.equals("[]") || text.length() == 0 ? "" : ".").append(step);
        }
        reads.add(text.toString());
      }
    });
    return List.copyOf(reads);
  }

  /** A field's place in the row: as recorded when it was reached, else a top-level column's own name. */
  private List<String> path(Field f) {
    return pathOf.getOrDefault(f, List.of(f.name()));
  }

}
