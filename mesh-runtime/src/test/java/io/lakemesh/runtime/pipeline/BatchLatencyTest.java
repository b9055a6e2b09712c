package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BatchLatencyTest {
  private static final Instant COMMIT = Instant.parse("2026-11-26T10:00:00Z");

  @Test
  void aLiveBatchIsChargedFromItsOldestLiveReceipt() {
    assertEquals(Duration.ofSeconds(2), BatchLatency.charged(COMMIT.minusSeconds(2), COMMIT));
  }

  @Test
  void aBatchOfBacklogOnlyIsNoSample() {
    // a new major version filling its tables from a day of log: no event of the batch arrived since its start
    assertNull(BatchLatency.charged(null, COMMIT));
  }

  @Test
  void aReceiptStampedAheadOfThisClockChargesNothing() {
    assertEquals(Duration.ZERO, BatchLatency.charged(COMMIT.plusSeconds(5), COMMIT));
  }
}
