package io.lakemesh.runtime.cli;

import io.lakemesh.runtime.simulate.TrafficSource;
import io.lakemesh.runtime.simulate.TrafficSource.EventKind;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Sends a fixed number of events as NDJSON batches, paced to a rate, with at most {@link #MAX_IN_FLIGHT} posts
 * outstanding.
 *
 * <p>The event count is fixed up front (rate × duration) rather than "send until the clock runs out", so a run
 * under backpressure takes longer but still delivers everything it promised, and tests need no timing.
 * Events are generated on the calling thread only, because {@link TrafficSource}s need not be thread-safe.
 */
final class TrafficRun {

    /** A few posts in flight hide the round trip; more would only queue inside the node. */
    static final int MAX_IN_FLIGHT = 4;

    /** Where one source's batches go. */
    record Target(TrafficSource source, URI endpoint) {}

    record Plan(List<Target> targets, long events, int batchSize, int rate, double badRatio, double dupRatio) {}

    /** How a run went so far; every sent event ends up accepted, rejected or unconfirmed. */
    record Counts(
            long sentEvents,
            long sentBatches,
            long acceptedEvents,
            long rejectedEvents,
            long rejectedBatches,
            long answeredBatches,
            long unconfirmedEvents,
            long retries,
            long invalidEvents,
            long duplicateEvents,
            Map<Integer, Rejections> rejectionsByStatus,
            Optional<String> unreachable,
            Duration elapsed) {}

    /** How often a status was answered, and the first reason the node gave for it. */
    record Rejections(long batches, String firstReason) {}

    private final Plan plan;
    private final BatchPoster poster;

    private final LongAdder sentEvents = new LongAdder();
    private final LongAdder sentBatches = new LongAdder();
    private final LongAdder acceptedEvents = new LongAdder();
    private final LongAdder rejectedEvents = new LongAdder();
    private final LongAdder rejectedBatches = new LongAdder();
    private final LongAdder answeredBatches = new LongAdder();
    private final LongAdder unconfirmedEvents = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder invalidEvents = new LongAdder();
    private final LongAdder duplicateEvents = new LongAdder();
    private final ConcurrentMap<Integer, Rejections> rejectionsByStatus = new ConcurrentHashMap<>();
    private volatile String unreachable;
    private volatile long startNanos;
    private volatile long endNanos;

    TrafficRun(Plan plan, BatchPoster poster) {
        this.plan = plan;
        this.poster = poster;
    }

    /**
     * Runs to the end, or until the node is unreachable; {@code progress} sees the counts after every post and
     * every answer, from several threads.
     */
    Counts run(RandomGenerator random, Consumer<Counts> progress) throws InterruptedException {
        Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
        ExecutorService posters = Executors.newFixedThreadPool(MAX_IN_FLIGHT, task -> {
            Thread thread = new Thread(task, "simulate-post");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(1, Math.round(plan.batchSize() * 1e9 / plan.rate()));
        startNanos = System.nanoTime();
        try {
            long next = startNanos;
            long sent = 0;
            for (long n = 0; sent < plan.events(); n++) {
                Target target = plan.targets().get((int) (n % plan.targets().size()));
                int size = (int) Math.min(plan.batchSize(), plan.events() - sent);
                // generate before waiting, so generation time does not slow the pace
                Batch batch = batch(target.source(), size, random);
                sleepUntil(next);
                inFlight.acquire();
                if (unreachable != null) {
                    inFlight.release();
                    break;
                }
                // counted before the post, so no answer is ever counted ahead of its batch
                sent += size;
                sentEvents.add(size);
                sentBatches.increment();
                invalidEvents.add(batch.invalid());
                duplicateEvents.add(batch.duplicates());
                progress.accept(counts());
                posters.execute(() -> {
                    try {
                        deliver(target.endpoint(), batch, progress);
                    } finally {
                        inFlight.release();
                    }
                });
                // after a stall (backpressure) resume the pace from now instead of bursting to catch up
                next = Math.max(next + interval, System.nanoTime());
            }
            inFlight.acquire(MAX_IN_FLIGHT);
        } finally {
            posters.shutdownNow();
            posters.awaitTermination(5, TimeUnit.SECONDS);
        }
        endNanos = System.nanoTime();
        return counts();
    }

    /** One POST body: {@code size} NDJSON lines, of which {@code invalid} and {@code duplicates} are bad on purpose. */
    private record Batch(String body, int size, int invalid, int duplicates) {}

    /** Whether a valid event was made yet: a re-send needs one to repeat. */
    private boolean madeValid;

    private Batch batch(TrafficSource source, int size, RandomGenerator random) {
        StringBuilder body = new StringBuilder(size * 512);
        int invalid = 0;
        int duplicates = 0;
        for (int i = 0; i < size; i++) {
            EventKind kind = kind(random);
            if (kind == EventKind.DUPLICATE && !madeValid) {
                kind = EventKind.VALID; // nothing to re-send yet: the source makes a fresh event, counted as one
            }
            madeValid |= kind == EventKind.VALID;
            String event = source.nextEvent(random, kind);
            if (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0) {
                throw new IllegalStateException("traffic source " + source.getClass().getName()
                        + " returned an event with a line break; NDJSON needs one event per line");
            }
            if (kind == EventKind.INVALID) {
                invalid++;
            } else if (kind == EventKind.DUPLICATE) {
                duplicates++;
            }
            body.append(event).append('\n');
        }
        return new Batch(body.toString(), size, invalid, duplicates);
    }

    private EventKind kind(RandomGenerator random) {
        double draw = random.nextDouble();
        if (draw < plan.badRatio()) {
            return EventKind.INVALID;
        }
        return draw < plan.badRatio() + plan.dupRatio() ? EventKind.DUPLICATE : EventKind.VALID;
    }

    private void deliver(URI endpoint, Batch batch, Consumer<Counts> progress) {
        int size = batch.size();
        BatchPoster.Outcome outcome;
        try {
            // a node pushing back (503) shows as retries climbing while nothing more is sent
            outcome = poster.post(endpoint, batch.body(), size, () -> {
                retries.increment();
                progress.accept(counts());
            });
        } catch (InterruptedException e) {
            // only the run's own shutdown interrupts a poster; the batch's fate is then unknown
            Thread.currentThread().interrupt();
            unconfirmedEvents.add(size);
            return;
        }
        if (outcome instanceof BatchPoster.Accepted accepted) {
            answeredBatches.increment();
            acceptedEvents.add(accepted.events());
        } else if (outcome instanceof BatchPoster.Rejected rejected) {
            answeredBatches.increment();
            rejectedBatches.increment();
            rejectedEvents.add(size);
            rejectionsByStatus.merge(rejected.status(), new Rejections(1, rejected.reason()),
                    (seen, again) -> new Rejections(seen.batches() + 1, seen.firstReason()));
            if (rejected.status() == 401 || rejected.status() == 403 || rejected.status() == 404) {
                // no such product, or no right to post to it: every later batch would get the same answer
                unreachable = "HTTP " + rejected.status() + " (" + rejected.reason() + "): stopped, every batch"
                        + " would get the same answer";
            }
        } else if (outcome instanceof BatchPoster.Unreachable down) {
            unconfirmedEvents.add(size);
            unreachable = down.reason();
        }
        progress.accept(counts());
    }

    /**
     * The counts so far, for a run cut short (Ctrl-C): events sent whose answer has not come count as unconfirmed,
     * since the node may or may not have taken them.
     */
    Counts countsSoFar() {
        Counts now = counts();
        long inFlight = now.sentEvents() - now.acceptedEvents() - now.rejectedEvents() - now.unconfirmedEvents();
        return new Counts(now.sentEvents(), now.sentBatches(), now.acceptedEvents(), now.rejectedEvents(),
                now.rejectedBatches(), now.answeredBatches(), now.unconfirmedEvents() + Math.max(0, inFlight),
                now.retries(), now.invalidEvents(), now.duplicateEvents(), now.rejectionsByStatus(),
                now.unreachable(), now.elapsed());
    }

    private Counts counts() {
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        return new Counts(
                sentEvents.sum(),
                sentBatches.sum(),
                acceptedEvents.sum(),
                rejectedEvents.sum(),
                rejectedBatches.sum(),
                answeredBatches.sum(),
                unconfirmedEvents.sum(),
                retries.sum(),
                invalidEvents.sum(),
                duplicateEvents.sum(),
                new TreeMap<>(rejectionsByStatus),
                Optional.ofNullable(unreachable),
                Duration.ofNanos(end - startNanos));
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
