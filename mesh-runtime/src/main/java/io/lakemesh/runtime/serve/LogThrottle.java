package io.lakemesh.runtime.serve;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets a log line through at most once per interval and counts the occasions it held back: a fault that every
 * request meets (Kafka gone, the audit trail down) must say so, not flood the log once per request.
 */
final class LogThrottle {
  private final long everyNanos;
  private final AtomicLong said;
  private final AtomicLong occasions = new AtomicLong();

  LogThrottle(Duration every) {
    this.everyNanos = every.toNanos();
    this.said = new AtomicLong(System.nanoTime() - 2 * everyNanos); // the first occasion is said
  }

  /** One more occasion: how many there were since the last line (this one included) when it may be said, else 0. */
  long pass() {
    long count = occasions.incrementAndGet();
    long now = System.nanoTime();
    long last = said.get();
    if (now - last >= everyNanos && said.compareAndSet(last, now)) {
      occasions.addAndGet(-count);
      return count;
    }
    return 0;
  }
}
