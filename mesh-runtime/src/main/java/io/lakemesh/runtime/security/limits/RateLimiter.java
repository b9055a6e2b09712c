package io.lakemesh.runtime.security.limits;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per caller key: a caller may send {@code burst} requests at once and
 * {@code perSecond} a second on average. Buckets of callers idle long enough to be full again are forgotten, so
 * many distinct callers (or spoofed keys) do not grow memory without bound.
 */
public final class RateLimiter {

  /** The verdict on one request: allowed, or refused with the seconds until a token is back. */
  public record Decision(boolean allowed, long retryAfterSeconds) {}

  private static final class Bucket {
    double tokens;
    long updatedNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedNanos = now;
    }
  }

  private final double perSecond;
  private final double burst;
  private final LongSupplier clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private long lastSweep;

  public RateLimiter(double perSecond, int burst) {
    this(perSecond, burst, System::nanoTime);
  }

  RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("requests-per-second must be > 0 and burst >= 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = nanoClock;
    this.lastSweep = nanoClock.getAsLong();
  }

  public Decision acquire(String key) {
    long now = clock.getAsLong();
    sweep(now);
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (bucket) {
      double elapsed = (now - bucket.updatedNanos) / 1e9;
      bucket.tokens = Math.min(burst, bucket.tokens + elapsed * perSecond);
      bucket.updatedNanos = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return new Decision(true, 0);
      }
      double wait = (1 - bucket.tokens) / perSecond;
      return new Decision(false, Math.max(1, (long) Math.ceil(wait)));
    }
  }

  int trackedKeys() {
    return buckets.size();
  }

  private void sweep(long now) {
    long fullAfter = (long) (burst / perSecond * 1e9);
    if (now - lastSweep < Math.max(TimeUnit.SECONDS.toNanos(10), fullAfter)) {
      return;
    }
    synchronized (this) {
      if (now - lastSweep < Math.max(TimeUnit.SECONDS.toNanos(10), fullAfter)) {
        return;
      }
      lastSweep = now;
    }
    // a bucket untouched for as long as a refill takes is full: forgetting it changes nothing
    buckets.entrySet().removeIf(e -> now - e.getValue().updatedNanos > fullAfter);
  }
}
