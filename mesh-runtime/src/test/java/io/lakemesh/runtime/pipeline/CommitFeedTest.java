package io.lakemesh.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;

/** What the in-memory feed of a stage's commits holds, and for how long. */
class CommitFeedTest {
  private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "n", Types.LongType.get()));

  private static List<Record> rows(long... values) {
    GenericRecord template = GenericRecord.create(SCHEMA);
    return java.util.Arrays.stream(values).mapToObj(v -> {
      GenericRecord r = template.copy();
      r.set(0, v);
      return (Record) r;
    }).toList();
  }

  private static List<Long> values(Optional<List<Record>> rows) {
    return rows.orElseThrow().stream().map(r -> (Long) r.get(0)).toList();
  }

  @Test
  void withoutReadersTheLastCommitsAreKeptUpToTheCapacity() {
    CommitFeed feed = new CommitFeed(2);
    feed.publish(10, null, rows(1));
    feed.publish(11, 10L, rows(2));
    feed.publish(12, 11L, rows(3));
    assertEquals(2, feed.held());
    assertEquals(List.of(2L, 3L), values(feed.between(10L, 12)));
    assertTrue(feed.between(null, 12).isEmpty(), "commit 10 was let go: the caller must read the table");
  }

  @Test
  void aCommitIsLetGoOnceEveryReaderHasReadThroughIt() {
    CommitFeed feed = new CommitFeed(4);
    CommitFeed.Reader gold = feed.reader();
    CommitFeed.Reader other = feed.reader();
    feed.publish(10, null, rows(1));
    feed.publish(11, 10L, rows(2));
    assertEquals(List.of(1L, 2L), values(gold.between(null, 11)));

    gold.readThrough(11);
    assertEquals(2, feed.held(), "the other reader has not read them yet");
    other.readThrough(10);
    assertEquals(1, feed.held(), "both have commit 10; only 11 is still wanted");
    assertEquals(List.of(2L), values(other.between(10L, 11)));
    other.readThrough(11);
    assertEquals(0, feed.held());

    feed.publish(12, 11L, rows(3));
    assertEquals(List.of(3L), values(gold.between(11L, 12)), "a new commit is held until it is read");
  }

  @Test
  void readingThroughASnapshotTheFeedDoesNotHoldChangesNothing() {
    CommitFeed feed = new CommitFeed(4);
    CommitFeed.Reader gold = feed.reader();
    feed.publish(10, null, rows(1));
    gold.readThrough(99); // e.g. read from the table, before this feed had anything
    assertEquals(1, feed.held());
    gold.readThrough(10);
    gold.readThrough(10);
    assertEquals(0, feed.held());
  }

  @Test
  void aReaderThatFallsBehindHoldsNoMoreThanTheCapacity() {
    CommitFeed feed = new CommitFeed(2);
    CommitFeed.Reader stalled = feed.reader();
    for (long id = 1; id <= 5; id++) {
      feed.publish(id, id == 1 ? null : id - 1, rows(id));
    }
    assertEquals(2, feed.held());
    assertTrue(stalled.between(null, 5).isEmpty());
    assertEquals(List.of(4L, 5L), values(stalled.between(3L, 5)));
  }
}
