package io.lakemesh.runtime.log;

/** What a failure of a Kafka call says about the log, for everything that talks to it: one reading for all. */
public final class KafkaErrors {
  private KafkaErrors() {}

  /**
   * Whether Kafka did not answer in time (down, unreachable, too slow): a timeout or a lost connection anywhere in
   * the causes. A state to wait out and retry, not a bug. An unknown topic counts too: right after Kafka came back,
   * a topic made a moment ago is not in every broker's metadata yet (a worker makes it again if it is really gone).
   */
  public static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof org.apache.kafka.common.errors.TimeoutException
          || t instanceof org.apache.kafka.common.errors.DisconnectException
          || t instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException
          || t instanceof java.util.concurrent.TimeoutException) {
        return true;
      }
    }
    return false;
  }
}
