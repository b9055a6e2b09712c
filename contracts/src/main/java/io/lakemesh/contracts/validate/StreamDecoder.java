package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Reads one value straight from the parser into its Iceberg representation, for the common case of a value that
 * meets its contract. Anything else throws {@link SlowPath}: the validator then parses the event as a tree and lets
 * the {@link Decoder}s say exactly what is wrong, so the reasons of a rejection have one source.
 */
@FunctionalInterface
interface StreamDecoder {
  /** Reads the value whose first token, {@code token}, is current; leaves its last token current. */
  Object read(JsonParser parser, JsonToken token) throws IOException;

  /** The event is not the common case; thrown often (every invalid event), so it has no stack trace. */
  final class SlowPath extends RuntimeException {
    static final SlowPath INSTANCE = new SlowPath();

    private SlowPath() {
      super("needs the tree decoders", null, false, false);
    }
  }
}
