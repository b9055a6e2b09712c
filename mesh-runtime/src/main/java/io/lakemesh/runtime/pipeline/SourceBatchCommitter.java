package io.lakemesh.runtime.pipeline;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.Violation;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.SnapshotPositions;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.TableWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Commits micro-batches of a source product's raw events to bronze, silver and quarantine, exactly once.
 *
 * <p>Each table's commit carries the Kafka positions it covers. On start every table's positions are read back;
 * the consumer resumes from the smallest, and each table skips the records it already holds. Validation uses the
 * event's receipt time (the Kafka timestamp) as "now", so a replayed event gets the verdict it got the first time.
 * Deduplication by primary key runs against every key already in silver (loaded on start) and within the batch.
 *
 * <p>Not thread-safe: one committer per product pipeline, called for one batch at a time.
 */
public final class SourceBatchCommitter {
  public static final String SOURCE_HEADER = "lakemesh-source";

  private final Product product;
  private final Table bronze;
  private final Table silver;
  private final Table quarantine;
  private final Executor io;
  private final List<String> keyColumns;
  private final Set<String> keys = new HashSet<>();
  private final GenericRecord bronzeTemplate;
  private final GenericRecord quarantineTemplate;
  private final GenericRecord reasonTemplate;

  private SourcePositions bronzeAt;
  private SourcePositions silverAt;
  private SourcePositions quarantineAt;
  private Counters silverCounts;
  private Counters quarantineCounts;

  /** What one batch did, for stats and downstream stages. */
  public record BatchResult(int bronzeRows, int silverRows, int quarantined, int duplicates,
      Long silverSnapshotId, Instant committedAt) {}

  public SourceBatchCommitter(Product product, Table bronze, Table silver, Table quarantine, Executor io) {
    this.product = product;
    this.bronze = bronze;
    this.silver = silver;
    this.quarantine = quarantine;
    this.io = io;
    this.keyColumns = product.keyColumns();
    // rows are built from the tables' own schemas: Iceberg numbers fields afresh when it creates a table
    this.bronzeTemplate = GenericRecord.create(bronze.schema());
    this.quarantineTemplate = GenericRecord.create(quarantine.schema());
    this.reasonTemplate = GenericRecord.create(
        quarantine.schema().findField("reasons").type().asListType().elementType().asStructType());
    this.bronzeAt = positions(bronze);
    this.silverAt = positions(silver);
    this.quarantineAt = positions(quarantine);
    this.silverCounts = Counters.fromSummary(summary(silver));
    this.quarantineCounts = Counters.fromSummary(summary(quarantine));
    loadKeys();
  }

  /** Where the consumer must resume: no table may miss a record. */
  public SourcePositions resumeFrom() {
    return bronzeAt.min(silverAt).min(quarantineAt);
  }

  /** The positions silver has committed: what is durable and deduplicated. */
  public SourcePositions silverPositions() {
    return silverAt;
  }

  public BatchResult commit(List<ConsumerRecord<byte[], byte[]>> batch) {
    List<Record> bronzeRows = new ArrayList<>(batch.size());
    List<Record> silverRows = new ArrayList<>(batch.size());
    List<Record> quarantineRows = new ArrayList<>();
    Set<String> batchKeys = new HashSet<>();
    Map<Integer, Long> batchNext = new HashMap<>();
    Counters silverDelta = new Counters();
    Counters quarantineDelta = new Counters();
    int duplicates = 0;
    for (ConsumerRecord<byte[], byte[]> rec : batch) {
      int partition = rec.partition();
      long offset = rec.offset();
      batchNext.merge(partition, offset + 1, Math::max);
      boolean toBronze = offset >= bronzeAt.next(partition);
      boolean toSilver = offset >= silverAt.next(partition);
      boolean toQuarantine = offset >= quarantineAt.next(partition);
      if (!toBronze && !toSilver && !toQuarantine) {
        continue;
      }
      byte[] payload = rec.value() == null ? new byte[0] : rec.value();
      Instant receivedAt = Instant.ofEpochMilli(rec.timestamp());
      String hash = sha256(payload);
      String source = header(rec, SOURCE_HEADER);
      if (toBronze) {
        bronzeRows.add(bronzeRow(rec, payload, receivedAt, hash, source));
      }
      if (!toSilver && !toQuarantine) {
        continue;
      }
      Outcome outcome = product.validator().validate(payload, receivedAt);
      if (outcome instanceof Outcome.Accepted accepted) {
        if (!toSilver) {
          continue;
        }
        String key = key(accepted.row());
        if (keys.contains(key) || !batchKeys.add(key)) {
          duplicates++;
          silverDelta.add("duplicates", 1);
          continue;
        }
        for (Violation w : accepted.warnings()) {
          silverDelta.add("warning." + w.rule(), 1);
        }
        silverRows.add(accepted.row());
      } else if (outcome instanceof Outcome.Rejected rejected && toQuarantine) {
        for (Violation v : rejected.errors()) {
          quarantineDelta.add("rule." + v.rule(), 1);
        }
        quarantineRows.add(quarantineRow(rec, payload, receivedAt, hash, source, rejected.errors()));
      }
    }
    SourcePositions nextBronze = bronzeAt.advance(batchNext);
    SourcePositions nextSilver = silverAt.advance(batchNext);
    SourcePositions nextQuarantine = quarantineAt.advance(batchNext);
    // write the three tables' files in parallel; commit them one after the other (each commit is atomic)
    CompletableFuture<List<DataFile>> bronzeFiles = writeAsync(bronze, bronzeRows);
    CompletableFuture<List<DataFile>> silverFiles = writeAsync(silver, silverRows);
    List<DataFile> quarantineFiles = quarantineRows.isEmpty() ? List.of() : TableWriter.write(quarantine,
        quarantineRows);
    Instant now = Instant.now();
    if (!nextBronze.equals(bronzeAt)) {
      TableWriter.append(bronze, bronzeFiles.join(), summary(nextBronze, null));
      bronzeAt = nextBronze;
    }
    Long silverSnapshot = null;
    if (!nextSilver.equals(silverAt)) {
      Counters counts = silverCounts.copy();
      silverDelta.asMap().forEach(counts::add);
      Snapshot s = TableWriter.append(silver, silverFiles.join(), summary(nextSilver, counts));
      silverSnapshot = s.snapshotId();
      silverAt = nextSilver;
      silverCounts = counts;
      for (Record r : silverRows) {
        keys.add(key(r));
      }
    }
    if (!nextQuarantine.equals(quarantineAt)) {
      Counters counts = quarantineCounts.copy();
      quarantineDelta.asMap().forEach(counts::add);
      TableWriter.append(quarantine, quarantineFiles, summary(nextQuarantine, counts));
      quarantineAt = nextQuarantine;
      quarantineCounts = counts;
    }
    return new BatchResult(bronzeRows.size(), silverRows.size(), quarantineRows.size(), duplicates, silverSnapshot,
        now);
  }

  private CompletableFuture<List<DataFile>> writeAsync(Table table, List<Record> rows) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.supplyAsync(() -> TableWriter.write(table, rows), io);
  }

  private Map<String, String> summary(SourcePositions positions, Counters counts) {
    Map<String, String> summary = new HashMap<>();
    summary.put(SourcePositions.SUMMARY_KEY, positions.encode());
    summary.put(SourcePositions.TOPIC_KEY, Topics.rawTopic(product.id()));
    if (counts != null) {
      counts.writeTo(summary);
    }
    return summary;
  }

  private Record bronzeRow(ConsumerRecord<byte[], byte[]> rec, byte[] payload, Instant receivedAt, String hash,
      String source) {
    GenericRecord row = envelope(bronzeTemplate, rec, receivedAt, hash, source);
    row.set(6, new String(payload, StandardCharsets.UTF_8));
    return row;
  }

  private Record quarantineRow(ConsumerRecord<byte[], byte[]> rec, byte[] payload, Instant receivedAt,
      String hash, String source, List<Violation> reasons) {
    GenericRecord row = envelope(quarantineTemplate, rec, receivedAt, hash, source);
    List<Record> rs = new ArrayList<>(reasons.size());
    for (Violation v : reasons) {
      GenericRecord r = reasonTemplate.copy();
      r.set(0, v.code());
      r.set(1, v.field());
      r.set(2, v.rule());
      r.set(3, v.message());
      rs.add(r);
    }
    row.set(6, rs);
    row.set(7, new String(payload, StandardCharsets.UTF_8));
    row.set(8, OffsetDateTime.now(ZoneOffset.UTC));
    return row;
  }

  /** The columns bronze and quarantine share: where an event came from and what it was. */
  private GenericRecord envelope(GenericRecord template, ConsumerRecord<byte[], byte[]> rec, Instant receivedAt,
      String hash, String source) {
    GenericRecord row = template.copy();
    row.set(0, product.id());
    row.set(1, OffsetDateTime.ofInstant(receivedAt, ZoneOffset.UTC));
    row.set(2, source);
    row.set(3, hash);
    row.set(4, rec.partition());
    row.set(5, rec.offset());
    return row;
  }

  private String key(Record row) {
    if (keyColumns.size() == 1) {
      return String.valueOf(row.getField(keyColumns.get(0)));
    }
    StringBuilder sb = new StringBuilder();
    for (String c : keyColumns) {
      sb.append(row.getField(c)).append('\u0001');
    }
    return sb.toString();
  }

  private void loadKeys() {
    if (silver.currentSnapshot() == null) {
      return;
    }
    try (CloseableIterable<Record> rows = TableReader.read(silver, Expressions.alwaysTrue(), keyColumns)) {
      for (Record r : rows) {
        keys.add(key(r));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot load the keys of " + silver.name(), e);
    }
  }

  private static SourcePositions positions(Table table) {
    return SourcePositions.parse(SnapshotPositions.latest(table, SourcePositions.SUMMARY_KEY).orElse(null));
  }

  private static Map<String, String> summary(Table table) {
    return table.currentSnapshot() == null ? Map.of() : table.currentSnapshot().summary();
  }

  private static String header(ConsumerRecord<?, ?> rec, String name) {
    Header h = rec.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  }
}
