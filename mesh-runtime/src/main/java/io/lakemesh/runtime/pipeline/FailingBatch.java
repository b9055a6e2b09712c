package io.lakemesh.runtime.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Which events of a batch that fails a critical rule are to blame, for an operator's resume past it: the batch is
 * halved while a part still fails, and an event that fails alone is isolated. What passed in parts is judged
 * together once more; if it still fails (a rule no single event breaks: a row count, a share only the whole batch
 * reaches) it is blamed as a whole. A bound the table already breaks with no event at all blames the batch without
 * halving it.
 *
 * @param <T> an event of the batch
 */
final class FailingBatch<T> {

  /** Judges a part of a batch by the critical rules: the failure, or null when the part passes. */
  interface Judge<T> {
    QualityGateException judge(List<T> part);

    /** Whether the rules fail with no event at all (a bound the table already breaks); false if it cannot tell. */
    default boolean emptyFails() {
      return false;
    }
  }

  /** An event to blame, and how it fails on its own (null: it fails only with others). */
  record Isolated<T>(T event, QualityGateException failure) {}

  /**
   * How many parts are judged at most: a sql rule writes and reads a part's files each time, and the partition
   * waits meanwhile. Beyond it, the parts still failing are blamed whole.
   */
  static final int MAX_JUDGEMENTS = 64;

  private final Judge<T> judge;
  private int judgementsLeft = MAX_JUDGEMENTS;
  private final List<T> passing = new ArrayList<>();
  private final List<Isolated<T>> blamed = new ArrayList<>();
  private QualityGateException batchFailure;

  /** @param failure how the whole batch failed */
  FailingBatch(List<T> events, QualityGateException failure, Judge<T> judge) {
    this.judge = judge;
    this.batchFailure = failure;
    if (judge.emptyFails()) {
      events.forEach(e -> blamed.add(new Isolated<>(e, null)));
    } else {
      isolate(events, failure);
    }
  }

  /** Judges more events of the batch (copies that take the place of blamed ones) as the first were judged. */
  void add(List<T> more) {
    if (!more.isEmpty()) {
      isolate(more, judge.judge(more));
    }
  }

  /** The events blamed so far. */
  List<Isolated<T>> blamed() {
    return blamed;
  }

  /**
   * Judges what passed in parts together; if it fails, it is blamed too. Returns the events that stay, and leaves
   * {@link #batchFailure} the failure to name for events blamed without a failure of their own.
   */
  List<T> settle() {
    QualityGateException together = passing.isEmpty() ? null : blamed.isEmpty() ? batchFailure
        : judge.judge(passing);
    if (together != null) {
      passing.forEach(e -> blamed.add(new Isolated<>(e, null)));
      passing.clear();
      batchFailure = together;
    }
    return passing;
  }

  /** How the batch (or what was left of it together) failed. */
  QualityGateException batchFailure() {
    return batchFailure;
  }

  private void isolate(List<T> part, QualityGateException failure) {
    if (part.isEmpty()) {
      return;
    }
    if (failure == null) {
      passing.addAll(part);
    } else if (part.size() == 1) {
      blamed.add(new Isolated<>(part.get(0), failure));
    } else if (judgementsLeft < 2) {
      part.forEach(e -> blamed.add(new Isolated<>(e, null)));
    } else {
      judgementsLeft -= 2;
      List<T> first = part.subList(0, part.size() / 2);
      List<T> second = part.subList(part.size() / 2, part.size());
      isolate(first, judge.judge(first));
      isolate(second, judge.judge(second));
    }
  }

  /** Runs checks that throw on a critical failure: the failure, or null when they pass. */
  static QualityGateException judged(Runnable checks) {
    try {
      checks.run();
      return null;
    } catch (QualityGateException failed) {
      return failed;
    }
  }
}
