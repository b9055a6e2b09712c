package io.lakemesh.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A replay's from is checked before any worker stops for it. */
class ReplayPointTest {

  @Test
  void aGoldProductTakesBeginningASnapshotOrATime() {
    for (String from : List.of("beginning", "snapshot:123", "2026-11-25T08:00:00Z")) {
      assertDoesNotThrow(() -> ReplayPoint.checkForm(from, false), from);
    }
    for (String typo : List.of("yesterday", "snapshot:abc", "2026-11-25", "2026-11-25T08:00:00 08:00")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReplayPoint.checkForm(typo, false), typo);
      assertTrue(e.getMessage().contains("'" + typo + "'"), e.getMessage());
    }
  }

  @Test
  void aSourceProductTakesBeginningOrATimeOnly() {
    for (String from : List.of("beginning", "2026-11-25T08:00:00Z")) {
      assertDoesNotThrow(() -> ReplayPoint.checkForm(from, true), from);
    }
    for (String typo : List.of("yesterday", "snapshot:123")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ReplayPoint.checkForm(typo, true), typo);
      assertTrue(e.getMessage().contains("for a source product"), e.getMessage());
    }
  }
}
