package io.lakemesh.bench;

/**
 * One timed run of one contender.
 *
 * @param seconds       wall time from the start of consuming to the last commit (for lakemesh: silver and gold)
 * @param cpuSeconds    CPU time of the whole process in that window (broker included); 2 cores give at most 2/s
 * @param gcSeconds     time the collectors reported in that window
 * @param pollSeconds   wall time inside KafkaConsumer.poll
 * @param sourceSeconds wall time committing micro-batches (baseline: build rows, write, append; lakemesh:
 *                      SourceBatchCommitter.commit)
 * @param goldSeconds   wall time in GoldAggregator.run on the critical path (inline runs, the final catch-up)
 * @param rows          rows committed: baseline rows, or lakemesh silver + quarantine + duplicates dropped
 */
record RunResult(String variant, int round, boolean warmup, long events, double seconds, double cpuSeconds,
    double gcSeconds, double pollSeconds, double sourceSeconds, double goldSeconds, int batches, int goldRuns,
    long rows, Counts counts) {

  /** What lakemesh committed, for the correctness check; null for the baseline. */
  record Counts(long bronze, long silver, long quarantine, long duplicates, long silverTableRows,
      long quarantineTableRows, long bronzeTableRows, boolean goldCaughtUp) {

    boolean balanced(long events) {
      return silver + quarantine + duplicates == events && silverTableRows == silver
          && quarantineTableRows == quarantine && bronzeTableRows == events && bronze == events && goldCaughtUp;
    }
  }

  double eventsPerSecond() {
    return events / seconds;
  }
}
