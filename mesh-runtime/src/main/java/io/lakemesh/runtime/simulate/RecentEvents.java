package io.lakemesh.runtime.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The last valid events a traffic source made, for {@link TrafficSource.EventKind#DUPLICATE}: a re-send repeats
 * one of them byte for byte. Bounded: the oldest is replaced once it is full.
 */
public final class RecentEvents {
  private final int capacity;
  private final List<String> events = new ArrayList<>();
  private int next;

  public RecentEvents(int capacity) {
    this.capacity = capacity;
  }

  /** Keeps a valid event that was made (and is about to be sent). */
  public void remember(String event) {
    if (events.size() < capacity) {
      events.add(event);
    } else {
      events.set(next, event);
      next = (next + 1) % capacity;
    }
  }

  /** One of the kept events, or null when none was made yet. */
  public String pick(RandomGenerator random) {
    return events.isEmpty() ? null : events.get(random.nextInt(events.size()));
  }
}
