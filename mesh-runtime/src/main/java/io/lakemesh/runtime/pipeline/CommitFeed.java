package io.lakemesh.runtime.pipeline;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.data.Record;

/**
 * The rows of a table's most recent commits, kept in memory by the stage that wrote them so that a downstream stage
 * in the same process can fold them in without reading the files back. A reader that needs older ones reads the
 * table as usual. Thread-safe.
 *
 * <p>A commit is let go as soon as every {@linkplain #reader() reader} has folded it in, and in any case once more
 * than {@code capacity} newer commits are held. Holding a batch only until gold has it matters: a batch of 50,000
 * silver rows is ~80 MB of heap, and rows kept for several commits outlive the young generation, so every batch
 * was copied by the collector and promoted, and then needed full collections of the old generation.
 */
public final class CommitFeed implements CommitListener {
  private record Commit(long sequence, Long parentId, List<Record> rows) {}

  private final int capacity;
  private final Map<Long, Commit> commits = new LinkedHashMap<>();
  /** Weakly held: a reader whose stage stopped (and was dropped) stops holding commits back at the next collection. */
  private final List<WeakReference<Reader>> readers = new ArrayList<>();
  private long published;

  public CommitFeed(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public void committed(String productId, org.apache.iceberg.Snapshot snapshot, List<Record> rows) {
    publish(snapshot.snapshotId(), snapshot.parentId(), rows);
  }

  /** Publishes a commit's rows; the rows must not be changed afterwards. */
  public synchronized void publish(long snapshotId, Long parentId, List<Record> rows) {
    commits.put(snapshotId, new Commit(++published, parentId, List.copyOf(rows)));
    trim();
  }

  /**
   * A downstream stage's view of the feed. Until it has read anything, a new reader holds back every commit the
   * feed still has (up to the capacity), so a stage that starts just after a commit can still fold it from memory.
   */
  public synchronized Reader reader() {
    Reader reader = new Reader();
    readers.add(new WeakReference<>(reader));
    return reader;
  }

  /** How many commits are held now. */
  public synchronized int held() {
    return commits.size();
  }

  /**
   * The rows appended after {@code fromExclusive} up to {@code toInclusive}, oldest commit first, when every commit
   * between them is still held; empty when any is missing (the caller then reads the table).
   */
  public synchronized Optional<List<Record>> between(Long fromExclusive, long toInclusive) {
    List<List<Record>> chain = new ArrayList<>();
    Long at = toInclusive;
    while (at != null && !at.equals(fromExclusive)) {
      Commit c = commits.get(at);
      if (c == null) {
        return Optional.empty();
      }
      chain.add(c.rows());
      at = c.parentId();
    }
    if (fromExclusive != null && at == null) {
      return Optional.empty(); // walked past the start without meeting it
    }
    List<Record> rows = new ArrayList<>();
    for (int i = chain.size() - 1; i >= 0; i--) {
      rows.addAll(chain.get(i));
    }
    return Optional.of(rows);
  }

  /** Lets go of the oldest commits: beyond the capacity, and those every live reader has read through. */
  private void trim() {
    long readByAll = Long.MAX_VALUE;
    boolean anyReader = false;
    for (Iterator<WeakReference<Reader>> it = readers.iterator(); it.hasNext(); ) {
      Reader r = it.next().get();
      if (r == null) {
        it.remove();
        continue;
      }
      anyReader = true;
      readByAll = Math.min(readByAll, r.readThrough);
    }
    for (Iterator<Commit> it = commits.values().iterator(); it.hasNext(); ) {
      Commit oldest = it.next();
      if (commits.size() > capacity || (anyReader && oldest.sequence() <= readByAll)) {
        it.remove();
      } else {
        break; // commits are held in the order they were published
      }
    }
  }

  /** One downstream stage reading the feed. */
  public final class Reader {
    /** The sequence number of the newest commit this reader has folded in; 0 before its first. */
    private long readThrough;

    private Reader() {}

    /** As {@link CommitFeed#between}. */
    public Optional<List<Record>> between(Long fromExclusive, long toInclusive) {
      return CommitFeed.this.between(fromExclusive, toInclusive);
    }

    /**
     * Says that this reader has durably folded in everything up to and including {@code snapshotId}, so the feed
     * may let go of those rows once the other readers have them too. A snapshot the feed does not hold (older than
     * all it has, or never published here) changes nothing.
     */
    public void readThrough(long snapshotId) {
      synchronized (CommitFeed.this) {
        Commit c = commits.get(snapshotId);
        if (c != null && c.sequence() > readThrough) {
          readThrough = c.sequence();
          trim();
        }
      }
    }
  }
}
