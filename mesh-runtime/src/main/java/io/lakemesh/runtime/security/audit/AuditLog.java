package io.lakemesh.runtime.security.audit;

import io.lakemesh.runtime.storage.Warehouse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only, hash-chained audit trail. {@link #record} puts an event in a bounded in-memory queue and
 * returns; one writer thread numbers and chains the queued events and commits them to {@link AuditTable} in one
 * Iceberg commit per flush (every {@code flushInterval}, every {@code maxBatch} entries, on {@link #flush()} and
 * on {@link #close()}).
 *
 * <p>Nothing is dropped silently: when the queue is full (the table cannot keep up or is unavailable) a caller
 * blocks up to {@code maxBlock}, and then gets an {@link AuditUnavailableException}, so the request it audits
 * fails instead of going unrecorded. Sequence numbers and hashes are assigned at commit time, after the chain
 * head the table holds, so the chain continues across restarts and stays one line when several nodes share the
 * catalog (a commit that raced another node's is re-chained after it and retried).
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  /** The audit trail cannot take the event: the audited request must fail rather than go unrecorded. */
  public static final class AuditUnavailableException extends RuntimeException {
    public AuditUnavailableException(String message) {
      super(message);
    }
  }

  /** How the log buffers and commits. */
  public record Settings(Duration flushInterval, int maxBatch, int queueCapacity, Duration maxBlock) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(1), 1000, 100_000, Duration.ofSeconds(5));
    }

    public static Settings from(com.typesafe.config.Config audit) {
      return new Settings(audit.getDuration("flush-interval"), audit.getInt("max-batch"),
          audit.getInt("queue-capacity"), audit.getDuration("max-block"));
    }
  }

  /**
   * Work on the trail's table that the writer does after a commit, at most every {@code every}: without compacting
   * its files and expiring its old snapshots, each commit (one a second under traffic) would add a file and a
   * snapshot for good, and the table's metadata, rewritten at each commit, would grow without end.
   */
  public record Upkeep(Duration every, java.util.function.Consumer<org.apache.iceberg.Table> work) {
    public static final Upkeep NONE = new Upkeep(Duration.ofDays(36500), t -> { });
  }

  private record Pending(Instant time, AuditEvent event) {}

  private static final Pending FLUSH = new Pending(Instant.EPOCH, null);

  private final AuditTable table;
  private final Settings settings;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final Object progress = new Object();
  private final java.util.concurrent.atomic.AtomicLong recorded = new java.util.concurrent.atomic.AtomicLong();
  private long committed; // guarded by progress
  private volatile boolean closing;
  private volatile boolean flushRequested;
  private AuditChain.Head head;
  private Long headSnapshot;
  /** Since when (nanoTime) commits fail, and why; 0 while they land. */
  private volatile long failingSince;
  private volatile String failure;
  private volatile long failureSaid;
  /**
   * How long commits may fail before the log refuses new entries: a moment's failure is retried unseen, but entries
   * queued in memory meanwhile are lost if the node dies, so an outage must not let answered requests pile up.
   */
  static final Duration FAIL_CLOSED_AFTER = Duration.ofSeconds(5);
  private static final long SAY_FAILURE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Upkeep upkeep;
  private long upkeepDone = System.nanoTime();

  private AuditLog(AuditTable table, Settings settings, Upkeep upkeep) {
    this.table = table;
    this.settings = settings;
    this.upkeep = upkeep;
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    reloadHead();
    this.writer = new Thread(this::run, "lakemesh-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Opens (creating on first use) the audit table and continues its chain. */
  public static AuditLog open(Warehouse warehouse, Settings settings) {
    return open(warehouse, settings, Upkeep.NONE);
  }

  /** Opens (creating on first use) the audit table and continues its chain, keeping the table small. */
  public static AuditLog open(Warehouse warehouse, Settings settings, Upkeep upkeep) {
    AuditTable table = AuditTable.open(warehouse);
    // the node goes on (refusing to start would stop the audit of everything else), but says so at once rather
    // than when someone next runs audit verify
    table.rolledBack().ifPresent(r -> LOG.warn("the audit table was rolled back: its history ends at entry {}, while"
        + " a commit it no longer holds recorded entry {}; entries {} to {} are gone and new ones take their numbers"
        + " (lakemesh audit verify reports it)", r.keptSeq(), r.lostSeq(), r.keptSeq() + 1, r.lostSeq()));
    return new AuditLog(table, settings, upkeep);
  }

  public AuditTable table() {
    return table;
  }

  /**
   * Queues an event; returns at once unless the queue is full, then waits up to {@code maxBlock}.
   *
   * @throws AuditUnavailableException if the event could not be queued (closed log, or still full)
   */
  public void record(AuditEvent event) {
    record(event, false);
  }

  /**
   * Queues the entry of something that has happened already and cannot be refused any more (events Kafka has
   * acknowledged): also while the trail fails, so it is written once the trail is back, as long as the queue has
   * room.
   *
   * @throws AuditUnavailableException if the event could not be queued (closed log, or still full)
   */
  public void recordDone(AuditEvent event) {
    record(event, true);
  }

  private void record(AuditEvent event, boolean done) {
    if (closing) {
      throw new AuditUnavailableException("the audit log is closed");
    }
    Optional<String> unavailable = unavailable();
    if (unavailable.isPresent() && !done) {
      throw new AuditUnavailableException(unavailable.get() + "; retry later");
    }
    Pending pending = new Pending(Instant.now(), event);
    // counted before it is queued: a concurrent flush() may then wait one flush interval longer, never less
    recorded.incrementAndGet();
    boolean queued = false;
    try {
      queued = queue.offer(pending) || queue.offer(pending, settings.maxBlock().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!queued) {
        recorded.decrementAndGet();
      }
    }
    if (!queued) {
      LOG.error("audit queue full for {}: refusing {} on {} by {}", settings.maxBlock(), event.action().code(),
          event.product(), event.principal());
      throw new AuditUnavailableException("the audit trail is not keeping up; retry later");
    }
  }

  /**
   * Why the trail takes no entries now: its commits have failed for {@link #FAIL_CLOSED_AFTER} or longer (what a
   * not-ready answer says, and why audited requests are refused until they land again); empty while it works.
   */
  public Optional<String> unavailable() {
    long since = failingSince;
    if (since == 0 || System.nanoTime() - since < FAIL_CLOSED_AFTER.toNanos()) {
      return Optional.empty();
    }
    return Optional.of("the audit trail cannot be written for " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime()
        - since) + " s (" + waiting() + " entries wait): " + failure);
  }

  /** Entries recorded and not committed: those queued and the batch being retried. */
  private long waiting() {
    synchronized (progress) {
      return recorded.get() - committed;
    }
  }

  /** Commits everything recorded before this call; waits up to {@code timeout}. */
  public boolean flush(Duration timeout) {
    long target = recorded.get();
    flushRequested = true;
    queue.offer(FLUSH); // wakes the writer at once when there is room; otherwise it sees the flag within 50 ms
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (committed < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          // ask again each round: a backlog larger than one batch takes several commits
          flushRequested = true;
          TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  public boolean flush() {
    return flush(Duration.ofSeconds(30));
  }

  /** Stops taking events, commits what is queued and stops the writer. */
  @Override
  public void close() {
    closing = true;
    flushRequested = true;
    queue.offer(FLUSH);
    try {
      writer.join(Duration.ofMinutes(1).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.error("the audit writer did not finish within a minute; {} queued entries are not committed",
          queue.size());
    }
  }

  private void run() {
    List<Pending> batch = new ArrayList<>();
    long deadline = Long.MAX_VALUE;
    while (true) {
      boolean flushNow = false;
      try {
        long waitNanos = Math.min(TimeUnit.MILLISECONDS.toNanos(50),
            batch.isEmpty() ? Long.MAX_VALUE : Math.max(0, deadline - System.nanoTime()));
        Pending p = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
        if (p == FLUSH) {
          flushNow = true;
        } else if (p != null) {
          if (batch.isEmpty()) {
            deadline = System.nanoTime() + settings.flushInterval().toNanos();
          }
          batch.add(p);
        }
        // take what else is queued, up to the batch size; a flush marker among it flushes
        while (batch.size() < settings.maxBatch()) {
          Pending more = queue.poll();
          if (more == null) {
            break;
          }
          if (more == FLUSH) {
            flushNow = true;
          } else {
            batch.add(more);
          }
        }
      } catch (InterruptedException e) {
        flushNow = true;
      }
      if (flushRequested) {
        flushRequested = false;
        flushNow = true;
      }
      boolean done = closing && queue.isEmpty();
      if (!batch.isEmpty() && (flushNow || done || batch.size() >= settings.maxBatch()
          || System.nanoTime() >= deadline)) {
        if (commitWithRetries(batch, done)) {
          synchronized (progress) {
            committed += batch.size();
            progress.notifyAll();
          }
          batch.clear();
          deadline = Long.MAX_VALUE;
          if (!done && System.nanoTime() - upkeepDone >= upkeep.every().toNanos()) {
            upkeep();
          }
        }
      } else if (flushNow) {
        synchronized (progress) {
          progress.notifyAll();
        }
      }
      if (done && batch.isEmpty()) {
        return;
      }
      if (done) {
        LOG.error("giving up on {} audit entries that could not be committed at shutdown", batch.size());
        return;
      }
    }
  }

  /** Chains the batch after the current head and commits it; true when it landed. */
  private boolean commitWithRetries(List<Pending> batch, boolean finalAttempt) {
    int attempts = finalAttempt ? 5 : 3;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      List<AuditEntry> entries = chain(batch);
      try {
        table.commit(entries, headSnapshot);
        AuditEntry last = entries.get(entries.size() - 1);
        head = new AuditChain.Head(last.seq(), last.hash());
        headSnapshot = table.currentSnapshotId();
        if (failingSince != 0) {
          LOG.info("the audit trail is written again after {} s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime()
              - failingSince));
          failingSince = 0;
        }
        return true;
      } catch (ValidationException | CommitFailedException raced) {
        // another writer committed since our head: continue after theirs
        LOG.debug("audit commit raced another writer; re-chaining {} entries", entries.size());
        reloadHead();
      } catch (RuntimeException e) {
        failed(entries.size(), e);
        sleep(Math.min(5000, 200L * attempt * attempt));
        try {
          reloadHead();
        } catch (RuntimeException stillFailing) {
          failed(entries.size(), stillFailing);
        }
      }
    }
    return false;
  }

  /**
   * Notes a failed commit: the first of an outage is logged with its stack trace, the rest once a minute in a line
   * (an outage retried three times a second would flood the log).
   */
  private void failed(int entries, RuntimeException e) {
    long now = System.nanoTime();
    failure = e.toString();
    if (failingSince == 0) {
      failingSince = now;
      failureSaid = now;
      LOG.error("audit commit of {} entries failed; they stay queued and are retried; audited requests are refused"
          + " after {} s of this", entries, FAIL_CLOSED_AFTER.toSeconds(), e);
    } else if (now - failureSaid >= SAY_FAILURE_EVERY_NANOS) {
      failureSaid = now;
      LOG.error("the audit trail still cannot be written ({} s, {} entries wait): {}",
          TimeUnit.NANOSECONDS.toSeconds(now - failingSince), waiting(), failure);
    }
  }

  private List<AuditEntry> chain(List<Pending> batch) {
    List<AuditEntry> entries = new ArrayList<>(batch.size());
    long seq = head == null ? 0 : head.seq();
    String prev = head == null ? AuditEntry.GENESIS : head.hash();
    for (Pending p : batch) {
      AuditEntry e = AuditEntry.chain(++seq, p.time(), p.event(), prev);
      entries.add(e);
      prev = e.hash();
    }
    return entries;
  }

  /** Compacts and expires (see {@link Upkeep}); a failure is retried at the next interval, the trail goes on. */
  private void upkeep() {
    upkeepDone = System.nanoTime();
    try {
      table.keepHead();
      upkeep.work().accept(table.table());
    } catch (RuntimeException e) {
      LOG.warn("upkeep of the audit table failed; retried in {}: {}", upkeep.every(), e.toString());
    }
    try {
      // its commits are not the log's: the next one validates against the table as it is now
      reloadHead();
    } catch (RuntimeException e) {
      LOG.warn("reading the audit table after its upkeep failed: {}", e.toString());
    }
  }

  private void reloadHead() {
    Optional<AuditChain.Head> h = table.head();
    head = h.orElse(null);
    headSnapshot = table.currentSnapshotId();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
