package io.lakemesh.contracts.cel;

import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelStandardFunctions;
import dev.cel.runtime.standard.GreaterEqualsOperator.GreaterEqualsOverload;
import dev.cel.runtime.standard.GreaterOperator.GreaterOverload;
import dev.cel.runtime.standard.LessEqualsOperator.LessEqualsOverload;
import dev.cel.runtime.standard.LessOperator.LessOverload;
import java.util.List;
import java.util.Set;

/**
 * Strings ordered as the CEL language defines (by code point, which is UTF-8 byte order, as cel-go, Iceberg,
 * Parquet's statistics and SQL engines order them), not by UTF-16 code unit as Java's {@code compareTo} and cel-java's
 * standard overloads do. The two differ only where a character from U+E000 to U+FFFF (fullwidth forms, private use,
 * U+FFFD) meets one above U+FFFF (emoji): a filter must return the rows another engine returns from the same table.
 */
final class CodePointOrder {
  private CodePointOrder() {}

  /** Negative, zero or positive as {@code a} orders before, alike or after {@code b} by code point. */
  static int compare(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        // below U+D800 code units and code points agree; above, surrogates (code points past U+FFFF) go last
        return Integer.compare(lifted(x), lifted(y));
      }
    }
    return Integer.compare(a.length(), b.length());
  }

  private static int lifted(char c) {
    if (c < '\uD800') {
      return c;
    }
    return c <= '\uDFFF' ? c + 0x2000 : c - 0x800;
  }

  /** cel-java's standard functions without its four string orderings, which {@link #bindings} replace. */
  static CelStandardFunctions standardFunctions() {
    Set<Object> replaced = Set.of(LessOverload.LESS_STRING, LessEqualsOverload.LESS_EQUALS_STRING,
        GreaterOverload.GREATER_STRING, GreaterEqualsOverload.GREATER_EQUALS_STRING);
    return CelStandardFunctions.newBuilder().filterFunctions((function, overload) -> !replaced.contains(overload))
        .build();
  }

  /** The string orderings by code point, under the standard overload ids the checker resolves them to. */
  static List<CelFunctionBinding> bindings() {
    return List.of(
        CelFunctionBinding.from("less_string", String.class, String.class, (a, b) -> compare(a, b) < 0),
        CelFunctionBinding.from("less_equals_string", String.class, String.class, (a, b) -> compare(a, b) <= 0),
        CelFunctionBinding.from("greater_string", String.class, String.class, (a, b) -> compare(a, b) > 0),
        CelFunctionBinding.from("greater_equals_string", String.class, String.class,
            (a, b) -> compare(a, b) >= 0));
  }
}
