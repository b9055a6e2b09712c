package io.lakemesh.contracts.validate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Whether bytes are well-formed UTF-8 as Unicode defines it. Jackson reads some ill-formed sequences as characters
 * (an overlong form such as 0xC0 0xAF as '/'), while Java's decoders, as bronze keeps the text, read them as U+FFFD:
 * one event would be two different texts, and its key could collide with another's. Ingest and the validator both
 * refuse such bytes.
 */
public final class Utf8Text {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Utf8Text() {}

  /** The offset of the first byte that is no part of well-formed UTF-8, or -1 when they all are. */
  public static int firstMalformed(byte[] bytes) {
    // ASCII, the bulk of JSON, eight bytes at a time: this runs on every event the validator reads
    int i = 0;
    while (i + Long.BYTES <= bytes.length && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
      i += Long.BYTES;
    }
    while (i < bytes.length && bytes[i] >= 0) {
      i++;
    }
    if (i == bytes.length || com.google.common.base.Utf8.isWellFormed(bytes, i, bytes.length - i)) {
      return -1;
    }
    return firstMalformedFrom(bytes, i);
  }

  /** Where the decoder stops: only for bytes known to be ill-formed, so its buffers are no cost on the way. */
  private static int firstMalformedFrom(byte[] bytes, int from) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, from, bytes.length - from);
    CharBuffer out = CharBuffer.allocate(8192);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        return in.position();
      }
      if (result.isUnderflow()) {
        return -1;
      }
      out.clear(); // overflow: only the check matters, not the text
    }
  }

  /** What is wrong with the byte at {@code offset}, for a sender: "byte 12 (0xC0) starts no well-formed ...". */
  public static String describe(byte[] bytes, int offset) {
    return "byte " + offset + " (0x" + String.format("%02X", bytes[offset] & 0xFF) + ") starts no well-formed UTF-8"
        + " sequence (an overlong form, a surrogate, a code point beyond U+10FFFF or a stray byte)";
  }
}
