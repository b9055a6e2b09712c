package io.lakemesh.runtime.stream;

import io.lakemesh.runtime.storage.TableReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the change hub every commit of a product's table, in the table's own snapshot order, whichever node made
 * it: a commit made in this process is published from memory at once; one made by another node (a partition worker
 * running elsewhere) is found by following the table's snapshots and read from the files it added. Each product has
 * a cursor, the last snapshot published; publishing and registering a subscriber happen under the cursor's lock,
 * so a subscriber starts exactly after the cursor and sees every later commit once.
 *
 * <p>One thread does all the following and publishing, so a node's subscribers see one order. Products without
 * subscribers are not followed; their cursor is reset to the table's current snapshot when the first one arrives.
 */
final class ChangeFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeFollower.class);
  private static final int MAX_PENDING = 64;
  private static final int MAX_CATCH_UP = 1_000;
  private static final long SLOW_FOLLOW_MILLIS = 2_000;

  private record Pending(Snapshot snapshot, List<Record> rows) {}

  private static final class Cursor {
    Long last;
    final Map<Long, Pending> pending = new LinkedHashMap<>();
  }

  private final ChangeHub hub;
  private final Function<String, Table> tables;
  private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "lakemesh-change-follower");
    t.setDaemon(true);
    return t;
  });

  /** @param tables a product's served table, freshly loaded */
  ChangeFollower(ChangeHub hub, Function<String, Table> tables, Duration poll) {
    this.hub = hub;
    this.tables = tables;
    thread.scheduleWithFixedDelay(this::pollAll, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Cursor cursor(String productId) {
    return cursors.computeIfAbsent(productId, k -> new Cursor());
  }

  /** A commit made in this process, with its rows: published from memory, in snapshot order. */
  void local(String productId, Snapshot snapshot, List<Record> rows) {
    Cursor c = cursor(productId);
    synchronized (c) {
      if (hub.subscriberCount(productId) == 0) {
        c.last = snapshot.snapshotId();
        c.pending.clear();
        return;
      }
      c.pending.put(snapshot.snapshotId(), new Pending(snapshot, List.copyOf(rows)));
      while (c.pending.size() > MAX_PENDING) {
        c.pending.remove(c.pending.keySet().iterator().next()); // the table read covers it
      }
    }
    thread.execute(() -> {
      try {
        follow(productId, false);
      } catch (RuntimeException e) {
        // the next poll reads the table and publishes what this could not
        LOG.warn("publishing a commit of {} failed; the next poll retries: {}", productId, e.toString());
      }
    });
  }

  /**
   * Registers a subscriber right after the product's cursor and returns the snapshot it starts after (null for an
   * empty table): it will be sent every commit after that one.
   */
  Snapshot subscribe(String productId, Table table, Consumer<Snapshot> register) {
    Cursor c = cursor(productId);
    synchronized (c) {
      if (hub.subscriberCount(productId) == 0 || c.last == null) {
        // not followed until now: start at what the table shows
        c.last = table.currentSnapshot() == null ? null : table.currentSnapshot().snapshotId();
        c.pending.clear();
      }
      Snapshot start = c.last == null ? null : table.snapshot(c.last);
      if (c.last != null && start == null) {
        table.refresh(); // the cursor moved past the caller's view of the table
        start = table.snapshot(c.last);
      }
      register.accept(start);
      return start;
    }
  }

  private void pollAll() {
    for (String productId : cursors.keySet()) {
      if (hub.subscriberCount(productId) > 0) {
        long started = System.nanoTime();
        try {
          follow(productId, true);
        } catch (RuntimeException | LinkageError | AssertionError e) {
          // caught, not thrown: a scheduled task that throws is never run again, and every stream would go quiet
          LOG.warn("following the commits of {} failed; retrying: {}", productId, e.toString());
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (millis >= SLOW_FOLLOW_MILLIS) {
          // one thread follows every product: a slow read (the catalog locked, a large commit) delays all streams
          LOG.info("following the commits of {} took {} ms; live streams of this node waited that long", productId,
              millis);
        }
      }
    }
  }

  /** Publishes what follows the cursor: from memory when it continues the chain, else read from the table. */
  private void follow(String productId, boolean readTable) {
    Cursor c = cursor(productId);
    synchronized (c) {
      Pending next;
      while ((next = nextPending(c)) != null) {
        publish(productId, c, next.snapshot(), next.rows());
      }
      if (c.pending.isEmpty() && !readTable) {
        return;
      }
    }
    Table table = tables.apply(productId);
    Snapshot current = table.currentSnapshot();
    Long last;
    synchronized (c) {
      last = c.last;
    }
    if (current == null || Objects.equals(last, current.snapshotId())) {
      return;
    }
    List<Snapshot> chain = new ArrayList<>();
    Snapshot s = current;
    while (s != null && !Objects.equals(s.snapshotId(), last) && chain.size() < MAX_CATCH_UP) {
      chain.add(s);
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    if (last != null && (s == null || chain.size() >= MAX_CATCH_UP)) {
      LOG.warn("{}: snapshot {} is no longer in the table's history; live streams continue from {}", productId,
          last, current.snapshotId());
      chain = List.of(current);
    }
    for (int i = chain.size() - 1; i >= 0; i--) {
      Snapshot snapshot = chain.get(i);
      Pending held;
      synchronized (c) {
        held = c.pending.get(snapshot.snapshotId());
      }
      // a compaction (replace) rewrites rows without changing any: nothing to read or send
      List<Record> rows = held != null ? held.rows()
          : org.apache.iceberg.DataOperations.REPLACE.equals(snapshot.operation()) ? List.of()
          : TableReader.changedRows(table, snapshot);
      synchronized (c) {
        // boxed on purpose: a conditional mixing Long and long unboxes, and last is null on an empty table
        Long before = i == chain.size() - 1 ? last : Long.valueOf(chain.get(i + 1).snapshotId());
        if (!Objects.equals(c.last, before)) {
          return; // the cursor was reset meanwhile (all subscribers left and one came back): start over
        }
        publish(productId, c, snapshot, rows);
      }
    }
  }

  private static Pending nextPending(Cursor c) {
    for (Pending p : c.pending.values()) {
      if (Objects.equals(p.snapshot().parentId(), c.last)) {
        return p;
      }
    }
    return null;
  }

  private void publish(String productId, Cursor c, Snapshot snapshot, List<Record> rows) {
    hub.publish(productId, snapshot, rows);
    c.last = snapshot.snapshotId();
    // and any held commit the cursor passed without it (after a jump to the current snapshot): else it would stay,
    // and every local commit after would read the table for nothing
    c.pending.values().removeIf(p -> p.snapshot().sequenceNumber() <= snapshot.sequenceNumber());
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
