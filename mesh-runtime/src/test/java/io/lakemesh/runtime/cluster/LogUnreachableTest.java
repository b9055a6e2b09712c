package io.lakemesh.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which start failures are the log's (a worker then waits, not fails, and readiness is not affected). */
class LogUnreachableTest {

  @Test
  void aKafkaTimeoutAnywhereInTheCausesIsTheLogs() {
    // as the admin client fails a topic's creation while no broker answers
    assertTrue(DataProduct.logUnreachable(new IllegalStateException("Cannot create topic retail.transactions.raw:"
        + " Timed out waiting for a node assignment", new org.apache.kafka.common.errors.TimeoutException(
            "Timed out waiting for a node assignment. Call: createTopics"))));
    assertTrue(DataProduct.logUnreachable(new IllegalStateException("cannot read the end of t-0",
        new java.util.concurrent.TimeoutException())));
    // Kafka just came back: the topic made a moment ago is not in its metadata yet
    assertTrue(DataProduct.logUnreachable(new IllegalStateException("cannot read the end of t-0",
        new java.util.concurrent.ExecutionException(new org.apache.kafka.common.errors.UnknownTopicOrPartitionException(
            "This server does not host this topic-partition.")))));
  }

  @Test
  void otherFailuresAreThePipelinesOwn() {
    assertFalse(DataProduct.logUnreachable(new IllegalStateException("retail.transactions.raw partition 0 ends at"
        + " offset 3, but this product's tables have read it up to 9")));
    assertFalse(DataProduct.logUnreachable(new org.apache.iceberg.exceptions.CommitFailedException("conflict")));
  }
}
