package io.lakemesh.runtime.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

  @Test
  void saysTheFirstThenOncePerIntervalWithHowManyItHeldBack() throws Exception {
    LogThrottle throttle = new LogThrottle(Duration.ofMillis(300));
    assertEquals(1, throttle.pass(), "the first occasion is said");
    assertEquals(0, throttle.pass());
    assertEquals(0, throttle.pass());
    Thread.sleep(400);
    assertEquals(3, throttle.pass(), "two held back and this one");
    assertEquals(0, throttle.pass());
  }
}
