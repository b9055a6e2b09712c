package io.lakemesh.runtime.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.inmemory.InMemoryCatalog;
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

/** A stalled subscriber is warned, then closed, while a fast one receives everything, in order. */
class ChangeHubTest {
  static ActorSystem<Void> system;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "hub-test",
        com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void aStalledSubscriberNeverHoldsBackTheOthers() throws Exception {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    Table table = table("x", schema);

    ChangeHub hub = new ChangeHub();
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> slow =
        Source.<String>queue(10 + 2).preMaterialize(system);
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> fast =
        Source.<String>queue(10 + 2).preMaterialize(system);
    var fastMessages = fast.second().runWith(Sink.seq(), system);
    ChangeHub.Subscriber stalled = new ChangeHub.Subscriber("t.x", null, 0, slow.first(), 10,
        io.lakemesh.runtime.security.ReadScope.everything());
    ChangeHub.Subscriber reader = new ChangeHub.Subscriber("t.x", null, 0, fast.first(), 10,
        io.lakemesh.runtime.security.ReadScope.everything());
    hub.add(stalled);
    hub.add(reader);

    GenericRecord template = GenericRecord.create(schema);
    for (long i = 1; i <= 30; i++) {
      table.newAppend().commit();
      Snapshot s = table.currentSnapshot();
      GenericRecord r = template.copy();
      r.setField("id", i);
      hub.committed("t.x", s, List.<Record>of(r));
      Thread.sleep(5); // let the fast reader drain, as a live client would
    }
    hub.closeAll();

    List<String> got = fastMessages.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    List<Long> ids = new ArrayList<>();
    for (String m : got) {
      var node = JSON.readTree(m);
      if (node.path("type").asText().equals("change")) {
        ids.add(node.path("rows").get(0).path("id").asLong());
      }
    }
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= 30; i++) {
      expected.add(i);
    }
    assertEquals(expected, ids, "the fast subscriber got every change, in order");

    List<String> slowGot = slow.second().takeWithin(Duration.ofSeconds(2)).runWith(Sink.seq(), system)
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    List<String> types = slowGot.stream().map(m -> {
      try {
        return JSON.readTree(m).path("type").asText();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).toList();
    assertTrue(types.contains("lagging"), types.toString());
    assertEquals("closing", types.get(types.size() - 1), types.toString());
    assertTrue(slowGot.get(slowGot.size() - 1).contains("4008"));
    assertEquals(0, hub.subscriberCount("t.x"));
  }

  @Test
  void aFilterThatFailsOnARowIsReportedOnceAndTheRowLeftOut() throws Exception {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()),
        Types.NestedField.optional(2, "n", Types.LongType.get()));
    Table table = table("y", schema);
    var fields = List.of(
        new io.lakemesh.contracts.model.Field("id", io.lakemesh.contracts.model.LogicalType.INTEGER, "bigint", true,
            false, 1, -1, null, null, null, null, null, null, null),
        new io.lakemesh.contracts.model.Field("n", io.lakemesh.contracts.model.LogicalType.INTEGER, "bigint", false,
            false, -1, -1, null, null, null, null, null, null, null));
    // on a row with n = 0 this divides by zero: an evaluation error, not a verdict
    var filter = io.lakemesh.contracts.cel.RowExpressions.forFields(fields).compile("10 / n > 1");

    ChangeHub hub = new ChangeHub();
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> queue =
        Source.<String>queue(10 + 2).preMaterialize(system);
    var received = queue.second().runWith(Sink.seq(), system);
    ChangeHub.Subscriber subscriber = new ChangeHub.Subscriber("t.y", filter, 0, queue.first(), 10,
        io.lakemesh.runtime.security.ReadScope.everything());
    hub.add(subscriber);
    GenericRecord template = GenericRecord.create(schema);
    for (long i = 1; i <= 2; i++) {
      table.newAppend().commit();
      GenericRecord bad = template.copy();
      bad.setField("id", i * 10);
      bad.setField("n", 0L);
      GenericRecord with = template.copy();
      with.setField("id", i * 10 + 1);
      with.setField("n", 5L);
      hub.committed("t.y", table.currentSnapshot(), List.<Record>of(bad, with));
    }
    hub.closeAll();

    List<String> types = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    for (String m : received.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)) {
      var node = JSON.readTree(m);
      types.add(node.path("type").asText());
      node.path("rows").forEach(r -> ids.add(r.path("id").asLong()));
    }
    assertEquals(List.of("filter_error", "change", "change"), types, ids.toString());
    assertEquals(List.of(11L, 21L), ids, "the rows the filter accepts, not those it failed on");
    // the shutdown's closing goes ahead of whatever is buffered (the stream merges it in)
    assertTrue(subscriber.closeNow.getNow("").contains("\"code\":1001"), subscriber.closeNow.getNow(""));
  }

  @Test
  void aSnapshotInPartsIsOfferedWholeOrNotAtAll() throws Exception {
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    Table table = table("z", schema);
    ChangeHub hub = new ChangeHub();
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> stalled =
        Source.<String>queue(6 + 2).preMaterialize(system);
    Pair<BoundedSourceQueue<String>, Source<String, org.apache.pekko.NotUsed>> reading =
        Source.<String>queue(100 + 2).preMaterialize(system);
    var readMessages = reading.second().runWith(Sink.seq(), system);
    hub.add(new ChangeHub.Subscriber("t.z", null, 0, stalled.first(), 6,
        io.lakemesh.runtime.security.ReadScope.everything()));
    hub.add(new ChangeHub.Subscriber("t.z", null, 0, reading.first(), 100,
        io.lakemesh.runtime.security.ReadScope.everything()));
    GenericRecord template = GenericRecord.create(schema);
    long id = 0;
    // the stalled side's stream takes a few messages, then its queue (6) fills: about half full by the big commit
    for (int commit = 0; commit < 7; commit++) {
      table.newAppend().commit();
      GenericRecord r = template.copy();
      r.setField("id", ++id);
      hub.committed("t.z", table.currentSnapshot(), List.<Record>of(r));
      Thread.sleep(10);
    }
    // a commit of 1,200 rows: three parts, more than the stalled subscriber has room for
    table.newAppend().commit();
    List<Record> big = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      GenericRecord r = template.copy();
      r.setField("id", ++id);
      big.add(r);
    }
    hub.committed("t.z", table.currentSnapshot(), big);
    hub.closeAll();

    List<String> stalledGot = stalled.second().runWith(Sink.seq(), system).toCompletableFuture()
        .get(10, java.util.concurrent.TimeUnit.SECONDS);
    List<String> types = new ArrayList<>();
    for (String m : stalledGot) {
      var node = JSON.readTree(m);
      types.add(node.path("type").asText() + (node.has("part") ? node.path("part").asInt() : ""));
    }
    assertEquals("closing", types.get(types.size() - 1), types.toString());
    assertEquals(7, types.stream().filter(t -> t.equals("change")).count(), types.toString());
    assertEquals(List.of(), types.stream().filter(t -> t.matches("change[0-9]+")).toList(),
        "closed before the first part of a snapshot it had no room for, so its last snapshot is complete: " + types);

    List<String> parts = new ArrayList<>();
    for (String m : readMessages.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS)) {
      var node = JSON.readTree(m);
      if (node.has("parts")) {
        parts.add(node.path("part").asInt() + "/" + node.path("parts").asInt() + ":" + node.path("rows").size());
      }
    }
    assertEquals(List.of("1/3:500", "2/3:500", "3/3:200"), parts, "the reader got every part, numbered");
    readMessages.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** A table whose snapshots stand for commits (the hub reads only their ids and sequence numbers). */
  private static Table table(String name, Schema schema) {
    InMemoryCatalog catalog = new InMemoryCatalog();
    catalog.initialize("mem", Map.of());
    catalog.createNamespace(Namespace.of("t"));
    return catalog.createTable(TableIdentifier.of("t", name), schema, PartitionSpec.unpartitioned());
  }
}
