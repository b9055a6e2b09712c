package io.lakemesh.runtime.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.security.ReadScope;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscribers see the commits of other writers (as when a product's partition workers run on other nodes) as well
 * as this process's own, each once, in the table's snapshot order, starting right after their subscription.
 */
class ChangeFollowerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
  private static final TableIdentifier ID = TableIdentifier.of("t", "x");
  static ActorSystem<Void> system;

  @TempDir
  Path home;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "follower-test",
        com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void commitsOfOtherWritersAndOfThisProcessArriveOnceInSnapshotOrder() throws Exception {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table local = warehouse.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned(), Map.of());
      Table remote = warehouse.catalog().loadTable(ID); // another writer: the hub is never told of its commits
      ChangeHub hub = new ChangeHub();
      hub.follow(id -> warehouse.catalog().loadTable(ID), Duration.ofMillis(50));

      Snapshot s12 = commit(remote, 1, 2); // before anyone subscribed: not sent
      var first = subscribe(hub, warehouse.catalog().loadTable(ID));
      assertEquals(s12.snapshotId(), first.start().snapshotId(), "starts after the table's current snapshot");
      Snapshot s34 = commit(remote, 3, 4);
      Snapshot s5 = commit(local, 5);
      hub.committed("t.x", s5, rows(5));
      Snapshot s6 = commit(remote, 6);
      var second = subscribe(hub, warehouse.catalog().loadTable(ID));
      Snapshot s7 = commit(local, 7);
      hub.committed("t.x", s7, rows(7));
      Snapshot s8 = commit(remote, 8);

      await(hub, 6);
      hub.closeAll();
      assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), ids(first.messages().toCompletableFuture().get()));
      // a subscriber starts right after the snapshot it is told, which is the follower's cursor at that moment:
      // any of 1-2 to 6 (the follower publishes on its own thread), never one it has not read yet
      List<Snapshot> order = List.of(s12, s34, s5, s6, s7, s8);
      List<List<Long>> added = List.of(List.of(1L, 2L), List.of(3L, 4L), List.of(5L), List.of(6L), List.of(7L),
          List.of(8L));
      long start = second.start().snapshotId();
      int at = order.stream().map(Snapshot::snapshotId).toList().indexOf(start);
      assertEquals(true, at >= 0 && at <= 3, "starts at one of 1-2 .. 6, not " + start);
      List<Long> expected = added.subList(at + 1, added.size()).stream().flatMap(List::stream).toList();
      assertEquals(expected, ids(second.messages().toCompletableFuture().get()), "start " + start);
    }
  }

  @Test
  void aSubscriberOfAnEmptyTableSeesTheFirstCommitsOfOtherWriters() throws Exception {
    try (Warehouse warehouse = Warehouse.openLocal(home)) {
      Table remote = warehouse.createOrLoad(ID, SCHEMA, PartitionSpec.unpartitioned(), Map.of());
      ChangeHub hub = new ChangeHub();
      hub.follow(id -> warehouse.catalog().loadTable(ID), Duration.ofMillis(50));
      var subscription = subscribe(hub, warehouse.catalog().loadTable(ID));
      assertEquals(null, subscription.start(), "an empty table: the subscriber starts before the first commit");
      commit(remote, 1, 2);
      commit(remote, 3);

      await(hub, 3);
      hub.closeAll();
      assertEquals(List.of(1L, 2L, 3L), ids(subscription.messages().toCompletableFuture().get()));
    }
  }

  private record Subscription(Snapshot start, CompletionStage<List<String>> messages) {}

  private static Subscription subscribe(ChangeHub hub, Table table) {
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> queue =
        Source.<String>queue(1_000).preMaterialize(system);
    Snapshot start = hub.subscribe("t.x", table, at -> new ChangeHub.Subscriber("t.x", null,
        at == null ? 0 : at.sequenceNumber(), queue.first(), 900, ReadScope.everything()));
    return new Subscription(start, queue.second().runWith(Sink.seq(), system));
  }

  private static void await(ChangeHub hub, int rows) throws Exception {
    // the stream completes at closeAll; until then, wait for the follower to catch up with the remote commits
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && hub.publishedRows("t.x") < rows) {
      Thread.sleep(20);
    }
  }

  private static Snapshot commit(Table table, long... ids) {
    return TableWriter.append(table, TableWriter.write(table, rows(ids)), Map.of());
  }

  private static List<Record> rows(long... ids) {
    List<Record> rows = new ArrayList<>();
    for (long id : ids) {
      GenericRecord r = GenericRecord.create(SCHEMA);
      r.setField("id", id);
      rows.add(r);
    }
    return rows;
  }

  private static List<Long> ids(List<String> messages) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (String m : messages) {
      JsonNode node = JSON.readTree(m);
      if (node.path("type").asText().equals("change")) {
        node.get("rows").forEach(r -> ids.add(r.get("id").asLong()));
      }
    }
    return ids;
  }
}
