package io.lakemesh.runtime.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.runtime.CelEvaluationException;
import io.lakemesh.contracts.cel.RowPredicate;
import io.lakemesh.runtime.pipeline.CommitListener;
import io.lakemesh.runtime.security.JsonMasks;
import io.lakemesh.runtime.security.ReadScope;
import io.lakemesh.runtime.serve.JsonRows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.data.Record;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * Fans each committed change of a product out to its live subscribers. Every subscriber has its own bounded
 * buffer: publishing never waits for a subscriber, so a slow one cannot slow the pipeline or the others. A
 * subscriber whose buffer is half full is told it is falling behind; one whose buffer is full is sent a closing
 * message and disconnected (it may reconnect and replay from the last snapshot it saw, without a gap).
 */
public final class ChangeHub implements CommitListener {
  static final int ROWS_PER_MESSAGE = 500;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ChangeHub.class);

  /** One live subscriber: its filter, the last table sequence number it has already seen, its buffer. */
  static final class Subscriber {
    final String productId;
    final RowPredicate filter;
    final long afterSequence;
    final BoundedSourceQueue<String> queue;
    final int limit;
    final AtomicBoolean warned = new AtomicBoolean();
    /** Whether the subscriber was told that its filter failed on a row (once per subscription). */
    final AtomicBoolean filterWarned = new AtomicBoolean();
    final AtomicBoolean closed = new AtomicBoolean();
    /**
     * A closing that cannot wait behind the buffered messages (the node shutting down, the caller's credential
     * withdrawn): the stream sends it next, ahead of a replay still running.
     */
    final java.util.concurrent.CompletableFuture<String> closeNow = new java.util.concurrent.CompletableFuture<>();
    final ReadScope scope;

    Subscriber(String productId, RowPredicate filter, long afterSequence, BoundedSourceQueue<String> queue,
        int limit, ReadScope scope) {
      this.scope = scope;
      this.productId = productId;
      this.filter = filter;
      this.afterSequence = afterSequence;
      this.queue = queue;
      this.limit = limit;
    }
  }

  private final Map<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
  private volatile ChangeFollower follower;
  private final Map<String, java.util.concurrent.atomic.AtomicLong> published = new ConcurrentHashMap<>();

  /** Rows of a product published to subscribers so far (for tests and metrics). */
  long publishedRows(String productId) {
    var n = published.get(productId);
    return n == null ? 0 : n.get();
  }

  void add(Subscriber s) {
    subscribers.computeIfAbsent(s.productId, k -> ConcurrentHashMap.newKeySet()).add(s);
  }

  void remove(Subscriber s) {
    Set<Subscriber> set = subscribers.get(s.productId);
    if (set != null) {
      set.remove(s);
    }
  }

  public int subscriberCount(String productId) {
    Set<Subscriber> set = subscribers.get(productId);
    return set == null ? 0 : set.size();
  }

  /**
   * Follows the products' tables, so that commits made by other nodes reach this node's subscribers too, in the
   * tables' snapshot order. Without it only commits reported to {@link #committed} are published.
   *
   * @param tables a product's served table, freshly loaded
   */
  public void follow(java.util.function.Function<String, org.apache.iceberg.Table> tables,
      java.time.Duration poll) {
    this.follower = new ChangeFollower(this, tables, poll);
  }

  /**
   * Registers a subscriber after every commit published so far and returns the snapshot it starts after (null
   * for an empty table); {@code subscriber} makes the subscriber from that snapshot.
   */
  Snapshot subscribe(String productId, org.apache.iceberg.Table table,
      java.util.function.Function<Snapshot, Subscriber> subscriber) {
    if (follower == null) {
      Snapshot current = table.currentSnapshot();
      add(subscriber.apply(current));
      return current;
    }
    return follower.subscribe(productId, table, start -> add(subscriber.apply(start)));
  }

  /** A commit made in this process, with the rows it added or changed. */
  @Override
  public void committed(String productId, Snapshot snapshot, List<Record> rows) {
    if (follower != null) {
      follower.local(productId, snapshot, rows);
    } else {
      publish(productId, snapshot, rows);
    }
  }

  /** Sends a commit's rows to the product's subscribers that have not seen it. */
  void publish(String productId, Snapshot snapshot, List<Record> rows) {
    Set<Subscriber> set = subscribers.get(productId);
    if (set == null || set.isEmpty() || rows.isEmpty()) {
      return;
    }
    // render each row once, whatever the number of subscribers
    List<String> rendered = new ArrayList<>(rows.size());
    for (Record r : rows) {
      rendered.add(JsonRows.row(r, List.of()).toString());
    }
    Instant now = Instant.now();
    for (Subscriber s : set) {
      if (s.closed.get() || snapshot.sequenceNumber() <= s.afterSequence) {
        continue;
      }
      List<String> selected = new ArrayList<>();
      String filterError = null;
      for (int i = 0; i < rows.size(); i++) {
        // the subscriber's row filters first: its own filter (and the errors it is told of) sees only its rows
        String visible = s.scope.unrestricted() ? rendered.get(i) : render(rows.get(i), s.scope);
        if (visible == null) {
          continue;
        }
        boolean match;
        try {
          match = s.filter == null || s.filter.test(rows.get(i), now);
        } catch (CelEvaluationException e) {
          match = false; // a row the filter cannot evaluate does not match it; the subscriber is told once
          if (s.filter.absentBehind(e, rows.get(i)).isEmpty()) { // lacking a value the filter reads is no error
            filterError = filterError == null ? s.filter.describe(e) : filterError;
          }
        }
        if (match) {
          selected.add(visible);
        }
      }
      if (filterError != null && s.filterWarned.compareAndSet(false, true)) {
        offer(s, filterError(filterError));
      }
      offerSnapshot(s, messages("change", productId, snapshot, selected));
    }
    // counted once every subscriber has been offered the rows: a reader of the count may close the streams
    published.computeIfAbsent(productId, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(rows.size());
  }

  static List<String> messages(String type, String productId, Snapshot snapshot, List<String> rows) {
    List<String> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); from += ROWS_PER_MESSAGE) {
      List<String> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_MESSAGE));
      StringBuilder sb = new StringBuilder(64 + chunk.size() * 256);
      sb.append("{\"type\":\"").append(type).append("\",\"product\":\"").append(productId).append('"');
      if (snapshot != null) {
        // a string: snapshot ids exceed 2^53, where JavaScript's numbers lose digits
        sb.append(",\"snapshot\":\"").append(snapshot.snapshotId()).append('"')
            .append(",\"sequence\":").append(snapshot.sequenceNumber())
            .append(",\"committedAt\":\"").append(Instant.ofEpochMilli(snapshot.timestampMillis())).append('"');
      }
      if (rows.size() > ROWS_PER_MESSAGE) {
        // a commit of more rows than one message holds comes in parts: the last part completes the snapshot
        sb.append(",\"part\":").append(from / ROWS_PER_MESSAGE + 1).append(",\"parts\":")
            .append((rows.size() + ROWS_PER_MESSAGE - 1) / ROWS_PER_MESSAGE);
      }
      sb.append(",\"rows\":[").append(String.join(",", chunk)).append("]}");
      out.add(sb.toString());
    }
    return out;
  }

  /** The row as the scope shows it (masked), or null when the scope hides it. */
  static String render(Record row, ReadScope scope) {
    if (scope.unrestricted()) {
      return JsonRows.row(row, List.of()).toString();
    }
    java.util.Optional<Map<String, io.lakemesh.contracts.policy.ColumnMask>> masks = scope.masks(row);
    if (masks.isEmpty()) {
      return null;
    }
    ObjectNode node = JsonRows.row(row, List.of());
    JsonMasks.apply(node, masks.get());
    return node.toString();
  }

  /** The control message telling a subscriber that its filter failed on rows, which were left out. */
  static String filterError(String error) {
    return control("filter_error", "the filter could not be evaluated on some rows (a division by zero, a failed"
        + " conversion, ...), which are left out: " + error, 0);
  }

  /**
   * Offers all the messages of one snapshot, or none: a subscriber without room for the whole snapshot is closed
   * before its first part, so the last snapshot it received is complete and {@code from=snapshot:<it>} resumes
   * without a gap.
   */
  private void offerSnapshot(Subscriber s, List<String> parts) {
    if (parts.size() > 1 && !s.closed.get() && s.queue.size() > 0 && s.queue.size() + parts.size() > s.limit) {
      overflow(s);
      return;
    }
    for (String part : parts) {
      offer(s, part);
    }
  }

  private void overflow(Subscriber s) {
    // full: tell it why, then close; the two reserved slots hold these last messages
    s.closed.set(true);
    s.queue.offer(control("closing", "subscriber too slow: " + s.limit + " messages buffered; reconnect with"
        + " from=snapshot:<last snapshot you received> to resume without a gap", 4008));
    s.queue.complete();
    remove(s);
  }

  private void offer(Subscriber s, String message) {
    if (s.closed.get()) {
      return;
    }
    if (s.queue.size() >= s.limit) {
      overflow(s);
      return;
    }
    QueueOfferResult result = s.queue.offer(message);
    if (result != QueueOfferResult.enqueued()) {
      // closed: the client went away (nothing to tell); anything else must not leave an open stream gone quiet
      s.closed.set(true);
      remove(s);
      if (result != QueueOfferResult.closed()) {
        LOG.warn("a live stream of {} could not take a message ({}); it is closed", s.productId, result);
        s.queue.complete();
      }
      return;
    }
    if (s.queue.size() >= s.limit / 2 && s.warned.compareAndSet(false, true)) {
      s.queue.offer(control("lagging", "falling behind: " + s.queue.size() + " of " + s.limit
          + " messages buffered", 0));
    }
  }

  static String control(String type, String detail, int code) {
    ObjectNode n = JSON.createObjectNode().put("type", type).put("detail", detail);
    if (code > 0) {
      n.put("code", code);
    }
    return n.toString();
  }

  /** Closes every subscription cleanly (node shutdown) and stops following. */
  public void closeAll() {
    if (follower != null) {
      follower.close();
    }
    for (Set<Subscriber> set : subscribers.values()) {
      for (Subscriber s : set) {
        if (s.closed.compareAndSet(false, true)) {
          s.closeNow.complete(control("closing", "the node is shutting down", 1001));
          s.queue.complete();
        }
      }
      set.clear();
    }
  }
}
