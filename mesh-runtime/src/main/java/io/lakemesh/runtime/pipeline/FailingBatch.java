package io.lakemesh.runtime.pipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * Which events of a batch that fails a critical rule are to blame, for an operator's resume past it: the batch is
 * halved while a part still fails, and an event that fails alone is isolated. What passed in parts is judged
 * together once more; if it still fails (a rule no single event breaks: a repeat of a value, a row-count cap) its
 * events are kept in order while the ones kept pass, and each event that makes them fail is blamed (the second of
 * two events with the same value, the events beyond the cap), found by bisection. What is not told apart within
 * {@link #MAX_JUDGEMENTS} is blamed whole, as is every event when a bound the table already breaks with no event at
 * all (then nothing is halved).
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

    /** How many parts may be judged: {@link #MAX_JUDGEMENTS} unless judging a part is cheap. */
    default int maxJudgements() {
      return MAX_JUDGEMENTS;
    }
  }

  /** Why an event is blamed. */
  enum Blame {
    /** It fails the rule on its own. */
    ALONE,
    /** It makes the events of its batch kept before it fail the rule (a repeat of one of their values, say). */
    WITH_KEPT,
    /** Its batch failed and was not told apart within the judgements allowed. */
    WHOLE
  }

  /** An event to blame, why, and the failure it causes ({@code null} for {@link Blame#WHOLE}: the batch's). */
  record Isolated<T>(T event, QualityGateException failure, Blame blame) {}

  /**
   * How many parts are judged at most when a judgement is dear: a sql rule writes and reads a part's files each time,
   * and the partition waits meanwhile. Beyond it, the parts still failing are blamed whole.
   */
  static final int MAX_JUDGEMENTS = 64;

  /**
   * How many parts are judged at most when a part is judged in memory: enough to tell apart about a hundred repeats
   * of a value in a batch of thousands (each costs about log2 of the batch's size).
   */
  static final int MAX_JUDGEMENTS_IN_MEMORY = 2048;

  private final Judge<T> judge;
  private int judgementsLeft;
  private final List<T> passing = new ArrayList<>();
  private final List<Isolated<T>> blamed = new ArrayList<>();
  private final QualityGateException batchFailure;

  /** @param failure how the whole batch failed */
  FailingBatch(List<T> events, QualityGateException failure, Judge<T> judge) {
    this.judge = judge;
    this.judgementsLeft = judge.maxJudgements();
    this.batchFailure = failure;
    if (judge.emptyFails()) {
      events.forEach(e -> blamed.add(new Isolated<>(e, null, Blame.WHOLE)));
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
   * Judges what passed in parts together; if it fails, keeps its events in order while the kept ones pass and blames
   * each that makes them fail. Returns the events that stay; events blamed whole are named with the batch's failure.
   */
  List<T> settle() {
    QualityGateException together = passing.isEmpty() ? null : blamed.isEmpty() ? batchFailure
        : judge.judge(passing);
    if (together == null) {
      return passing;
    }
    List<T> kept = new ArrayList<>();
    List<T> rest = new ArrayList<>(passing);
    QualityGateException restFails = together; // how the kept and the rest fail together; null when they pass
    while (!rest.isEmpty() && restFails != null) {
      // the longest start of the rest the kept pass with: the kept with rest[0, low) pass, with rest[0, high) not
      int low = 0;
      int high = rest.size();
      QualityGateException atHigh = restFails;
      while (high - low > 1 && judgementsLeft > 0) {
        judgementsLeft--;
        int middle = (low + high) >>> 1;
        QualityGateException failure = judge.judge(join(kept, rest.subList(0, middle)));
        if (failure == null) {
          low = middle;
        } else {
          high = middle;
          atHigh = failure;
        }
      }
      kept.addAll(rest.subList(0, low));
      if (high - low > 1) {
        rest.subList(low, rest.size()).forEach(e -> blamed.add(new Isolated<>(e, null, Blame.WHOLE)));
        rest = List.of();
        break;
      }
      blamed.add(new Isolated<>(rest.get(low), atHigh, Blame.WITH_KEPT));
      rest = new ArrayList<>(rest.subList(high, rest.size()));
      if (rest.isEmpty()) {
        break;
      }
      if (judgementsLeft == 0) {
        rest.forEach(e -> blamed.add(new Isolated<>(e, null, Blame.WHOLE)));
        rest = List.of();
        break;
      }
      judgementsLeft--;
      restFails = judge.judge(join(kept, rest));
    }
    kept.addAll(rest);
    passing.clear();
    passing.addAll(kept);
    return passing;
  }

  private static <T> List<T> join(List<T> first, List<T> second) {
    List<T> both = new ArrayList<>(first.size() + second.size());
    both.addAll(first);
    both.addAll(second);
    return both;
  }

  /** How the batch failed, as it came. */
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
      blamed.add(new Isolated<>(part.get(0), failure, Blame.ALONE));
    } else if (judgementsLeft < 2) {
      part.forEach(e -> blamed.add(new Isolated<>(e, null, Blame.WHOLE)));
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
