package io.lakemesh.runtime.log;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which failures are the log not answering (a worker then waits, not fails; ingest answers 503 log-unavailable). */
class KafkaErrorsTest {

  @Test
  void aKafkaTimeoutAnywhereInTheCausesIsTheLogs() {
    // as the admin client fails a topic's creation while no broker answers
    assertTrue(KafkaErrors.unreachable(new IllegalStateException("Cannot create topic retail.transactions.raw:"
        + " Timed out waiting for a node assignment", new org.apache.kafka.common.errors.TimeoutException(
            "Timed out waiting for a node assignment. Call: createTopics"))));
    assertTrue(KafkaErrors.unreachable(new IllegalStateException("cannot read the end of t-0",
        new java.util.concurrent.TimeoutException())));
    // Kafka just came back: the topic made a moment ago is not in its metadata yet
    assertTrue(KafkaErrors.unreachable(new IllegalStateException("cannot read the end of t-0",
        new java.util.concurrent.ExecutionException(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
            "This server does not host this topic-partition.")))));
  }

  @Test
  void otherFailuresAreThePipelinesOwn() {
    assertFalse(KafkaErrors.unreachable(new IllegalStateException("retail.transactions.raw partition 0 ends at"
        + " offset 3, but this product's tables have read it up to 9")));
    assertFalse(KafkaErrors.unreachable(new org.apache.iceberg.exceptions.CommitFailedException("conflict")));
  }
}
