package io.lakemesh.contracts.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ColumnMaskTest {
  static final byte[] SALT = "pepper".getBytes(StandardCharsets.UTF_8);

  static ColumnMask mask(String name) {
    return ColumnMask.parse(name, SALT).orElseThrow(() -> new AssertionError("not a mask: " + name));
  }

  @Test
  void hashIsTheHexSha256OfSaltAndValue() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update(SALT);
    String expected = HexFormat.of().formatHex(sha.digest("C-0042".getBytes(StandardCharsets.UTF_8)));
    ColumnMask hash = mask("hash");
    assertEquals(expected, hash.apply("C-0042"));
    assertEquals(hash.apply("C-0042"), hash.apply("C-0042"), "stable: joins and distinct counts still work");
    assertNotEquals(hash.apply("C-0042"), hash.apply("C-0043"));
    assertNotEquals(hash.apply("C-0042"), ColumnMask.parse("hash", "other".getBytes()).orElseThrow()
        .apply("C-0042"), "another deployment's salt gives other hashes");
    assertEquals(64, ((String) hash.apply(12345L)).length());
    assertNull(hash.apply(null));
    assertFalse(hash.toString().contains("pepper"), "the salt is a secret");
  }

  @Test
  void hashIsThreadSafe() {
    ColumnMask hash = mask("hash");
    String expected = (String) hash.apply("C-1");
    assertTrue(java.util.stream.IntStream.range(0, 10_000).parallel()
        .allMatch(i -> expected.equals(hash.apply("C-1"))));
  }

  @Test
  void redactAndNull() {
    assertEquals("***", mask("redact").apply("C-0042"));
    assertEquals("***", mask("redact").apply(new BigDecimal("12.50")));
    assertNull(mask("redact").apply(null));
    assertNull(mask("null").apply("C-0042"));
    assertNull(mask("NULL").apply(42));
  }

  @ParameterizedTest(name = "{0}({1}) = {2}")
  @CsvSource(delimiter = '|', value = {
      "last-4 | 4111111111111111 | ************1111",
      "last4  | C-0042           | **0042",
      "LAST-4 | 0042             | ****",
      "last-4 | 042              | ***",
      "last-1 | ab               | *b",
      "last-2 | ñandú😀            | ****ú😀",
  })
  void lastNKeepsTheLastCharactersAndHidesShortValuesEntirely(String name, String value, String expected) {
    assertEquals(expected, mask(name).apply(value));
  }

  @Test
  void lastNOfNonStrings() {
    assertEquals("****5678", mask("last-4").apply(12345678L));
    assertEquals("*2.50", mask("last-4").apply(new BigDecimal("12.50")));
    assertNull(mask("last-4").apply(null));
    assertEquals("last-4", mask("last4").name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "last", "last-", "last-0", "last--4", "last-x", "first-4", "mask", "last-9999999999"})
  void unknownMasksAreNotParsed(String name) {
    assertTrue(ColumnMask.parse(name, SALT).isEmpty(), name);
  }

  @Test
  void masksAreOrderedByWhatTheyDisclose() {
    List<ColumnMask> fromMostDisclosing = List.of(mask("last-6"), mask("last-4"), mask("hash"), mask("redact"),
        mask("null"));
    for (int i = 0; i < fromMostDisclosing.size(); i++) {
      for (int j = 0; j < fromMostDisclosing.size(); j++) {
        ColumnMask expected = fromMostDisclosing.get(Math.min(i, j));
        assertEquals(expected, ColumnMask.leastMasking(fromMostDisclosing.get(i), fromMostDisclosing.get(j)));
      }
    }
  }
}
