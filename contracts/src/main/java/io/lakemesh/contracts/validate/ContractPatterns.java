package io.lakemesh.contracts.validate;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A contract's regular expressions ({@code logicalTypeOptions.pattern}, an {@code invalidValues} rule's pattern) read
 * as ODCS means them: JSON Schema patterns, whose dialect is ECMA-262's. Java's own dialect agrees on most of what
 * contracts write; where it reads the same text otherwise, the pattern is rewritten to ECMA-262's meaning:
 * <ul>
 *   <li>{@code $} (without the multiline flag) is the end of the value only; Java's also matches before a final line
 *       terminator, so {@code ^S-[0-9]{4}$} would accept {@code "S-1234\n"} and a store id with a line break would
 *       reach silver (and its own gold group);
 *   <li>{@code \s} is Unicode white space (no-break space, U+2028, the byte-order mark, ...), Java's only ASCII's, so
 *       {@code ^\S+$} would let a no-break space through; {@code \S} likewise;
 *   <li>{@code .} excludes only {@code \n}, {@code \r}, U+2028 and U+2029 (Java's also U+0085);
 *   <li>{@code []} matches nothing and {@code [^]} any character (Java refuses both);
 *   <li>{@code [} inside a class is a literal (Java opens a nested class).
 * </ul>
 * Java's engine is kept (rather than RE2's, which CEL uses) because it checks a short value about three times as
 * fast, and every row is checked.
 */
public final class ContractPatterns {
  /** ECMA-262's WhiteSpace and LineTerminator characters, as the body of a Java character class. */
  private static final String WHITE_SPACE =
      "\\t\\n\\x0B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF";
  /** What ECMA-262's {@code .} matches: any character but a line terminator. */
  private static final String ANY_BUT_LINE_TERMINATOR = "[^\\n\\r\\u2028\\u2029]";

  private ContractPatterns() {}

  /** The pattern, compiled with ECMA-262's meaning; a value matches when the pattern is found in it. */
  public static Pattern compile(String pattern) throws PatternSyntaxException {
    return Pattern.compile(toJava(pattern));
  }

  /** The pattern in Java's dialect, meaning what it means in ECMA-262's (see the class comment). */
  static String toJava(String pattern) {
    StringBuilder java = new StringBuilder(pattern.length() + 16);
    boolean inClass = false;
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      char next = i + 1 < pattern.length() ? pattern.charAt(i + 1) : 0;
      if (c == '\\' && (next == 's' || next == 'S')) {
        String whiteSpace = (next == 's' ? "[" : "[^") + WHITE_SPACE + "]";
        // in a class, a nested class adds its characters to the class (Java's union)
        java.append(whiteSpace);
        i++;
      } else if (c == '\\') {
        java.append(c);
        if (next != 0) {
          java.append(next);
          i++;
        }
      } else if (inClass) {
        java.append(c == '[' ? "\\[" : String.valueOf(c));
        inClass = c != ']';
      } else if (c == '[' && next == ']') {
        java.append("(?!)"); // the empty class
        i++;
      } else if (c == '[' && next == '^' && i + 2 < pattern.length() && pattern.charAt(i + 2) == ']') {
        java.append("(?s:.)"); // the class of every character
        i += 2;
      } else if (c == '[') {
        java.append(c);
        inClass = true;
      } else if (c == '$') {
        java.append("\\z");
      } else if (c == '.') {
        java.append(ANY_BUT_LINE_TERMINATOR);
      } else {
        java.append(c);
      }
    }
    return java.toString();
  }
}
