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
  void aRuleOnlyTheWholeBreaksBlamesTheWholeWithTheTogetherMeasure() {
    // at most 5 events: each half passes, the whole does not
    FailingBatch.Judge<Integer> atMostFive = part -> part.size() > 5 ? failure("rowCount " + part.size()) : null;
    FailingBatch<Integer> batch = new FailingBatch<>(List.of(1, 2, 3, 4, 5, 6, 7, 8), failure("rowCount 8"),
        atMostFive);
    assertEquals(List.of(), batch.settle());
    assertEquals(8, batch.blamed().size());
    assertTrue(batch.blamed().stream().allMatch(i -> i.failure() == null));
    assertEquals("rowCount 8", batch.batchFailure().measure());
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
