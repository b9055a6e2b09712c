package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyIndexTest {

  @Test
  void agreesWithAHashSetThroughManyGrowths() {
    Random random = new Random(5);
    KeyIndex index = new KeyIndex();
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 200_000; i++) {
      // a small key space, so adds often repeat; ids like the retail ones, and odd ones (empty, non-ASCII)
      String key = switch (random.nextInt(4)) {
        case 0 -> "T-" + random.nextInt(120_000);
        case 1 -> "";
        case 2 -> "Parañaque-" + random.nextInt(1_000) + "\u0001" + random.nextInt(10);
        default -> Integer.toString(random.nextInt(60_000));
      };
      if (random.nextBoolean()) {
        assertEquals(expected.add(key), index.add(key), key);
      } else {
        assertEquals(expected.contains(key), index.contains(key), key);
      }
    }
    assertEquals(expected.size(), index.size());
    for (String key : expected) {
      assertEquals(true, index.contains(key), key);
    }
  }
}
