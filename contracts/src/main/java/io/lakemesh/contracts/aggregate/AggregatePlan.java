package io.lakemesh.contracts.aggregate;

import io.lakemesh.contracts.Problem;
import io.lakemesh.contracts.aggregate.AggregateExpression.GroupBy;
import io.lakemesh.contracts.aggregate.AggregateExpression.KeyFunction;
import io.lakemesh.contracts.aggregate.AggregateExpression.Measure;
import io.lakemesh.contracts.aggregate.AggregateExpression.MeasureFunction;
import io.lakemesh.contracts.iceberg.IcebergMapping;
import io.lakemesh.contracts.model.Contract;
import io.lakemesh.contracts.model.Field;
import io.lakemesh.contracts.model.LogicalType;
import io.lakemesh.contracts.model.Stage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Type.TypeID;
import org.apache.iceberg.types.Types;

/**
 * A gold product declared in its contract: each key column's {@code transformLogic} says which upstream value groups
 * the rows, each other column's which aggregate it holds. Paths may go into objects and into one array of the
 * upstream row; reading an array makes every element a row of its own ("explode"), as a sale's lines are for
 * sales per category.
 *
 * <p>Every aggregate is kept incrementally and exactly: sums and counts add up, minima and maxima only move one way
 * (silver is append-only), and {@code count(distinct <upstream key>)} counts each upstream row once per group,
 * which is exact because silver holds each key once.
 *
 * @param array the path of the array that is exploded, or null when no column reads into one
 * @param keys the key columns, in primary-key order
 * @param measures the other columns, in contract order
 */
public record AggregatePlan(String array, List<Column> keys, List<Column> measures) {

  /**
   * One gold column.
   *
   * @param path the upstream path split at its dots, empty for {@code count()}
   * @param arrayDepth how many segments of the path lead to the exploded array (0 when it does not go through one)
   * @param source the Iceberg type of the upstream value, null for {@code count()}
   * @param target the gold column's Iceberg type
   */
  public record Column(String name, AggregateExpression expression, List<String> path, int arrayDepth, Type source,
      Type target) {
    public Column {
      path = List.copyOf(path);
    }
  }

  /** Whether the contract is a gold product whose columns are declared (it names no Java transformation). */
  public static boolean isDeclared(Contract gold) {
    return gold.stage() == Stage.GOLD && gold.settings().transform() == null;
  }

  /** What can be told from the gold contract alone: each column's expression and whether it fits its column. */
  public static List<Problem> problems(Contract gold) {
    List<Problem> problems = new ArrayList<>();
    parse(gold, problems);
    return problems;
  }

  /** Every problem of the declaration, judged against the upstream product's contract. */
  public static List<Problem> problems(Contract gold, Contract upstream) {
    List<Problem> problems = new ArrayList<>();
    resolve(gold, upstream, problems);
    return problems;
  }

  /** The plan of a declared gold product; the exception lists every problem, one per line. */
  public static AggregatePlan of(Contract gold, Contract upstream) {
    List<Problem> problems = new ArrayList<>();
    AggregatePlan plan = resolve(gold, upstream, problems);
    if (!problems.isEmpty()) {
      StringBuilder message = new StringBuilder(gold.id() + " cannot be computed from " + upstream.id() + ":");
      problems.forEach(p -> message.append("\n  ").append(p));
      throw new IllegalArgumentException(message.toString());
    }
    return plan;
  }

  private record Parsed(int index, Field column, AggregateExpression expression) {}

  private static List<Parsed> parse(Contract gold, List<Problem> problems) {
    List<Parsed> out = new ArrayList<>();
    if (!isDeclared(gold)) {
      return out;
    }
    List<Field> columns = gold.table().fields();
    if (columns.stream().noneMatch(Field::isPrimaryKey)) {
      problems.add(new Problem(gold.table().pointer() + "/properties", "a gold product groups its rows by its"
          + " primary key: mark the key columns primaryKey: true"));
    }
    for (int i = 0; i < columns.size(); i++) {
      Field column = columns.get(i);
      String pointer = pointer(gold, i);
      if (column.transformLogic() == null || column.transformLogic().isBlank()) {
        problems.add(new Problem(gold.table().pointer() + "/properties/" + i, "'" + column.name() + "' needs"
            + " transformLogic saying how it is computed from " + upstreamName(gold) + ": "
            + AggregateExpression.FORMS + " (or the product names a Java transformation in lakemeshTransform)"));
        continue;
      }
      AggregateExpression expression;
      try {
        expression = AggregateExpression.parse(column.transformLogic());
      } catch (IllegalArgumentException e) {
        problems.add(new Problem(pointer, e.getMessage()));
        continue;
      }
      if (column.isPrimaryKey() && expression instanceof Measure) {
        problems.add(new Problem(pointer, "'" + column.name() + "' is a key column, so it groups rows: write a path"
            + " or day/hour/month/year of one, not an aggregate"));
        continue;
      }
      if (!column.isPrimaryKey() && expression instanceof GroupBy g) {
        problems.add(new Problem(pointer, "'" + column.name() + "' is not a key column, so it holds an aggregate"
            + " such as sum(" + g.path() + ") or max(" + g.path() + "); to group by " + g + ", make '"
            + column.name() + "' part of the primary key"));
        continue;
      }
      if (column.type() == LogicalType.OBJECT || column.type() == LogicalType.ARRAY) {
        problems.add(new Problem(gold.table().pointer() + "/properties/" + i + "/logicalType", "a declared gold"
            + " column holds one value: " + column.type().odcsName() + " is not supported"));
        continue;
      }
      out.add(new Parsed(i, column, expression));
    }
    return out;
  }

  private static AggregatePlan resolve(Contract gold, Contract upstream, List<Problem> problems) {
    List<Parsed> parsed = parse(gold, problems);
    List<Column> keys = new ArrayList<>();
    List<Column> measures = new ArrayList<>();
    String array = null;
    String arrayFrom = null;
    for (Parsed p : parsed) {
      String pointer = pointer(gold, p.index());
      Type target = IcebergMapping.type(p.column(), new AtomicInteger());
      AggregateExpression e = p.expression();
      if (e.path() == null) {
        measures.add(new Column(p.column().name(), e, List.of(), 0, null, target));
        checkTypes(p.column(), e, null, target, pointer, problems);
        continue;
      }
      Resolved r = resolvePath(upstream, e.path(), pointer, problems);
      if (r == null) {
        continue;
      }
      if (r.array() != null) {
        if (array == null) {
          array = r.array();
          arrayFrom = p.column().name();
        } else if (!array.equals(r.array())) {
          problems.add(new Problem(pointer, "'" + e.path() + "' reads the array '" + r.array() + "', but '"
              + arrayFrom + "' reads '" + array + "': every column may go into the same one array only"));
          continue;
        }
      }
      if (e instanceof GroupBy && !r.required()) {
        problems.add(new Problem(pointer, "'" + e.path() + "' is optional in " + upstream.id() + ", so a row could"
            + " have no group: a key column must come from required properties"));
      }
      if (e instanceof Measure m && (m.function() == MeasureFunction.MIN || m.function() == MeasureFunction.MAX)
          && !r.required()) {
        problems.add(new Problem(pointer, "'" + e.path() + "' is optional in " + upstream.id() + ", so a group"
            + " could have no " + m.function().word() + ": " + m.function().word() + " reads required properties"));
      }
      if (e instanceof Measure m && m.function() == MeasureFunction.COUNT_DISTINCT) {
        List<Field> upstreamKey = upstream.table().fields().stream().filter(Field::isPrimaryKey).toList();
        if (upstreamKey.size() != 1 || !upstreamKey.get(0).name().equals(e.path())) {
          problems.add(new Problem(pointer, "count(distinct ...) counts upstream rows and is kept exactly only for"
              + " the upstream's key" + (upstreamKey.size() == 1 ? " ('" + upstreamKey.get(0).name() + "')"
              : " (" + upstream.id() + " has " + (upstreamKey.isEmpty() ? "none" : "a key of several columns")
              + ")") + ", which silver holds once"));
          continue;
        }
      }
      Type source = IcebergMapping.type(r.leaf(), new AtomicInteger());
      if (checkTypes(p.column(), e, source, target, pointer, problems)) {
        Column column = new Column(p.column().name(), e, Arrays.asList(e.path().split("\\.")), r.arrayDepth(),
            source, target);
        (e instanceof GroupBy ? keys : measures).add(column);
      }
    }
    // keys in primary-key order, as the runtime groups and stores them
    List<Field> goldFields = gold.table().fields();
    keys.sort(java.util.Comparator.comparingInt(c -> goldFields.stream().filter(f -> f.name().equals(c.name()))
        .findFirst().orElseThrow().primaryKeyPosition()));
    return new AggregatePlan(array, List.copyOf(keys), List.copyOf(measures));
  }

  /** A path's last property, the array it goes through (if any) and whether a value is always there. */
  private record Resolved(Field leaf, String array, int arrayDepth, boolean required) {}

  private static Resolved resolvePath(Contract upstream, String path, String pointer, List<Problem> problems) {
    String[] segments = path.split("\\.");
    List<Field> level = upstream.table().fields();
    String where = upstream.id();
    String array = null;
    int arrayDepth = 0;
    boolean required = true;
    Field field = null;
    for (int i = 0; i < segments.length; i++) {
      String name = segments[i];
      field = level.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
      if (field == null) {
        problems.add(new Problem(pointer, "'" + path + "': " + where + " has no property '" + name + "' (it has: "
            + String.join(", ", level.stream().map(Field::name).toList()) + ")"));
        return null;
      }
      required &= field.required();
      boolean last = i == segments.length - 1;
      if (field.type() == LogicalType.ARRAY) {
        if (array != null) {
          problems.add(new Problem(pointer, "'" + path + "' goes into two arrays; a column may read into one"));
          return null;
        }
        array = String.join(".", Arrays.copyOf(segments, i + 1));
        arrayDepth = i + 1;
        required = true; // an absent or empty array gives no rows, not a row without a value
        Field items = field.items();
        if (items == null || items.isFreeFormObject()) {
          problems.add(new Problem(pointer, "'" + path + "': the items of '" + field.name() + "' declare no type"));
          return null;
        }
        if (last) {
          if (items.type() == LogicalType.OBJECT || items.type() == LogicalType.ARRAY) {
            problems.add(new Problem(pointer, "'" + path + "' is an array of " + items.type().odcsName()
                + "s: name one of their properties, e.g. " + path + "."
                + (items.properties().isEmpty() ? "x" : items.properties().get(0).name())));
            return null;
          }
          return new Resolved(items, array, arrayDepth, items.required());
        }
        if (items.type() != LogicalType.OBJECT) {
          problems.add(new Problem(pointer, "'" + path + "': the items of '" + field.name() + "' are "
              + items.type().odcsName() + "s, which have no properties"));
          return null;
        }
        level = items.properties();
        where = "the items of '" + field.name() + "'";
        continue;
      }
      if (field.type() == LogicalType.OBJECT && !field.isFreeFormObject()) {
        if (last) {
          problems.add(new Problem(pointer, "'" + path + "' is an object: name one of its properties, e.g. " + path
              + "." + field.properties().get(0).name()));
          return null;
        }
        level = field.properties();
        where = "'" + String.join(".", Arrays.copyOf(segments, i + 1)) + "'";
        continue;
      }
      if (!last) {
        problems.add(new Problem(pointer, "'" + path + "': '" + name + "' is a " + field.type().odcsName()
            + " and has no properties"));
        return null;
      }
    }
    return new Resolved(field, array, arrayDepth, required);
  }

  /** Whether the upstream value's type fits the expression and the gold column; a problem when not. */
  private static boolean checkTypes(Field column, AggregateExpression e, Type source, Type target, String pointer,
      List<Problem> problems) {
    String problem = typeProblem(e, source, target);
    if (problem != null) {
      problems.add(new Problem(pointer, "'" + column.name() + "' (" + describe(target) + ") cannot hold " + e
          + ": " + problem));
      return false;
    }
    return true;
  }

  private static String typeProblem(AggregateExpression e, Type source, Type target) {
    if (e instanceof GroupBy g) {
      return switch (g.function()) {
        case VALUE -> sameValues(source, target) ? null : "the upstream value is " + describe(source);
        case DAY, MONTH -> !isTemporal(source) ? "the upstream value is " + describe(source)
            + ", not a timestamp or date" : target.typeId() != TypeID.DATE ? "a " + g.function().word()
            + " is a date" : null;
        case HOUR -> source.typeId() != TypeID.TIMESTAMP ? "the upstream value is " + describe(source)
            + ", not a timestamp" : target.typeId() != TypeID.TIMESTAMP ? "an hour is a timestamp" : null;
        case YEAR -> !isTemporal(source) ? "the upstream value is " + describe(source) + ", not a timestamp or"
            + " date" : !isWhole(target) ? "a year is an integer" : null;
      };
    }
    Measure m = (Measure) e;
    return switch (m.function()) {
      case COUNT, COUNT_DISTINCT -> isWhole(target) ? null : "a count is an integer";
      case SUM -> sumProblem(source, target);
      case MIN, MAX -> source.typeId() == TypeID.BOOLEAN || !sameValues(source, target)
          ? "the upstream value is " + describe(source) : null;
    };
  }

  private static String sumProblem(Type source, Type target) {
    if (isWhole(source)) {
      return isWhole(target) || target.typeId() == TypeID.DECIMAL || target.typeId() == TypeID.DOUBLE ? null
          : "a sum of integers is a number";
    }
    if (source.typeId() == TypeID.DECIMAL) {
      int scale = ((Types.DecimalType) source).scale();
      if (target.typeId() == TypeID.DOUBLE) {
        return null;
      }
      if (target.typeId() != TypeID.DECIMAL || ((Types.DecimalType) target).scale() < scale) {
        return "a sum of " + describe(source) + " needs a decimal with at least " + scale + " places (or a double)";
      }
      return null;
    }
    if (source.typeId() == TypeID.DOUBLE || source.typeId() == TypeID.FLOAT) {
      return target.typeId() == TypeID.DOUBLE ? null : "a sum of floating-point numbers is a double, not exact";
    }
    return "the upstream value is " + describe(source) + ", not a number";
  }

  /** Whether every upstream value is stored unchanged in the target: the same type, or a wider one. */
  private static boolean sameValues(Type source, Type target) {
    if (source.equals(target)) {
      return true;
    }
    if (source.typeId() == TypeID.INTEGER && target.typeId() == TypeID.LONG) {
      return true;
    }
    if (source.typeId() == TypeID.FLOAT && target.typeId() == TypeID.DOUBLE) {
      return true;
    }
    if (source.typeId() != TypeID.DECIMAL || target.typeId() != TypeID.DECIMAL) {
      return false;
    }
    // every upstream value fits: as many places, and as many digits before the point (a max of decimal(10,2)
    // into decimal(6,2) would stop the gold stage at the first value of 10,000 or more)
    Types.DecimalType from = (Types.DecimalType) source;
    Types.DecimalType to = (Types.DecimalType) target;
    return to.scale() >= from.scale() && to.precision() - to.scale() >= from.precision() - from.scale();
  }

  private static boolean isWhole(Type t) {
    return t.typeId() == TypeID.INTEGER || t.typeId() == TypeID.LONG;
  }

  private static boolean isTemporal(Type t) {
    return t.typeId() == TypeID.TIMESTAMP || t.typeId() == TypeID.DATE;
  }

  private static String describe(Type t) {
    return t.typeId() == TypeID.LONG ? "an integer (long)" : t.typeId() == TypeID.INTEGER ? "an integer"
        : t.typeId() == TypeID.DECIMAL ? "a " + t : t.typeId() == TypeID.DOUBLE ? "a double"
        : "a " + t.typeId().toString().toLowerCase(java.util.Locale.ROOT);
  }

  private static String pointer(Contract gold, int index) {
    return gold.table().pointer() + "/properties/" + index + "/transformLogic";
  }

  private static String upstreamName(Contract gold) {
    return gold.settings().upstream() == null ? "its upstream" : gold.settings().upstream();
  }
}
