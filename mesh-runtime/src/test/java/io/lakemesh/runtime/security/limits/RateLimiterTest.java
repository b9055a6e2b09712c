package io.lakemesh.runtime.security.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong now = new AtomicLong();
  private final RateLimiter limiter = new RateLimiter(2, 3, now::get);

  @Test
  void aBurstThenTheRate() {
    for (int i = 0; i < 3; i++) {
      assertTrue(limiter.acquire("a").allowed());
    }
    RateLimiter.Decision refused = limiter.acquire("a");
    assertFalse(refused.allowed());
    assertEquals(1, refused.retryAfterSeconds());
    assertTrue(limiter.acquire("b").allowed(), "callers have their own buckets");
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(500));
    assertTrue(limiter.acquire("a").allowed(), "one token back after 1/rate");
    assertFalse(limiter.acquire("a").allowed());
  }

  @Test
  void idleCallersAreForgotten() {
    for (int i = 0; i < 1000; i++) {
      limiter.acquire("caller-" + i);
    }
    assertEquals(1000, limiter.trackedKeys());
    now.addAndGet(TimeUnit.SECONDS.toNanos(11));
    limiter.acquire("late");
    assertEquals(1, limiter.trackedKeys());
  }
}
