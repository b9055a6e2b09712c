package io.lakemesh.bench;

import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.RowValidator;
import io.lakemesh.contracts.validate.Violation;
import io.lakemesh.runtime.pipeline.CommitFeed;
import io.lakemesh.runtime.pipeline.CommitListener;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.RawText;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Per-phase cost of one micro-batch, measured by replaying the steps of {@code SourceBatchCommitter.commit} one
 * after the other on one thread, each timed on its own, on fresh tables (plus a real {@code GoldAggregator.run}
 * per batch and the baseline's steps on the same batches for comparison).
 *
 * <p>The steps mirror {@code SourceBatchCommitter.commit} through public APIs (same row builders, same
 * TableWriter calls); they are a measuring aid, not a second implementation: the timed runs use the real class.
 * In the real committer, bronze and silver files are written in parallel on the io pool, so on 2 cores its wall
 * time is lower than the sum shown here.
 */
final class PhaseReplay {

  private final Map<String, Long> nanos = new LinkedHashMap<>();
  private final Map<String, Integer> fileCounts = new HashMap<>();
  private long events;
  private int batchCount;

  private PhaseReplay() {}

  /**
   * @param scratch a second warehouse whose LocalFileIO does not fsync, for the what-if "no fsync per file"
   */
  static String run(Warehouse warehouse, Warehouse scratch, ProductCatalog catalog,
      List<List<ConsumerRecord<byte[], byte[]>>> batches) {
    PhaseReplay replay = new PhaseReplay();
    replay.replay(warehouse, scratch, catalog, batches);
    return replay.report();
  }

  private void replay(Warehouse warehouse, Warehouse scratch, ProductCatalog catalog,
      List<List<ConsumerRecord<byte[], byte[]>>> batches) {
    Product product = catalog.find("retail.transactions").orElseThrow();
    Product goldProduct = catalog.find("retail.daily_sales").orElseThrow();
    RowValidator validator = product.validator();
    Table bronze = StageTables.bronze(warehouse, product);
    Table silver = StageTables.served(warehouse, product);
    Table quarantine = StageTables.quarantine(warehouse, product);
    Table raw = warehouse.createOrLoad(TableIdentifier.of("bench", "raw_events"), BaselineIngest.RAW,
        PartitionSpec.unpartitioned(), Map.of());
    // as on a node (and in the measured runs): gold folds silver's commits from memory, not from its files
    CommitFeed feed = new CommitFeed(4);
    GoldAggregator gold = new GoldAggregator(goldProduct, catalog.aggregation(goldProduct),
        StageTables.served(warehouse, goldProduct), StageTables.served(warehouse, product), feed,
        CommitListener.NONE);
    // what-if tables: the same silver rows under another layout (not part of the lakemesh totals)
    Table silverUnpartitioned = warehouse.createOrLoad(TableIdentifier.of("whatif", "silver_unpartitioned"),
        product.schema(), PartitionSpec.unpartitioned(), Map.of());
    Table silverByDay = warehouse.createOrLoad(TableIdentifier.of("whatif", "silver_by_day"), product.schema(),
        PartitionSpec.builderFor(product.schema()).day("ts").build(), Map.of());
    Table silverSnappy = warehouse.createOrLoad(TableIdentifier.of("whatif", "silver_snappy"), product.schema(),
        product.spec(), Map.of(TableProperties.PARQUET_COMPRESSION, "snappy"));
    Table bronzeNoDict = warehouse.createOrLoad(TableIdentifier.of("whatif", "bronze_no_dict"), StageTables.BRONZE,
        PartitionSpec.builderFor(StageTables.BRONZE).day("received_at").build(),
        Map.of(TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + "event_hash", "false",
            TableProperties.PARQUET_DICT_ENCODING_ENABLED_COLUMN_PREFIX + "payload", "false"));
    Table silverNoFsync = scratch.createOrLoad(TableIdentifier.of("whatif", "silver_no_fsync"), product.schema(),
        product.spec(), Map.of());
    GenericRecord bronzeTemplate = GenericRecord.create(bronze.schema());
    GenericRecord quarantineTemplate = GenericRecord.create(quarantine.schema());
    GenericRecord reasonTemplate = GenericRecord.create(
        quarantine.schema().findField("reasons").type().asListType().elementType().asStructType());
    GenericRecord rawTemplate = GenericRecord.create(raw.schema());
    List<String> keyColumns = product.keyColumns();
    Set<String> keys = new HashSet<>();
    Map<Integer, Long> next = new HashMap<>();

    for (List<ConsumerRecord<byte[], byte[]>> batch : batches) {
      events += batch.size();
      batchCount++;
      int n = batch.size();
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        next.merge(r.partition(), r.offset() + 1, Math::max);
      }
      Map<String, String> summary = Map.of(SourcePositions.SUMMARY_KEY, new SourcePositions(next).encode());

      // ---- baseline steps on the same batch
      List<Record> rawRows = new ArrayList<>(n);
      long t = System.nanoTime();
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        GenericRecord row = rawTemplate.copy();
        row.set(0, r.partition());
        row.set(1, r.offset());
        row.set(2, new String(r.value(), StandardCharsets.UTF_8));
        rawRows.add(row);
      }
      t = lap("baseline: build rows", t);
      List<DataFile> rawFiles = TableWriter.write(raw, rawRows);
      t = lap("baseline: write parquet", t);
      TableWriter.append(raw, rawFiles, summary);
      lap("baseline: append commit", t);

      // ---- lakemesh source steps (SourceBatchCommitter.commit, serialized)
      t = System.nanoTime();
      String[] hashes = new String[n];
      for (int i = 0; i < n; i++) {
        hashes[i] = sha256(batch.get(i).value());
      }
      t = lap("source: sha256 of payloads", t);
      List<Record> bronzeRows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ConsumerRecord<byte[], byte[]> r = batch.get(i);
        GenericRecord row = bronzeTemplate.copy();
        row.set(0, product.id());
        row.set(1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(r.timestamp()), ZoneOffset.UTC));
        row.set(2, header(r));
        row.set(3, hashes[i]);
        row.set(4, r.partition());
        row.set(5, r.offset());
        row.set(6, RawText.of(r.value()));
        bronzeRows.add(row);
      }
      t = lap("source: build bronze rows", t);
      // as SourceBatchCommitter does it: from the bytes (the validator streams the common case, and parses a tree
      // only for events with findings), so parsing and decoding are one step
      Outcome[] outcomes = new Outcome[n];
      for (int i = 0; i < n; i++) {
        Instant receivedAt = Instant.ofEpochMilli(batch.get(i).timestamp());
        outcomes[i] = validator.validate(batch.get(i).value(), receivedAt);
      }
      t = lap("source: validate - parse + decode + rules", t);
      List<Record> silverRows = new ArrayList<>(n);
      List<Record> quarantineRows = new ArrayList<>();
      Set<String> batchKeys = new HashSet<>();
      for (int i = 0; i < n; i++) {
        ConsumerRecord<byte[], byte[]> r = batch.get(i);
        if (outcomes[i] instanceof Outcome.Accepted accepted) {
          String key = key(accepted.row(), keyColumns);
          if (!keys.contains(key) && batchKeys.add(key)) {
            silverRows.add(accepted.row());
          }
        } else if (outcomes[i] instanceof Outcome.Rejected rejected) {
          GenericRecord row = quarantineTemplate.copy();
          row.set(0, product.id());
          row.set(1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(r.timestamp()), ZoneOffset.UTC));
          row.set(2, header(r));
          row.set(3, hashes[i]);
          row.set(4, r.partition());
          row.set(5, r.offset());
          List<Record> reasons = new ArrayList<>();
          for (Violation v : rejected.errors()) {
            GenericRecord reason = reasonTemplate.copy();
            reason.set(0, v.code());
            reason.set(1, v.field());
            reason.set(2, v.rule());
            reason.set(3, v.message());
            reasons.add(reason);
          }
          row.set(6, reasons);
          row.set(7, RawText.of(r.value()));
          row.set(8, OffsetDateTime.now(ZoneOffset.UTC));
          quarantineRows.add(row);
        }
      }
      keys.addAll(batchKeys);
      t = lap("source: dedup + quarantine rows", t);
      List<DataFile> bronzeFiles = TableWriter.write(bronze, bronzeRows);
      t = lap("source: write bronze parquet", t);
      List<DataFile> silverFiles = TableWriter.write(silver, silverRows);
      t = lap("source: write silver parquet", t);
      List<DataFile> quarantineFiles = quarantineRows.isEmpty() ? List.of()
          : TableWriter.write(quarantine, quarantineRows);
      t = lap("source: write quarantine parquet", t);
      TableWriter.append(bronze, bronzeFiles, summary);
      t = lap("source: append commit bronze", t);
      Snapshot silverCommit = TableWriter.append(silver, silverFiles, summary);
      feed.committed(product.id(), silverCommit, silverRows);
      t = lap("source: append commit silver", t);
      TableWriter.append(quarantine, quarantineFiles, summary);
      t = lap("source: append commit quarantine", t);
      gold.run();
      t = lap("gold: GoldAggregator.run (fold from memory, write, replace)", t);

      List<DataFile> files = TableWriter.write(silverUnpartitioned, silverRows);
      t = lap("what-if: silver parquet, unpartitioned", t);
      fileCounts.merge("what-if: silver parquet, unpartitioned", files.size(), Integer::sum);
      files = TableWriter.write(silverByDay, silverRows);
      t = lap("what-if: silver parquet, day(ts) only", t);
      fileCounts.merge("what-if: silver parquet, day(ts) only", files.size(), Integer::sum);
      files = TableWriter.write(silverSnappy, silverRows);
      t = lap("what-if: silver parquet, day(ts) x region, snappy", t);
      fileCounts.merge("what-if: silver parquet, day(ts) x region, snappy", files.size(), Integer::sum);
      files = TableWriter.write(silverNoFsync, silverRows);
      t = lap("what-if: silver parquet, day(ts) x region, no fsync", t);
      fileCounts.merge("what-if: silver parquet, day(ts) x region, no fsync", files.size(), Integer::sum);
      List<Record> bronzeCopy = new ArrayList<>(bronzeRows.size());
      GenericRecord noDictTemplate = GenericRecord.create(bronzeNoDict.schema());
      for (Record r : bronzeRows) {
        GenericRecord c = noDictTemplate.copy();
        for (int i = 0; i < r.size(); i++) {
          c.set(i, r.get(i));
        }
        bronzeCopy.add(c);
      }
      t = System.nanoTime();
      files = TableWriter.write(bronzeNoDict, bronzeCopy);
      t = lap("what-if: bronze parquet, no dictionary for event_hash, payload", t);
      fileCounts.merge("what-if: bronze parquet, no dictionary for event_hash, payload", files.size(), Integer::sum);
      // Iceberg's Parquet.WriteBuilder makes a new Hadoop Configuration for every file that is not a
      // HadoopOutputFile and sets keys on it, which parses the default XML resources again (core-, mapred-,
      // yarn-, hdfs-default.xml once Parquet has loaded the mapred classes): that cost, once per silver file
      for (int i = 0; i < silverFiles.size(); i++) {
        new org.apache.hadoop.conf.Configuration().set("parquet.bench.probe", "x");
      }
      lap("what-if: only new Configuration().set(..) once per silver file", t);
      fileCounts.merge("what-if: only new Configuration().set(..) once per silver file", silverFiles.size(),
          Integer::sum);
      fileCounts.merge("source: write silver parquet", silverFiles.size(), Integer::sum);
      fileCounts.merge("source: write bronze parquet", bronzeFiles.size(), Integer::sum);
      fileCounts.merge("source: write quarantine parquet", quarantineFiles.size(), Integer::sum);
      fileCounts.merge("baseline: write parquet", rawFiles.size(), Integer::sum);
    }
  }

  private long lap(String phase, long since) {
    long now = System.nanoTime();
    nanos.merge(phase, now - since, Long::sum);
    return now;
  }

  private String report() {
    long baseline = 0;
    long lakemesh = 0;
    for (Map.Entry<String, Long> e : nanos.entrySet()) {
      if (e.getKey().startsWith("baseline")) {
        baseline += e.getValue();
      } else if (!e.getKey().startsWith("what-if")) {
        lakemesh += e.getValue();
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  %d events in %d micro-batches, every phase run alone on one thread%n", events,
        batchCount));
    sb.append(String.format("  %-64s %9s %9s %8s %7s%n", "phase", "seconds", "us/event", "share", "files"));
    for (Map.Entry<String, Long> e : nanos.entrySet()) {
      if (e.getKey().startsWith("what-if")) {
        continue;
      }
      long total = e.getKey().startsWith("baseline") ? baseline : lakemesh;
      sb.append(String.format("  %-64s %9.3f %9.2f %7.1f%% %7s%n", e.getKey(), e.getValue() / 1e9,
          e.getValue() / 1e3 / events, 100.0 * e.getValue() / total, files(e.getKey())));
    }
    sb.append(String.format("  %-64s %9.3f %9.2f  -> %,.0f events/s on one thread%n", "baseline total",
        baseline / 1e9, baseline / 1e3 / events, events / (baseline / 1e9)));
    sb.append(String.format("  %-64s %9.3f %9.2f  -> %,.0f events/s on one thread%n", "lakemesh total (source + gold)",
        lakemesh / 1e9, lakemesh / 1e3 / events, events / (lakemesh / 1e9)));
    sb.append("  what-if: the same rows written another way (not in the totals above)\n");
    for (Map.Entry<String, Long> e : nanos.entrySet()) {
      if (e.getKey().startsWith("what-if")) {
        sb.append(String.format("  %-64s %9.3f %9.2f %8s %7s%n", e.getKey(), e.getValue() / 1e9,
            e.getValue() / 1e3 / events, "", files(e.getKey())));
      }
    }
    return sb.toString();
  }

  private String files(String phase) {
    Integer n = fileCounts.get(phase);
    return n == null ? "" : Integer.toString(n);
  }

  private static String key(Record row, List<String> keyColumns) {
    if (keyColumns.size() == 1) {
      return String.valueOf(row.getField(keyColumns.get(0)));
    }
    StringBuilder sb = new StringBuilder();
    for (String c : keyColumns) {
      sb.append(row.getField(c)).append('\u0001');
    }
    return sb.toString();
  }

  private static String header(ConsumerRecord<?, ?> r) {
    Header h = r.headers().lastHeader(SourceBatchCommitter.SOURCE_HEADER);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
