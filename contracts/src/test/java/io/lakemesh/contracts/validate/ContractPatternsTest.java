package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Contract patterns match as ECMA-262 (JSON Schema's dialect) says, where Java's dialect reads them otherwise. */
class ContractPatternsTest {

  @ParameterizedTest(name = "{0} finds {1}: {2}")
  @CsvSource(delimiter = '|', value = {
      // $ is the end of the value only (Java's also matches before a final line terminator)
      "^S-[0-9]{4}$     | S-1234       | true",
      "^S-[0-9]{4}$     | S-1234\\n    | false",
      "^S-[0-9]{4}$     | S-1234\\r\\n | false",
      "^S-[0-9]{4}$     | S-1234\\r    | false",
      "^S-[0-9]{4}$     | S-1234\\u2028 | false",
      "^S-[0-9]{4}$     | S-1234\\u0085 | false",
      "(b$)?a$          | xa           | true",
      "(b$)?a$          | xa\\n        | false",
      // escaped or in a class, $ is the character
      "^\\$[0-9]+$      | $15          | true",
      "^[$][0-9]+$      | $15          | true",
      "^[^$]+$          | 15$          | false",
      "^[\\]$]+$        | ]$]          | true",
      // [ in a class is a literal in ECMA-262 (Java would open a nested class)
      "^[[a]+$          | [a[          | true",
      // \s is Unicode white space, . all but the four line terminators
      "^\\S+$          | a\u00A0b    | false",
      "^\\S+$          | a\uFEFFb    | false",
      "^\\S+$          | a\u2028b    | false",
      "^\\S+$          | ab           | true",
      "^a\\sb$         | a\u3000b    | true",
      "^[\\s]+$        | \u00A0      | true",
      "^[^\\s]+$       | a\u00A0     | false",
      "^[\\S]+$        | ab           | true",
      "^.+$            | a\u0085     | true",
      "^.+$            | a\u2028     | false",
      "^\\.$           | .            | true",
      "^\\.$           | a            | false",
      "^[.]$           | a            | false",
      // [] matches nothing, [^] anything
      "^[^]*$          | a\\nb       | true",
      "a[]b            | ab           | false",
      // no anchor: found anywhere, as JSON Schema's pattern is
      "[0-9]{4}         | id 1234 x    | true",
  })
  void matchesAsEcmaScriptDoes(String pattern, String value, boolean found) {
    assertEquals(found, ContractPatterns.compile(pattern).matcher(unescape(value)).find());
  }

  /** \n, \r and \\uXXXX written in the table as escapes. */
  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'n') {
        out.append('\n');
        i++;
      } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'r') {
        out.append('\r');
        i++;
      } else if (c == '\\' && i + 5 < s.length() && s.charAt(i + 1) == 'u') {
        out.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
