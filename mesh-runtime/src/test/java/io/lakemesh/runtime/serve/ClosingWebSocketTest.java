package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ClosingWebSocketTest {

  @Test
  void aClosingMessageSetsTheCloseCodeAndReasonOthersDoNot() {
    AtomicReference<ClosingWebSocket.Close> close = new AtomicReference<>();
    ClosingWebSocket.remember("{\"type\":\"change\",\"rows\":[{\"detail\":\"closing\"}]}", close);
    assertNull(close.get());
    ClosingWebSocket.remember("{\"type\":\"closing\",\"detail\":\"subscriber too slow\",\"code\":4008}", close);
    assertEquals(new ClosingWebSocket.Close(4008, "subscriber too slow"), close.get());
  }

  @Test
  void aLongReasonIsCutToFitACloseFrameOnACharacterBoundary() {
    String reason = "é".repeat(40) + "😀".repeat(40);
    String cut = ClosingWebSocket.truncate(reason);
    assertTrue(cut.getBytes(StandardCharsets.UTF_8).length <= 123, cut);
    assertTrue(cut.endsWith("..."), cut);
    assertTrue(reason.startsWith(cut.substring(0, cut.length() - 3)), "a prefix of whole characters: " + cut);
    assertEquals("short", ClosingWebSocket.truncate("short"));
  }
}
