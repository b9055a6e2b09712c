package io.lakemesh.runtime.log;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Names of the log's topics, and their creation. */
public final class Topics {
    /** How every reader of a raw topic reads it: what a transactional producer aborted is not there. */
    public static final String READ_COMMITTED = "read_committed";


    private static final Logger log = LoggerFactory.getLogger(Topics.class);

    // Kafka's own rule for topic names; checked here so a bad product id fails with its name in the message.
    private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String RAW_SUFFIX = ".raw";
    private static final java.time.Duration DESCRIBE_PATIENCE = java.time.Duration.ofSeconds(15);

    private Topics() {
    }

    /**
     * The topic ingestion writes a product's raw events to: {@code <productId>.raw}, e.g.
     * {@code retail.transactions.raw}.
     */
    public static String rawTopic(String productId) {
        String topic = productId + RAW_SUFFIX;
        if (productId.isBlank() || !LEGAL_TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("Product id '" + productId + "' can't name a Kafka topic: use letters,"
                    + " digits, '.', '_' and '-', at most " + (249 - RAW_SUFFIX.length()) + " characters");
        }
        return topic;
    }

    /**
     * Creates topic {@code name} with {@code partitions} partitions unless it exists. An existing topic with a
     * different partition count is an error, not a no-op: Kafka can't shrink a topic, and growing one moves keys
     * to other partitions, which breaks per-key ordering for data already in it.
     *
     * <p>Replication factor and other settings are the broker's defaults.
     *
     * @throws IllegalStateException if the topic can't be created or exists with another partition count
     */
    public static void ensure(Admin admin, String name, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("Topic " + name + " needs at least 1 partition, got " + partitions);
        }
        NewTopic topic = new NewTopic(name, Optional.of(partitions), Optional.empty());
        try {
            admin.createTopics(List.of(topic)).all().get();
            log.info("Created topic {} with {} partitions", name, partitions);
            return;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause().getMessage(),
                        e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
        requirePartitions(admin, name, partitions);
    }

    private static void requirePartitions(Admin admin, String name, int partitions) {
        Map<String, TopicDescription> descriptions = null;
        // a topic another worker created a moment ago may not be in the broker's metadata yet: retriable errors
        // (unknown topic or partition) are waited out for a while instead of failing the pipeline's start
        long deadline = System.nanoTime() + DESCRIBE_PATIENCE.toNanos();
        while (descriptions == null) {
            try {
                descriptions = admin.describeTopics(List.of(name)).allTopicNames().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw new IllegalStateException("Topic " + name + " exists but cannot be described: "
                            + e.getCause().getMessage(), e.getCause());
                }
                log.debug("Topic {} not described yet ({}); trying again", name, e.getCause().toString());
                sleep(name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while describing topic " + name, e);
            }
        }
        int existing = descriptions.get(name).partitions().size();
        if (existing != partitions) {
            throw new IllegalStateException("Topic " + name + " exists with " + existing + " partitions, not the "
                    + partitions + " asked for (lakemeshPartitions): Kafka cannot shrink a topic, and one grown"
                    + " from outside routes keys to other partitions than their earlier copies (a re-sent event"
                    + " would be stored twice, and events written to the new partitions are not read); leave a raw"
                    + " topic's partitions to Lakemesh, or publish the product under another id");
        }
        log.debug("Topic {} already exists with {} partitions", name, partitions);
    }

    private static void sleep(String name) {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while describing topic " + name, e);
        }
    }
}
