package io.lakemesh.contracts.aggregate;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one column of a declared gold product holds, as its {@code transformLogic} says: a group key (a key column)
 * or a measure (any other column), over a path into the upstream row such as {@code region},
 * {@code address.city} or {@code items.qty}.
 */
public sealed interface AggregateExpression {

  /** The upstream path it reads, or null for {@code count()}. */
  String path();

  /** A key column: the upstream value, or a timestamp's or date's day, hour, month or year. */
  record GroupBy(KeyFunction function, String path) implements AggregateExpression {
    @Override
    public String toString() {
      return function == KeyFunction.VALUE ? path : function.word() + "(" + path + ")";
    }
  }

  /** A measure column, folded over every upstream row (or array element) of its group. */
  record Measure(MeasureFunction function, String path) implements AggregateExpression {
    @Override
    public String toString() {
      return switch (function) {
        case COUNT -> path == null ? "count()" : "count(" + path + ")";
        case COUNT_DISTINCT -> "count(distinct " + path + ")";
        default -> function.word() + "(" + path + ")";
      };
    }
  }

  enum KeyFunction {
    VALUE(""), DAY("day"), HOUR("hour"), MONTH("month"), YEAR("year");

    private final String word;

    KeyFunction(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  enum MeasureFunction {
    SUM("sum"), COUNT("count"), COUNT_DISTINCT("count"), MIN("min"), MAX("max");

    private final String word;

    MeasureFunction(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  Pattern PATH = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
  Pattern CALL = Pattern.compile("([A-Za-z_]+)\\s*\\(\\s*(distinct\\s+)?([^()]*?)\\s*\\)", Pattern.CASE_INSENSITIVE);
  String FORMS = "a path (region, address.city, items.category), day(ts), hour(ts), month(ts) or year(ts) for a"
      + " key column; sum(x), count(), count(x), count(distinct <upstream key>), min(x) or max(x) for a measure";

  /** Reads a {@code transformLogic}; the message of the exception says what is wrong and what is allowed. */
  static AggregateExpression parse(String text) {
    String t = text == null ? "" : text.strip();
    if (PATH.matcher(t).matches()) {
      return new GroupBy(KeyFunction.VALUE, t);
    }
    Matcher m = CALL.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + t + "' is not an aggregate expression; write " + FORMS);
    }
    String function = m.group(1).toLowerCase(Locale.ROOT);
    boolean distinct = m.group(2) != null;
    String path = m.group(3);
    if (path.isEmpty()) {
      if (function.equals("count") && !distinct) {
        return new Measure(MeasureFunction.COUNT, null);
      }
      throw new IllegalArgumentException("'" + t + "' needs a path inside the parentheses; write " + FORMS);
    }
    if (!distinct && path.equalsIgnoreCase("distinct")) {
      throw new IllegalArgumentException("'" + t + "' needs the upstream key it counts: count(distinct <key>), e.g."
          + " count(distinct id)");
    }
    if (!PATH.matcher(path).matches()) {
      throw new IllegalArgumentException("'" + path + "' in '" + t + "' is not a path: names of upstream"
          + " properties joined by dots, such as items.qty (expressions are not supported)");
    }
    if (distinct && !function.equals("count")) {
      throw new IllegalArgumentException("'" + t + "': only count takes distinct");
    }
    return switch (function) {
      case "day" -> new GroupBy(KeyFunction.DAY, path);
      case "hour" -> new GroupBy(KeyFunction.HOUR, path);
      case "month" -> new GroupBy(KeyFunction.MONTH, path);
      case "year" -> new GroupBy(KeyFunction.YEAR, path);
      case "sum" -> new Measure(MeasureFunction.SUM, path);
      case "count" -> new Measure(distinct ? MeasureFunction.COUNT_DISTINCT : MeasureFunction.COUNT, path);
      case "min" -> new Measure(MeasureFunction.MIN, path);
      case "max" -> new Measure(MeasureFunction.MAX, path);
      default -> throw new IllegalArgumentException("unknown function '" + m.group(1) + "' in '" + t + "'; write "
          + FORMS);
    };
  }
}
