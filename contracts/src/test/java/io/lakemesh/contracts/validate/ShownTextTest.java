package io.lakemesh.contracts.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ShownTextTest {

  @Test
  void controlCharactersAreWrittenAsEscapes() {
    assertEquals("S-1234\\n", ShownText.of("S-1234\n"));
    assertEquals("\\r\\nS-1234\\t", ShownText.of("\r\nS-1234\t"));
    assertEquals("a\\u0000b\\u0085c\\u2028d\\u007F", ShownText.of("a\u0000b\u0085c\u2028d\u007F"));
    assertEquals("Pañuelo 🧣", ShownText.of("Pañuelo 🧣"));
    assertEquals("A\\u202E1\\u200B\\uFEFF\\u00A0", ShownText.of("A\u202E1\u200B\uFEFF\u00A0"));
  }

  @Test
  void aLongValueIsCutWithoutSplittingACharacterOrAnEscape() {
    assertEquals("x".repeat(64), ShownText.of("x".repeat(64)));
    assertEquals("x".repeat(61) + "...", ShownText.of("x".repeat(65)));
    assertEquals("x".repeat(60) + "...", ShownText.of("x".repeat(60) + "🧣🧣🧣🧣"));
    assertEquals("x".repeat(59) + "🧣...", ShownText.of("x".repeat(59) + "🧣🧣🧣🧣"));
    assertEquals("x".repeat(58) + "...", ShownText.of("x".repeat(58) + "\u0001\u0001"));
  }
}
