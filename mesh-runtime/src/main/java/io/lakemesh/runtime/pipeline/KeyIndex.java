package io.lakemesh.runtime.pipeline;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The primary keys a worker's silver partitions hold, for deduplication: each key kept as the first 128 bits of its
 * SHA-256 in an open-addressing table of longs: 16 bytes a key at a load of 0.3 to 0.6, so 27 to 53 bytes, where a
 * {@code HashSet<String>} of 33-character transaction ids takes about 120 (string, its bytes, the map's node and
 * slot). A worker loads every key of its partitions on start, so this bounds how large a table a node can dedupe
 * against in memory.
 *
 * <p>Two different keys sharing a 128-bit digest would make the second look like a re-send: about one chance in
 * 10^25 at a billion keys, and SHA-256 gives no sender a way to aim for it. Not thread-safe: one committer's thread.
 */
final class KeyIndex {
  private static final int MIN_CAPACITY = 1 << 10;

  private final MessageDigest sha256;
  private long[] slots = new long[2 * MIN_CAPACITY]; // (high, low) pairs; (0, 0) marks a free slot
  private int size;
  private long high;
  private long low;

  KeyIndex() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }

  boolean contains(String key) {
    digest(key);
    int slot = slotOf(slots, high, low);
    return slots[slot] == high && slots[slot + 1] == low;
  }

  /** Adds the key; false when it was there already. */
  boolean add(String key) {
    digest(key);
    int slot = slotOf(slots, high, low);
    if (slots[slot] == high && slots[slot + 1] == low) {
      return false;
    }
    slots[slot] = high;
    slots[slot + 1] = low;
    size++;
    if (size * 5L > (slots.length / 2) * 3L) { // load above 0.6: double
      grow();
    }
    return true;
  }

  int size() {
    return size;
  }

  private void digest(String key) {
    byte[] d = sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    long h = 0;
    long l = 0;
    for (int i = 0; i < 8; i++) {
      h = (h << 8) | (d[i] & 0xFF);
      l = (l << 8) | (d[i + 8] & 0xFF);
    }
    high = h;
    low = (h == 0 && l == 0) ? 1 : l; // (0, 0) is the free mark
  }

  /** The slot holding (h, l), or the free slot where it would go (linear probing). */
  private static int slotOf(long[] table, long h, long l) {
    int mask = table.length / 2 - 1;
    int i = (int) (l ^ (l >>> 32)) & mask;
    while (true) {
      long a = table[2 * i];
      long b = table[2 * i + 1];
      if ((a == 0 && b == 0) || (a == h && b == l)) {
        return 2 * i;
      }
      i = (i + 1) & mask;
    }
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (int i = 0; i < slots.length; i += 2) {
      long a = slots[i];
      long b = slots[i + 1];
      if (a != 0 || b != 0) {
        int slot = slotOf(bigger, a, b);
        bigger[slot] = a;
        bigger[slot + 1] = b;
      }
    }
    slots = bigger;
  }
}
