package io.lakemesh.runtime.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

    private static final String TOPIC = Topics.rawTopic("retail.transactions");
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 1000;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void keepsTopicsAndRecordsAcrossRestart(@TempDir Path dataDir) throws Exception {
        Map<String, String> written = records();

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            try (Admin admin = admin(kafka)) {
                Topics.ensure(admin, TOPIC, PARTITIONS);
                Topics.ensure(admin, TOPIC, PARTITIONS);
            }
            produce(kafka, written);
            assertEquals(written, readAll(kafka));
        }

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            try (Admin admin = admin(kafka)) {
                assertEquals(PARTITIONS,
                        admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size());
                Topics.ensure(admin, TOPIC, PARTITIONS);
                IllegalStateException mismatch =
                        assertThrows(IllegalStateException.class, () -> Topics.ensure(admin, TOPIC, PARTITIONS + 1));
                assertTrue(mismatch.getMessage().contains("exists with " + PARTITIONS + " partitions"),
                        mismatch.getMessage());
            }
            assertEquals(written, readAll(kafka));
        }
    }

    /** A crash, not a clean close, is the restart that matters: the broker must recover what it acknowledged. */
    @Test
    void keepsAcknowledgedRecordsWhenTheProcessDies(@TempDir Path tempDir) throws Exception {
        Path dataDir = tempDir.resolve("kafka");
        Path childLog = tempDir.resolve("child.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                WriteThenDie.class.getName(), dataDir.toString())
                .redirectErrorStream(true)
                // Not inherited: surefire talks to this JVM over its stdout.
                .redirectOutput(childLog.toFile())
                .start();
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child still running; its log:\n" + Files.readString(childLog));
        assertEquals(WriteThenDie.EXIT_AFTER_ACKS, child.exitValue(), "child log:\n" + Files.readString(childLog));

        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0)) {
            assertEquals(records(), readAll(kafka));
        }
    }

    /** Runs in a child JVM: writes the records, then halts without closing the broker, as a crash would. */
    static final class WriteThenDie {
        static final int EXIT_AFTER_ACKS = 42;

        public static void main(String[] args) throws Exception {
            EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), 0);
            try (Admin admin = admin(kafka)) {
                Topics.ensure(admin, TOPIC, PARTITIONS);
            }
            produce(kafka, records());
            Runtime.getRuntime().halt(EXIT_AFTER_ACKS);
        }
    }

    @Test
    void takesTheRetentionItIsGiven(@TempDir Path dataDir) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dataDir, 0, Map.of("log.retention.ms", "3600000",
                "log.retention.bytes", "1073741824"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            org.apache.kafka.common.config.ConfigResource broker = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.BROKER, "1");
            org.apache.kafka.clients.admin.Config config = admin.describeConfigs(List.of(broker)).all()
                    .get(30, TimeUnit.SECONDS).get(broker);
            assertEquals("3600000", config.get("log.retention.ms").value());
            assertEquals("1073741824", config.get("log.retention.bytes").value());
        }
    }

    @Test
    void refusesADirectoryAnotherBrokerUses(@TempDir Path dataDir) {
        try (EmbeddedKafka running = EmbeddedKafka.start(dataDir, 0)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> EmbeddedKafka.start(dataDir, 0));
            assertTrue(e.getMessage().contains("in use by another broker"), e.getMessage());
        }
    }

    @Test
    void refusesAPortInUseNamingIt(@TempDir Path dataDir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> EmbeddedKafka.start(dataDir, port));
            assertTrue(e.getMessage().contains("Port " + port), e.getMessage());
        }
    }

    @Test
    void namesRawTopicsAfterTheProduct() {
        assertEquals("retail.transactions.raw", Topics.rawTopic("retail.transactions"));
        assertThrows(IllegalArgumentException.class, () -> Topics.rawTopic("retail/transactions"));
        assertThrows(IllegalArgumentException.class, () -> Topics.rawTopic(""));
    }

    private static Map<String, String> records() {
        Map<String, String> records = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            records.put("key-" + i, "event-" + i);
        }
        return records;
    }

    private static Admin admin(EmbeddedKafka kafka) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    }

    private static void produce(EmbeddedKafka kafka, Map<String, String> records) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            records.forEach((key, value) -> acks.add(producer.send(new ProducerRecord<>(TOPIC, key, value))));
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
        }
    }

    /** Reads every partition from the beginning to its end offset, failing on a duplicate key. */
    private static Map<String, String> readAll(EmbeddedKafka kafka) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        Map<String, String> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .toList();
            assertEquals(PARTITIONS, partitions.size());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                assertTrue(System.nanoTime() < deadline, "timed out reading " + TOPIC + ", have " + read.size());
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    String previous = read.put(record.key(), record.value());
                    assertEquals(null, previous, "duplicate key " + record.key());
                }
            }
        }
        return read;
    }
}
