package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchLatencyTest {
  private static final Instant COMMIT = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void aLiveBatchIsChargedFromItsOldestReceipt() {
    assertEquals(Duration.ofSeconds(2), BatchLatency.charged(Duration.ofSeconds(2),
        COMMIT.minus(Duration.ofHours(1)), COMMIT));
  }

  @Test
  void eventsThatWaitedForThePipelineAreChargedFromItsStart() {
    // a new major version filling its tables from a day of log, started 40 s ago
    assertEquals(Duration.ofSeconds(40), BatchLatency.charged(Duration.ofDays(1),
        COMMIT.minus(Duration.ofSeconds(40)), COMMIT));
  }

  @Test
  void aClockThatWentBackChargesTheReceipt() {
    assertEquals(Duration.ofSeconds(3), BatchLatency.charged(Duration.ofSeconds(3),
        COMMIT.plus(Duration.ofSeconds(5)), COMMIT));
  }
}
