package io.lakemesh.retail;

import static io.lakemesh.retail.NodeRequests.awaitStats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.runtime.cluster.MeshNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    Files.writeString(contracts.resolve("trips.odcs.yaml"), """
        apiVersion: v3.1.0
        kind: DataContract
        id: fleet.trips
        version: 1.0.0
        status: active
        domain: fleet
        customProperties:
          - property: lakemeshPartitions
            value: 1
        schema:
          - name: trips
            properties:
              - {name: trip_id, logicalType: string, required: true, primaryKey: true}
              - {name: km, logicalType: number}
        """);
    try (MeshNode node = MeshNode.start(config());
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
      // and the same event through the ingest endpoint: one of the keys silver already holds
      NodeRequests.postNdjson(node, PRODUCT, "{\"trip_id\":\"t-2\",\"km\":6}\n{\"trip_id\":\"t-3\",\"km\":7}\n");

      JsonNode stats = awaitStats(node, PRODUCT, s -> s.path("rows").path("silver").asInt() == 3);
      assertEquals(4, stats.path("rows").path("bronze").asInt(), "every event as received, none aborted: " + stats);
      assertEquals(1, stats.path("duplicatesDropped").asInt(), stats.toString());
      assertEquals(0, stats.path("rows").path("quarantine").asInt(), stats.toString());
      List<String> ids = new ArrayList<>();
      new ObjectMapper().readTree(NodeRequests.get(node, "/api/v1/products/" + PRODUCT + "/rows?select=trip_id"))
          .forEach(r -> ids.add(r.path("trip_id").asText()));
      assertEquals(List.of("t-1", "t-2", "t-3"), ids.stream().sorted().toList());
    }
  }

  private static ProducerRecord<String, String> event(String tripId, int km) {
    return new ProducerRecord<>(TOPIC, tripId, "{\"trip_id\":\"" + tripId + "\",\"km\":" + km + "}");
  }

  private com.typesafe.config.Config config() {
    return ConfigFactory.parseMap(Map.of(
            "lakemesh.home", home.toString(),
            "lakemesh.contract-dirs", List.of(contracts.toString()),
            "lakemesh.http.port", 0,
            "lakemesh.management.port", 0,
            "lakemesh.kafka.port", 0,
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.load());
  }
}
