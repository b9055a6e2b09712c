package io.lakemesh.retail;

import static io.lakemesh.retail.NodeRequests.awaitStats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.runtime.cluster.MeshNode;
import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Producers that write to a product's raw topic themselves, with a real Kafka client, beside the ingest endpoint. */
class RawTopicProducersTest {
  private static final String PRODUCT = "fleet.trips";
  private static final String TOPIC = PRODUCT + ".raw";

  @TempDir
  Path home;
  @TempDir
  Path contracts;

  @Test
  void eventsOfAnAbortedTransactionAreNeverStoredAndCommittedOnesAreOnce() throws Exception {
    writeContract(1, null);
    // a short batch window, so that holding the open transaction below spans many batches
    try (MeshNode node = MeshNode.start(config(Map.of("lakemesh.pipeline.batch-window", "200ms")));
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.kafkaBootstrap(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, "fleet-app-1"), new StringSerializer(), new StringSerializer())) {
      producer.initTransactions();
      // a transaction the application rolls back: its events were never sent, as far as anyone downstream knows
      producer.beginTransaction();
      producer.send(event("t-aborted-1", 3));
      producer.send(event("t-aborted-2", 4));
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(event("t-1", 5));
      producer.send(event("t-2", 6));
      producer.commitTransaction();
      // a tombstone, as a compacted topic's producer deletes a key: no event, so quarantined, saying for which key
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(TOPIC, "t-1", null));
      producer.commitTransaction();
      // and the same event through the ingest endpoint: one of the keys silver already holds
      NodeRequests.postNdjson(node, PRODUCT, "{\"trip_id\":\"t-2\",\"km\":6}\n{\"trip_id\":\"t-3\",\"km\":7}\n");

      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 3);
      stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("quarantine").asInt() == 1
          && s.path("lag").asLong() == 0);
      assertEquals(5, stats.path("rows").path("bronze").asInt(), "every record as received, none aborted: " + stats);
      assertEquals(1, stats.path("duplicatesDropped").asInt(), stats.toString());
      // a last transaction leaves its commit marker after its events: an offset without an event, so nothing waits
      producer.beginTransaction();
      producer.send(event("t-4", 8));
      producer.commitTransaction();
      // (a partition read a moment ago, while the event waited, is taken as still busy for a second)
      stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 4
          && s.path("lag").asLong() == 0);
      // a transaction left open holds its event back, and every later one of the partition: that is lag, waiting
      producer.beginTransaction();
      long openOffset = producer.send(event("t-5", 9)).get().offset();
      NodeRequests.postNdjson(node, PRODUCT, "{\"trip_id\":\"t-6\",\"km\":10}\n");
      // both are in the log now (acknowledged, and a 202 is too); a single look right away could come before the
      // worker's next batch, so watch for ten batch windows that nothing is stored and that no committed position
      // passes the open transaction's event
      Product fleet = node.products().find(PRODUCT).orElseThrow();
      long holdUntil = System.nanoTime() + Duration.ofMillis(2_000).toNanos();
      do {
        stats = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT)).path("stats");
        assertEquals(4, stats.path("rows").path("silver").asInt(), "nothing passes an open transaction: " + stats);
        assertEquals(6, stats.path("rows").path("bronze").asInt(), "nothing passes an open transaction: " + stats);
        for (Table table : List.of(StageTables.bronze(node.warehouse(), fleet),
            StageTables.served(node.warehouse(), fleet))) {
          table.refresh();
          long next = SourcePositions.committed(table, Set.of(0)).next(0);
          assertTrue(next <= openOffset, table.name() + " committed up to " + next + ", past the open transaction"
              + " at " + openOffset);
        }
        Thread.sleep(100);
      } while (System.nanoTime() < holdUntil);
      stats = awaitStats(node, PRODUCT, s -> s.path("lag").asLong() >= 2);
      assertEquals(4, stats.path("rows").path("silver").asInt(), "the two wait, as lag: " + stats);
      producer.commitTransaction();
      awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 6 && s.path("lag").asLong() == 0);
      String tombstone = NodeRequests.get(node, "/api/v1/products/" + PRODUCT + "/quarantine");
      org.junit.jupiter.api.Assertions.assertTrue(tombstone.contains("a record without a value (a tombstone for key"
          + " 't-1'): events are JSON objects, and never deletes"), tombstone);
      List<String> ids = new ArrayList<>();
      new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT + "/rows?select=trip_id"))
          .forEach(r -> ids.add(r.path("trip_id").asText()));
      assertEquals(List.of("t-1", "t-2", "t-3", "t-4", "t-5", "t-6"), ids.stream().sorted().toList());
    }
  }

  @Test
  void anEventInAnotherPartitionThanItsKeyRoutesToIsQuarantinedAsMisrouted() throws Exception {
    writeContract(3, null);
    try (MeshNode node = MeshNode.start(config());
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.kafkaBootstrap()), new StringSerializer(),
            new StringSerializer())) {
      JsonNode described = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT));
      assertEquals(described.path("contract").path("version").asText(), described.path("version").asText(),
          "the version beside the id, as the catalog lists it: " + described);
      assertEquals(PRODUCT + "@v1", described.path("pinnedId").asText(), described.toString());
      JsonNode rawTopic = described.path("rawTopic");
      assertEquals("{\"name\":\"fleet.trips.raw\",\"partitions\":3,\"keyedBy\":\"trip_id\"}", rawTopic.toString());
      // keyed by the trip id with Kafka's Java partitioner: where the ingest endpoint routes them too
      for (int i = 0; i < 6; i++) {
        producer.send(event("t-" + i, i)).get();
      }
      // the same trip id written to every other partition (a CRC32 partitioner, a key-less producer): a copy
      // there would escape deduplication, so it is refused, whatever its key
      int home = producer.send(event("t-0", 0)).get().partition();
      for (int p = 0; p < 3; p++) {
        if (p != home) {
          producer.send(new ProducerRecord<>(TOPIC, p, null, "{\"trip_id\":\"t-0\",\"km\":0}")).get();
        }
      }
      producer.send(new ProducerRecord<>(TOPIC, (home + 1) % 3, "t-0", "{\"trip_id\":\"t-0\",\"km\":0}")).get();

      // lag 0 too: a batch commits bronze, quarantine, then silver, so the quarantine can be counted before silver
      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("bronze").asInt() == 10
          && s.path("rows").path("quarantine").asInt() == 3 && s.path("lag").asLong() == 0);
      assertEquals(6, stats.path("rows").path("silver").asInt(), stats.toString());
      assertEquals(1, stats.path("duplicatesDropped").asInt(), "the copy in its own partition: " + stats);
      assertEquals(3, stats.path("ruleFailures").path("primaryKey:trip_id").asInt(), stats.toString());
      JsonNode reasons = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT
          + "/quarantine?code=misrouted"));
      assertEquals(3, reasons.size(), reasons.toString());
      String message = reasons.get(0).path("reasons").get(0).path("message").asText();
      org.junit.jupiter.api.Assertions.assertTrue(message.contains("belongs in partition " + home)
          && message.contains("partitioner=murmur2_random"), message);

      // an operator grows the raw topic from outside: no worker reads the new partition, and stats say so
      try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
          "bootstrap.servers", node.kafkaBootstrap()))) {
        admin.createPartitions(Map.of(TOPIC, org.apache.kafka.clients.admin.NewPartitions.increaseTo(4))).all().get();
      }
      producer.send(new ProducerRecord<>(TOPIC, 3, "t-7", "{\"trip_id\":\"t-7\",\"km\":7}")).get();
      producer.send(new ProducerRecord<>(TOPIC, 3, "t-8", "{\"trip_id\":\"t-8\",\"km\":8}")).get();
      JsonNode stranded = awaitStats(node, PRODUCT, s -> s.has("rawTopicProblem"));
      assertTrue(stranded.path("rawTopicProblem").asText().startsWith("fleet.trips.raw has 4 partitions, the"
          + " contract 3: events in partition(s) [3] (2) are never read"), stranded.toString());
      assertTrue(stranded.path("lag").asLong() >= 2, stranded.toString());
      // the ingest endpoint still routes among the contract's 3 partitions: nothing it accepts is stranded
      StringBuilder more = new StringBuilder();
      for (int i = 0; i < 30; i++) {
        more.append("{\"trip_id\":\"h-").append(i).append("\",\"km\":1}\n");
      }
      NodeRequests.postNdjson(node, PRODUCT, more.toString());
      JsonNode after = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 36);
      assertTrue(after.path("rawTopicProblem").asText().contains("events in partition(s) [3] (2) are never read"),
          after.toString());
    }
  }

  @Test
  void bytesThatAreNoUtf8AreQuarantinedThoughJacksonWouldReadThemAsCharacters() throws Exception {
    writeContract(1, null);
    try (MeshNode node = MeshNode.start(config());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.kafkaBootstrap()), new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      // "t-1" with its '1' as an overlong form (0xC0 0xB1): Jackson reads "t-1", bronze's text holds U+FFFD twice;
      // stored, it would be a second t-1 nobody sent and hide the real one as a duplicate
      byte[] prefix = "{\"trip_id\":\"t-".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] suffix = "\",\"km\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] overlong = new byte[prefix.length + 2 + suffix.length];
      System.arraycopy(prefix, 0, overlong, 0, prefix.length);
      overlong[prefix.length] = (byte) 0xC0;
      overlong[prefix.length + 1] = (byte) 0xB1;
      System.arraycopy(suffix, 0, overlong, prefix.length + 2, suffix.length);
      producer.send(new ProducerRecord<>(TOPIC, 0, "t-1", overlong)).get();
      producer.send(new ProducerRecord<>(TOPIC, 0, "t-1", "{\"trip_id\":\"t-1\",\"km\":2}"
          .getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();

      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("bronze").asInt() == 2
          && s.path("rows").path("quarantine").asInt() == 1 && s.path("lag").asLong() == 0);
      assertEquals(1, stats.path("rows").path("silver").asInt(), stats.toString());
      assertEquals(0, stats.path("duplicatesDropped").asInt(), "the real t-1 is no duplicate: " + stats);
      JsonNode rows = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT + "/rows"));
      assertEquals(2, rows.get(0).path("km").asInt(), rows.toString());
      JsonNode reasons = new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT
          + "/quarantine?code=encoding"));
      assertEquals(1, reasons.size(), reasons.toString());
      String message = reasons.get(0).path("reasons").get(0).path("message").asText();
      assertTrue(message.startsWith("the event is not valid UTF-8: byte " + prefix.length + " (0xC0)"), message);
    }
  }

  @Test
  void eventsReceivedBeforeThePipelineStartedAreBacklogNotLatency() throws Exception {
    writeContract(1, "latency");
    try (MeshNode node = MeshNode.start(config());
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.kafkaBootstrap()), new StringSerializer(),
            new StringSerializer())) {
      // received (stamped) two hours ago, before this pipeline ran: what a new major refills from the log
      long twoHoursAgo = System.currentTimeMillis() - 7_200_000;
      producer.send(new ProducerRecord<>(TOPIC, 0, twoHoursAgo, "t-old", "{\"trip_id\":\"t-old\",\"km\":1}")).get();
      // once the worker reports that batch committed, it is no latency sample
      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 1
          && s.path("pipeline").path("batches").asInt() >= 1);
      assertEquals("no-data", stats.path("sla").path("latency").path("status").asText(), stats.toString());
      producer.send(event("t-new", 2)).get();
      // the worker reports its batch a moment after the table shows it
      stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 2
          && !s.path("sla").path("latency").path("status").asText().equals("no-data"));
      assertEquals("met", stats.path("sla").path("latency").path("status").asText(), stats.toString());
    }
  }

  @Test
  void aRawTopicMadeAgainBehindTheTablesStopsTheWorkerSayingSoInsteadOfSkippingItsEvents() throws Exception {
    writeContract(1, null);
    try (MeshNode node = MeshNode.start(config())) {
      NodeRequests.postNdjson(node, PRODUCT, "{\"trip_id\":\"t-1\",\"km\":1}\n{\"trip_id\":\"t-2\",\"km\":2}\n");
      awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 2);
    }
    // the log is gone (a new Kafka cluster, a topic deleted and made again); the tables remember offsets 0 and 1
    try (var files = Files.walk(home.resolve("kafka"))) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
    try (MeshNode node = MeshNode.start(config())) {
      NodeRequests.postNdjson(node, PRODUCT, "{\"trip_id\":\"t-3\",\"km\":3}\n");
      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("pipeline").path("state").asText().equals("failed"));
      String error = stats.path("pipeline").path("workers").get(0).toString() + stats.path("pipeline");
      // (offset 0 or 1: whether t-3 was in the new log when the worker looked)
      assertTrue(java.util.regex.Pattern.compile("fleet\\.trips\\.raw partition 0 ends at offset [01], but this"
          + " product's tables have read it up to 2: the topic was deleted and made again").matcher(error).find(),
          stats.toString());
      assertEquals(2, stats.path("rows").path("silver").asInt(), "nothing skipped, nothing read: " + stats);
    }
  }

  /** fleet.trips over {@code partitions} raw-topic partitions, with a 30 s latency objective when asked. */
  private void writeContract(int partitions, String objective) throws java.io.IOException {
    Files.writeString(contracts.resolve("trips.odcs.yaml"), """
        apiVersion: v3.1.0
        kind: DataContract
        id: fleet.trips
        version: 1.0.0
        status: active
        domain: fleet
        customProperties:
          - property: lakemeshPartitions
            value: %d
        %s
        schema:
          - name: trips
            properties:
              - {name: trip_id, logicalType: string, required: true, primaryKey: true}
              - {name: km, logicalType: number}
        """.formatted(partitions, objective == null ? "" : "slaProperties:\n  - {property: " + objective
            + ", value: 30, unit: s}"));
  }

  private static ProducerRecord<String, String> event(String tripId, int km) {
    return new ProducerRecord<>(TOPIC, tripId, "{\"trip_id\":\"" + tripId + "\",\"km\":" + km + "}");
  }

  private com.typesafe.config.Config config() {
    return config(Map.of());
  }

  private com.typesafe.config.Config config(Map<String, Object> more) {
    return NodeRequests.nodeConfig(home, contracts, more);
  }

}
