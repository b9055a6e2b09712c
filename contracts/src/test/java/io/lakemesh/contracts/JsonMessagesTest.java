package io.lakemesh.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonMessagesTest {

  @Test
  void locationsSettingsAndFeaturesAreWordedForTheAuthor() {
    assertEquals("Unexpected end-of-input: expected close marker for Object (start marker at line 1, column 1)",
        JsonMessages.readable("Unexpected end-of-input: expected close marker for Object (start marker at"
            + " [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 1, column: 1])"));
    assertEquals("Document nesting depth (65) exceeds the maximum allowed (64)",
        JsonMessages.readable("Document nesting depth (65) exceeds the maximum allowed (64, from"
            + " `StreamReadConstraints.getMaxNestingDepth()`)"));
    assertEquals("Non-standard token 'NaN'",
        JsonMessages.readable("Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to"
            + " allow"));
    assertEquals("a b", JsonMessages.readable("a\n  b"));
    assertEquals("", JsonMessages.readable(null));
  }
}
