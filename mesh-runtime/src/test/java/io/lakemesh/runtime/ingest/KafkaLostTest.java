package io.lakemesh.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lakemesh.runtime.log.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka lost after it answered is waited for as long as one that never did (10 s): a sender gets its 503 before
 * the timeouts of common clients and proxies, not after them.
 */
class KafkaLostTest {
  @TempDir Path data;

  @Test
  void aSendToAKafkaLostAfterItAnsweredFailsWithinTheSameWait() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.start(data, 0);
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of(
        "bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("lost.raw", 1, (short) 1))).all().get();
    }
    // readers: none, so no lag is asked of the progress board
    try (IngestService ingest = new IngestService(kafka.bootstrapServers(), null, Long.MAX_VALUE)) {
      List<EventSplitter.Event> one = List.of(new EventSplitter.Event(
          "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8), "1"));
      assertEquals(1, ingest.ingest(List.of(), "lost.raw", 1, one, "test").get(30, TimeUnit.SECONDS));
      kafka.close();

      long sent = System.nanoTime();
      ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> ingest.ingest(List.of(), "lost.raw", 1, one, "test").get(60, TimeUnit.SECONDS));
      Duration waited = Duration.ofNanos(System.nanoTime() - sent);
      IngestService.NotAcknowledgedException missed = assertInstanceOf(IngestService.NotAcknowledgedException.class,
          failed.getCause());
      assertTrue(missed.logUnreachable(), missed.toString());
      // 10 s, with room for a busy machine; the producer's former delivery timeout made it 20 s
      assertTrue(waited.compareTo(Duration.ofSeconds(15)) < 0, "answered after " + waited);
    }
  }
}
