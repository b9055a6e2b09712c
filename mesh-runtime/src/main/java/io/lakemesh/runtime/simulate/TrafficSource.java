package io.lakemesh.runtime.simulate;

import java.util.random.RandomGenerator;

/**
 * Makes synthetic events for one data product, so that {@code lakemesh simulate} can load a mesh node with
 * traffic that looks like production, including the bad and repeated input the pipeline has to quarantine and
 * deduplicate.
 *
 * <p>A domain module implements it and lists the class in
 * {@code META-INF/services/io.lakemesh.runtime.simulate.TrafficSource}; it needs a public no-argument
 * constructor. The simulator calls a source from one thread only, so implementations need not be thread-safe.
 * All randomness should come from the given generator, so that a seed reproduces a run (apart from the clock).
 */
public interface TrafficSource {

    /** The data product these events are posted to, e.g. {@code retail.transactions}. */
    String productId();

    /**
     * The next event as one JSON object on a single line (it is sent as NDJSON).
     *
     * @param random the only source of randomness
     * @param kind what the event must be; the simulator decides the mix
     */
    String nextEvent(RandomGenerator random, EventKind kind);

    /** What {@link #nextEvent} has to produce. */
    enum EventKind {
        /** An event the product's contract accepts. */
        VALID,
        /**
         * A byte-identical re-send of an earlier valid event, as a producer retrying after a lost
         * acknowledgement sends it. A source that has made no valid event yet returns a fresh valid one.
         */
        DUPLICATE,
        /** An event the product's contract rejects; the source picks the reason among those it knows. */
        INVALID
    }
}
