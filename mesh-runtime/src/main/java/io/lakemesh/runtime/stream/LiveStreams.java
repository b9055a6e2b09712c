package io.lakemesh.runtime.stream;

import io.lakemesh.contracts.cel.InvalidExpressionException;
import io.lakemesh.contracts.cel.RowExpressions;
import io.lakemesh.contracts.cel.RowPredicate;
import io.lakemesh.contracts.model.Stage;
import io.lakemesh.contracts.validate.Timestamps;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.security.ReadScope;
import io.lakemesh.runtime.serve.JsonRows;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Opens live streams of a product's committed changes: first a replay (from a snapshot or a time, or nothing for
 * "now"), then every later commit, without a gap or a repeat — the live subscription is registered before the
 * replay is read, and live changes at or before the replayed snapshot's sequence number are skipped.
 */
public final class LiveStreams {
  private final Warehouse warehouse;
  private final ChangeHub hub;
  private final ActorSystem<?> system;
  private final Executor io;
  private final int bufferMessages;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LiveStreams.class);

  private final int maxReplayRows;

  /** A stream request that cannot be served; the message says why. */
  public static final class BadStreamRequest extends Exception {
    private final int status;
    private final String slug;

    public BadStreamRequest(String message) {
      this(400, "bad-stream-request", message);
    }

    public BadStreamRequest(int status, String slug, String message) {
      super(message);
      this.status = status;
      this.slug = slug;
    }

    public int status() {
      return status;
    }

    public String slug() {
      return slug;
    }
  }

  private final StreamQuota quota;

  /** @param quota how many streams a caller, and the node, may hold open at once */
  public LiveStreams(Warehouse warehouse, ChangeHub hub, ActorSystem<?> system, Executor io, int bufferMessages,
      int maxReplayRows, StreamQuota quota) {
    this.warehouse = warehouse;
    this.hub = hub;
    this.system = system;
    this.io = io;
    this.bufferMessages = bufferMessages;
    this.maxReplayRows = maxReplayRows;
    this.quota = quota;
  }

  /** Where a stream starts: now (no replay), after a snapshot, or from a point in time. */
  sealed interface From {
    record Now() implements From {}

    record AfterSnapshot(long snapshotId) implements From {}

    record Since(Instant time) implements From {}
  }

  static From parseFrom(String text) throws BadStreamRequest {
    if (text == null || text.isBlank() || text.equals("now")) {
      return new From.Now();
    }
    if (text.equals("beginning")) {
      // as the replay endpoint means it: everything, i.e. the commits kept, or the current state when older ones
      // have expired, then live
      return new From.Since(Instant.EPOCH);
    }
    if (text.startsWith("snapshot:")) {
      try {
        return new From.AfterSnapshot(Long.parseLong(text.substring("snapshot:".length())));
      } catch (NumberFormatException e) {
        throw new BadStreamRequest("from=snapshot:<id> needs a numeric snapshot id");
      }
    }
    try {
      return new From.Since(Instant.parse(text));
    } catch (DateTimeParseException e) {
      throw new BadStreamRequest("from must be 'now', 'beginning', 'snapshot:<id>' or an ISO-8601 time such as"
          + " 2026-11-25T08:00:00Z or 2026-11-25T16:00:00%2B08:00; got '" + text + "'"
          + Timestamps.plusReadAsSpaceHint(text));
    }
  }

  /** How often a subscription asks whether its caller's credential still holds. */
  private static final java.time.Duration CREDENTIAL_CHECK = java.time.Duration.ofSeconds(1);

  /**
   * The messages of a new subscription, as text frames' payloads, counted against {@code caller}'s share of the
   * {@link StreamQuota} until the stream ends. Validates the request before upgrading.
   *
   * @param withdrawn why the caller's credential no longer holds (a revoked key, an expired token), or empty while it
   *     does: asked every second, the subscription closes with 1008 once it answers
   */
  public Source<String, NotUsed> open(Product product, String filter, String from, ReadScope scope,
      java.util.function.Supplier<java.util.Optional<String>> withdrawn, String caller) throws BadStreamRequest {
    Runnable release = quota.take(caller);
    try {
      return opened(product, filter, from, scope, withdrawn).watchTermination((mat, done) -> {
        done.whenComplete((d, e) -> release.run());
        return mat;
      });
    } catch (BadStreamRequest | RuntimeException e) {
      release.run();
      throw e;
    }
  }

  private Source<String, NotUsed> opened(Product product, String filter, String from, ReadScope scope,
      java.util.function.Supplier<java.util.Optional<String>> withdrawn) throws BadStreamRequest {
    RowPredicate predicate = null;
    if (filter != null && !filter.isBlank()) {
      try {
        predicate = RowExpressions.forFields(product.contract().table().fields()).compile(filter);
      } catch (InvalidExpressionException e) {
        throw new BadStreamRequest("the filter cannot be used on " + product.id() + ": "
            + e.getMessage().replace('\n', ' '));
      }
      java.util.Optional<String> refusal = scope.filterRefusal(predicate);
      if (refusal.isPresent()) {
        throw new BadStreamRequest(403, "masked-column", refusal.get());
      }
    }
    From start = parseFrom(from);
    Table table = StageTables.served(warehouse, product);
    table.refresh();
    if (start instanceof From.AfterSnapshot after && table.snapshot(after.snapshotId()) == null) {
      throw new BadStreamRequest("snapshot " + after.snapshotId() + " is not in " + product.id()
          + "'s history (expired or never existed)");
    }
    Pair<BoundedSourceQueue<String>, Source<String, NotUsed>> live =
        Source.<String>queue(bufferMessages + 2).preMaterialize(system);
    RowPredicate rowFilter = predicate;
    // live changes start right after the snapshot the replay ends with: no gap, no repeat
    java.util.concurrent.atomic.AtomicReference<ChangeHub.Subscriber> registered =
        new java.util.concurrent.atomic.AtomicReference<>();
    Snapshot current = hub.subscribe(product.id(), table, at -> {
      registered.set(new ChangeHub.Subscriber(product.id(), rowFilter, at == null ? 0 : at.sequenceNumber(),
          live.first(), bufferMessages, scope));
      return registered.get();
    });
    ChangeHub.Subscriber subscriber = registered.get();
    List<Snapshot> commits = product.stage() == Stage.SOURCE && current != null && !(start instanceof From.Now)
        ? commitsAfter(table, current, start) : null;
    if (start instanceof From.AfterSnapshot after && product.stage() == Stage.SOURCE && current != null
        && commits == null) {
      // the snapshot is kept (a partition's newest, by its tag) but commits after it have expired: the replay
      // could only be the whole table, which would repeat what the client had
      hub.remove(subscriber);
      throw new BadStreamRequest("the history after snapshot " + after.snapshotId() + " of " + product.id()
          + " has expired (snapshots are kept for lakemesh.pipeline.snapshot-retention.max-age): reconnect with"
          + " from=<the time of the last change received>");
    }
    long sequence = current == null ? 0 : current.sequenceNumber();
    // snapshot ids are strings: they exceed 2^53, where JavaScript's numbers lose digits
    String hello = "{\"type\":\"subscribed\",\"product\":\"" + product.id() + "\",\"snapshot\":"
        + (current == null ? "null" : "\"" + current.snapshotId() + "\"") + ",\"sequence\":" + sequence + "}";
    Source<String, NotUsed> replay = start instanceof From.Now || current == null
        ? Source.empty()
        : replay(product, table, current, commits, rowFilter, scope, subscriber.filterWarned);
    Source<String, NotUsed> credentialChecks = Source.tick(CREDENTIAL_CHECK, CREDENTIAL_CHECK, "")
        .map(tick -> withdrawn.get())
        .filter(java.util.Optional::isPresent)
        .take(1)
        .map(why -> ChangeHub.control("closing", why.get() + ": the subscription ends; reconnect with a valid"
            + " credential and from=snapshot:<the last snapshot received>", 1008))
        .mapMaterializedValue(cancellable -> NotUsed.getInstance());
    return Source.single(hello).concat(replay).concat(live.second())
        // a closing that cannot wait comes next, even in the middle of a replay
        .merge(Source.completionStage(subscriber.closeNow).merge(credentialChecks))
        // a closing message ends the stream: nothing after it reaches the client (a replay that failed stops there)
        .takeWhile(message -> !message.startsWith(CLOSING), true)
        .watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> hub.remove(subscriber));
          return mat;
        });
  }

  /**
   * The replay's messages. A source product's replay goes commit by commit, so each message carries the snapshot
   * and commit time its rows were committed with (a client may resume from any of them); it reads one commit at a
   * time, as the subscriber takes the messages, so it has no size limit. A derived product's replay is its current
   * state, at the current snapshot, read whole: up to {@code maxReplayRows} rows.
   */
  private Source<String, NotUsed> replay(Product product, Table table, Snapshot current, List<Snapshot> commits,
      RowPredicate filter, ReadScope scope, java.util.concurrent.atomic.AtomicBoolean filterWarned) {
    ReplayMessages out = new ReplayMessages(product.id(), filter, scope, filterWarned);
    if (commits != null) {
      // one commit's messages at a time (in order): a replay of a busy hour is not held in memory, nor cut short
      return Source.from(commits)
          .filter(s -> DataOperations.APPEND.equals(s.operation()))
          .mapAsync(1, s -> CompletableFuture.supplyAsync(() -> {
            try {
              return out.commit(s, TableReader.readAdded(table, s));
            } catch (RuntimeException e) {
              return List.of(replayFailed(product, s, e));
            }
          }, io))
          .mapConcat(list -> list);
    }
    return Source.completionStage(CompletableFuture.supplyAsync(() -> {
      try {
        return currentState(product, table, current, out);
      } catch (RuntimeException e) {
        return List.of(replayFailed(product, current, e));
      }
    }, io)).mapConcat(list -> list);
  }

  private static final String CLOSING = "{\"type\":\"closing\"";

  /**
   * The closing message of a replay that could not read a commit (its files gone with an expired snapshot, the
   * catalog unreachable): the client learns why, and where to resume, instead of a bare 1011.
   */
  private static String replayFailed(Product product, Snapshot snapshot, RuntimeException e) {
    LOG.warn("{}: a stream replay could not read snapshot {}: {}", product.id(), snapshot.snapshotId(),
        e.toString());
    return ChangeHub.control("closing", "the replay could not read snapshot " + snapshot.snapshotId() + " (expired,"
        + " or the catalog is unreachable): reconnect with from=snapshot:<the last replay or change snapshot"
        + " received> or from=<a time>", 1011);
  }

  /** The replay of the table as of {@code current}, whole (a gold product's, or one from before the history kept). */
  private static List<String> currentState(Product product, Table table, Snapshot current, ReplayMessages out) {
    List<String> messages = new ArrayList<>();
    if (product.stage() == Stage.SOURCE) {
      // the start lies before the history kept: commit by commit is no longer possible, so say what comes instead
      messages.add(ChangeHub.control("replay-current-state", "the history kept does not reach back to the"
          + " start asked for (snapshots are kept for lakemesh.pipeline.snapshot-retention.max-age): the replay is"
          + " the table as of snapshot " + current.snapshotId() + ", then live", 0));
    }
    messages.addAll(out.currentState(current, TableReader.read(table)));
    return messages;
  }

  /** Renders replay messages of one subscription, snapshot by snapshot (one at a time, in order). */
  private final class ReplayMessages {
    private final String productId;
    private final RowPredicate filter;
    private final ReadScope scope;
    private final Instant now = Instant.now();
    /** Whether the subscriber was told that the filter failed on rows (once per subscription, replay and live). */
    private final java.util.concurrent.atomic.AtomicBoolean filterWarned;

    ReplayMessages(String productId, RowPredicate filter, ReadScope scope,
        java.util.concurrent.atomic.AtomicBoolean filterWarned) {
      this.productId = productId;
      this.filter = filter;
      this.scope = scope;
      this.filterWarned = filterWarned;
    }

    /** The messages of the rows one commit added, as many as they are. */
    List<String> commit(Snapshot snapshot, CloseableIterable<Record> records) {
      List<String> messages = new ArrayList<>();
      List<String> rows = rows(records, Integer.MAX_VALUE, messages);
      messages.addAll(ChangeHub.messages("replay", productId, snapshot, rows));
      return messages;
    }

    /**
     * The messages of the table as of {@code snapshot}, up to the replay's row limit; past it, the rows sent are
     * followed by a notice that the state is incomplete.
     */
    List<String> currentState(Snapshot snapshot, CloseableIterable<Record> records) {
      List<String> messages = new ArrayList<>();
      // the limit and one more, to know the state is larger (an operator's Integer.MAX_VALUE must not overflow)
      List<String> rows = rows(records, maxReplayRows == Integer.MAX_VALUE ? maxReplayRows : maxReplayRows + 1,
          messages);
      boolean full = rows.size() > maxReplayRows;
      messages.addAll(ChangeHub.messages("replay", productId, snapshot,
          full ? rows.subList(0, maxReplayRows) : rows));
      if (full) {
        messages.add(ChangeHub.control("replay-truncated", "the replay of the current state stops after "
            + maxReplayRows + " rows (lakemesh.stream.max-replay-rows), so the rows above are not all of it;"
            + " narrow it with a filter", 0));
      }
      return messages;
    }

    /** Up to {@code limit} rows the caller sees and the filter accepts, rendered; a filter failure is said once. */
    private List<String> rows(CloseableIterable<Record> records, int limit, List<String> messages) {
      List<String> rendered = new ArrayList<>();
      try (records) {
        for (Record r : records) {
          if (rendered.size() >= limit) {
            break;
          }
          // the caller's row filters first: its own filter (and the error it is told of) sees only its rows
          String row = scope.unrestricted() ? null : ChangeHub.render(r, scope);
          if (row == null && !scope.unrestricted()) {
            continue;
          }
          boolean match;
          try {
            match = filter == null || filter.test(r, now);
          } catch (dev.cel.runtime.CelEvaluationException e) {
            match = false; // left out, and said once (lacking a value the filter reads is no error)
            if (filter.absentBehind(e, r).isEmpty() && filterWarned.compareAndSet(false, true)) {
              messages.add(ChangeHub.filterError(filter.describe(e)));
            }
          }
          if (!match) {
            continue;
          }
          rendered.add(row != null ? row : ChangeHub.render(r, scope)); // the admin's: rendered only on a match
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return rendered;
    }
  }

  /**
   * The snapshots after the replay's start up to {@code current}, oldest first; null when the replay must read the
   * whole table instead (it starts before the first snapshot still in the history).
   */
  private static List<Snapshot> commitsAfter(Table table, Snapshot current, From start) {
    Long fromExclusive;
    if (start instanceof From.AfterSnapshot after) {
      fromExclusive = after.snapshotId();
    } else if (start instanceof From.Since since) {
      fromExclusive = lastSnapshotBefore(table, current, since.time());
    } else {
      fromExclusive = current.snapshotId();
    }
    List<Snapshot> chain = new ArrayList<>();
    Snapshot s = current;
    while (s != null && !Long.valueOf(s.snapshotId()).equals(fromExclusive)) {
      chain.add(s);
      if (s.parentId() == null) {
        // reached the first snapshot: complete only if the replay was meant to start before it
        return fromExclusive == null ? reversed(chain) : null;
      }
      s = table.snapshot(s.parentId());
    }
    return s == null ? null : reversed(chain); // null: an ancestor has expired
  }

  private static List<Snapshot> reversed(List<Snapshot> chain) {
    java.util.Collections.reverse(chain);
    return chain;
  }

  /** The newest snapshot committed before {@code time} on the current branch, or null when there is none. */
  private static Long lastSnapshotBefore(Table table, Snapshot current, Instant time) {
    Snapshot s = current;
    while (s != null) {
      if (s.timestampMillis() < time.toEpochMilli()) {
        return s.snapshotId();
      }
      s = s.parentId() == null ? null : table.snapshot(s.parentId());
    }
    return null;
  }
}
