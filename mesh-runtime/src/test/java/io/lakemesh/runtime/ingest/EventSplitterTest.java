package io.lakemesh.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventSplitterTest {

  private static String refusal(String body, boolean ndjson) {
    return assertThrows(EventSplitter.MalformedBodyException.class,
        () -> EventSplitter.split(body.getBytes(StandardCharsets.UTF_8), ndjson, "id")).getMessage();
  }

  @Test
  void limitsAndSyntaxErrorsAreWordedForTheSenderNotForAJacksonUser() {
    String deep = "[{\"id\":\"1\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}]";
    for (String message : new String[] {refusal(deep, false), refusal(deep.substring(1, deep.length() - 1), true),
        refusal("[{\"id\":\"1\",}]", false), refusal("{\"id\":\"1\"\n{\"id\":", true),
        refusal("[{\"id\":\"1\",\"a\":NaN}]", false), refusal("[{\"id\":\"1\",\"a\":+1}]", false)}) {
      assertFalse(message.contains("`"), message);
      assertFalse(message.contains("REDACTED"), message);
      assertFalse(message.contains("StreamReadConstraints"), message);
    }
    assertTrue(refusal(deep, false).contains("nesting depth"), refusal(deep, false));
  }

  @Test
  void anEmptyArrayIsNoEvents() throws Exception {
    assertEquals(0, EventSplitter.split("[ ]".getBytes(StandardCharsets.UTF_8), false, "id").size());
  }
}
