package io.lakemesh.runtime.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.util.Utf8;

/**
 * An event's bytes as the text of a string column, without copying them into a {@code String}. Iceberg's Parquet
 * writer writes an Avro {@link Utf8} as the bytes it holds, so the payload that bronze and quarantine keep is
 * neither decoded on the way in nor encoded again on the way out. Bytes that are not valid UTF-8 become a
 * {@code String} with replacement characters, as before: a Parquet string column must hold valid UTF-8, or
 * readers such as DuckDB refuse the file.
 */
public final class RawText {
  private RawText() {}

  public static CharSequence of(byte[] bytes) {
    return isAscii(bytes) || isUtf8(bytes) ? new Utf8(bytes) : new String(bytes, StandardCharsets.UTF_8);
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false; // not a failure: the caller keeps the text with replacement characters
    }
  }
}
