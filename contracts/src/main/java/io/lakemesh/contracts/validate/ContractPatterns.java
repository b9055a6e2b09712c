package io.lakemesh.contracts.validate;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A contract's regular expressions ({@code logicalTypeOptions.pattern}, an {@code invalidValues} rule's pattern) read
 * as ODCS means them: JSON Schema patterns, whose dialect is ECMA-262's. Java's own dialect agrees on what contracts
 * write except for {@code $}: without the multiline flag ECMA-262 matches it at the end of the value only, and Java
 * also before a final line terminator, so {@code ^S-[0-9]{4}$} would accept {@code "S-1234\n"} and a store id with a
 * line break would reach silver (and its own gold group). Java's engine is kept (rather than RE2's, which CEL uses)
 * because it checks a short value about three times as fast, and every row is checked.
 */
public final class ContractPatterns {
  private ContractPatterns() {}

  /** The pattern, compiled with ECMA-262's {@code $}; a value matches when the pattern is found in it. */
  public static Pattern compile(String pattern) throws PatternSyntaxException {
    return Pattern.compile(toJava(pattern));
  }

  /**
   * The pattern with each {@code $} outside a character class, and not escaped, written as Java's end of input
   * ({@code \z}); a {@code [} inside a class is a literal in ECMA-262 and a nested class in Java, so it is escaped.
   */
  static String toJava(String pattern) {
    StringBuilder java = new StringBuilder(pattern.length() + 4);
    boolean inClass = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        java.append(c);
        if (i + 1 < pattern.length()) {
          java.append(pattern.charAt(++i));
        }
      } else if (inClass) {
        java.append(c == '[' ? "\\[" : String.valueOf(c));
        inClass = c != ']';
      } else if (c == '[') {
        java.append(c);
        inClass = true;
      } else if (c == '$') {
        java.append("\\z");
      } else {
        java.append(c);
      }
    }
    return java.toString();
  }
}
