package io.lakemesh.contracts.validate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Decodes one JSON value into its Iceberg representation and checks it against its property's options. Built once
 * per contract property ({@link DecoderCompiler}); returns null when the value is unusable (a finding says why).
 */
@FunctionalInterface
interface Decoder {
  Object decode(JsonNode value, FieldPath path, Findings findings);
}
