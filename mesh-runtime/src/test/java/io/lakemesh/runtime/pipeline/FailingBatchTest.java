package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The events to blame in a batch that failed a critical rule, found by halving it. */
class FailingBatchTest {

  private static QualityGateException failure(String measure) {
    return new QualityGateException("p", "r", measure);
  }

  /** A rule no negative value may break, judged on a part's values. */
  private static final FailingBatch.Judge<Integer> NO_NEGATIVES = part ->
      part.stream().anyMatch(v -> v < 0) ? failure(part.toString()) : null;

  @Test
  void onlyTheEventsThatFailAloneAreBlamedEachWithItsOwnMeasure() {
    List<Integer> events = IntStream.rangeClosed(1, 40).boxed().map(i -> i == 7 || i == 30 ? -i : i).toList();
    FailingBatch<Integer> batch = new FailingBatch<>(events, failure("all"), NO_NEGATIVES);
    List<Integer> kept = batch.settle();
    assertEquals(List.of(-7, -30), batch.blamed().stream().map(FailingBatch.Isolated::event).toList());
    assertEquals("[-7]", batch.blamed().get(0).failure().measure());
    assertEquals(38, kept.size());
    assertTrue(kept.stream().allMatch(v -> v > 0));
  }

  @Test
  void aRuleNoSingleEventBreaksKeepsTheEventsInOrderWhileTheyPass() {
    // at most 5 events: each half passes, the whole does not; the first five stay, each later one is blamed
    FailingBatch.Judge<Integer> atMostFive = part -> part.size() > 5 ? failure("rowCount " + part.size()) : null;
    FailingBatch<Integer> batch = new FailingBatch<>(List.of(1, 2, 3, 4, 5, 6, 7, 8), failure("rowCount 8"),
        atMostFive);
    assertEquals(List.of(1, 2, 3, 4, 5), batch.settle());
    assertEquals(List.of(6, 7, 8), batch.blamed().stream().map(FailingBatch.Isolated::event).toList());
    assertTrue(batch.blamed().stream().allMatch(i -> i.blame() == FailingBatch.Blame.WITH_KEPT
        && i.failure().measure().equals("rowCount 6")), batch.blamed().toString());
  }

  @Test
  void aRepeatedValueBlamesTheRepeatAndKeepsTheFirst() {
    // no value twice: pairs that halving splits apart pass in parts and fail together
    FailingBatch.Judge<Integer> distinct = part -> part.stream().distinct().count() < part.size()
        ? failure("duplicateValues in " + part) : null;
    List<Integer> events = List.of(201, 202, 203, 202, 205, 206, 201, 208);
    FailingBatch<Integer> batch = new FailingBatch<>(events, failure("all"), distinct);
    assertEquals(List.of(201, 202, 203, 205, 206, 208), batch.settle());
    assertEquals(List.of(202, 201), batch.blamed().stream().map(FailingBatch.Isolated::event).toList());
    assertTrue(batch.blamed().stream().allMatch(i -> i.blame() == FailingBatch.Blame.WITH_KEPT));
  }

  @Test
  void aJudgeInMemoryTellsApartManyRepeats() {
    // 200 events, values 0..99 each twice (the second 100 repeat the first): every repeat blamed, none kept twice
    FailingBatch.Judge<Integer> distinctInMemory = new FailingBatch.Judge<>() {
      @Override
      public QualityGateException judge(List<Integer> part) {
        return part.stream().distinct().count() < part.size() ? failure("duplicateValues") : null;
      }

      @Override
      public int maxJudgements() {
        return FailingBatch.MAX_JUDGEMENTS_IN_MEMORY;
      }
    };
    List<Integer> events = IntStream.range(0, 200).map(i -> i % 100).boxed().toList();
    FailingBatch<Integer> batch = new FailingBatch<>(events, failure("duplicateValues = 100"), distinctInMemory);
    assertEquals(IntStream.range(0, 100).boxed().toList(), batch.settle());
    assertEquals(100, batch.blamed().size());
    assertTrue(batch.blamed().stream().allMatch(i -> i.blame() == FailingBatch.Blame.WITH_KEPT));
    assertEquals("duplicateValues = 100", batch.batchFailure().measure(), "the batch's measure as it came");
  }

  @Test
  void whatIsNotToldApartInTimeIsBlamedWhole() {
    // every event beyond the cap costs judgements: once they are spent the rest goes whole
    FailingBatch.Judge<Integer> atMostFive = part -> part.size() > 5 ? failure("rowCount " + part.size()) : null;
    int[] judged = {0};
    FailingBatch.Judge<Integer> counted = part -> {
      judged[0]++;
      return atMostFive.judge(part);
    };
    List<Integer> events = IntStream.range(0, 40).boxed().toList();
    FailingBatch<Integer> batch = new FailingBatch<>(events, failure("rowCount 40"), counted);
    assertEquals(List.of(0, 1, 2, 3, 4), batch.settle());
    assertEquals(35, batch.blamed().size());
    assertEquals(FailingBatch.Blame.WITH_KEPT, batch.blamed().get(0).blame());
    assertEquals(FailingBatch.Blame.WHOLE, batch.blamed().get(34).blame());
    assertNull(batch.blamed().get(34).failure());
    // the one judgement of what passed in parts, taken together, beside the bounded ones
    assertTrue(judged[0] <= FailingBatch.MAX_JUDGEMENTS + 1, judged[0] + " judgements");
  }

  @Test
  void aBoundTheTableAlreadyBreaksBlamesEveryEventWithoutHalving() {
    int[] judged = {0};
    FailingBatch.Judge<Integer> full = new FailingBatch.Judge<>() {
      @Override
      public QualityGateException judge(List<Integer> part) {
        judged[0]++;
        return failure("rowCount over");
      }

      @Override
      public boolean emptyFails() {
        return true;
      }
    };
    FailingBatch<Integer> batch = new FailingBatch<>(List.of(1, 2, 3), failure("rowCount over"), full);
    assertEquals(List.of(), batch.settle());
    assertEquals(3, batch.blamed().size());
    assertEquals(0, judged[0], "nothing is halved");
  }

  @Test
  void judgementsAreBoundedAndAnEmptyBatchNeedsNone() {
    int[] judged = {0};
    FailingBatch.Judge<Integer> everyOneFails = part -> {
      judged[0]++;
      return failure("each");
    };
    List<Integer> events = IntStream.range(0, 10_000).boxed().toList();
    FailingBatch<Integer> batch = new FailingBatch<>(events, failure("each"), everyOneFails);
    batch.settle();
    assertTrue(judged[0] <= FailingBatch.MAX_JUDGEMENTS, judged[0] + " judgements");
    assertEquals(10_000, batch.blamed().size(), "what is not told apart in time is blamed whole");

    FailingBatch<Integer> empty = new FailingBatch<>(List.of(), failure("none"), everyOneFails);
    assertEquals(List.of(), empty.settle());
    assertEquals(List.of(), empty.blamed());
  }

  @Test
  void aCopyAddedLaterIsJudgedLikeTheRest() {
    FailingBatch<Integer> batch = new FailingBatch<>(List.of(1, -2, 3), failure("all"), NO_NEGATIVES);
    batch.add(List.of(2)); // the corrected re-send of -2
    assertEquals(List.of(1, 3, 2), batch.settle());
    assertNull(FailingBatch.judged(() -> { }));
  }
}
