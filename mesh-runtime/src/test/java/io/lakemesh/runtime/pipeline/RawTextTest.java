package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

class RawTextTest {

  @Test
  void asciiAndValidUtf8KeepTheirBytesWithoutACopy() {
    for (String text : new String[] {"{\"a\":1}", "{\"store\":\"Parañaque ☕ 😀\"}", ""}) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      CharSequence raw = RawText.of(bytes);
      Utf8 utf8 = assertInstanceOf(Utf8.class, raw);
      assertArrayEquals(bytes, java.util.Arrays.copyOf(utf8.getBytes(), utf8.getByteLength()));
      assertEquals(text, raw.toString());
    }
  }

  @Test
  void invalidUtf8BecomesTextWithReplacementCharacters() {
    byte[] bytes = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}; // 0xC3 0x28: broken pair
    CharSequence raw = RawText.of(bytes);
    assertInstanceOf(String.class, raw);
    assertEquals(new String(bytes, StandardCharsets.UTF_8), raw);
    assertEquals('\uFFFD', raw.charAt(6));
  }
}
