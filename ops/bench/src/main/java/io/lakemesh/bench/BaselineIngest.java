package io.lakemesh.bench;

import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The baseline: what landing the raw topic in Iceberg costs with nothing of Lakemesh's on top. The same consumer
 * loop and batch size, one unpartitioned table of (partition, offset, payload), one append per batch carrying the
 * Kafka positions (so it could resume exactly once, like the real thing). No hashing, validation, dedup or gold.
 */
final class BaselineIngest {

  static final Schema RAW = new Schema(
      Types.NestedField.required(1, "kafka_partition", Types.IntegerType.get()),
      Types.NestedField.required(2, "kafka_offset", Types.LongType.get()),
      Types.NestedField.required(3, "payload", Types.StringType.get()));

  private BaselineIngest() {}

  static RunResult run(Warehouse warehouse, String bootstrap, RawTopicLoader.Loaded loaded, BenchArgs args,
      int round, boolean warmup) {
    Table table = warehouse.createOrLoad(TableIdentifier.of("bench", "raw_events"), RAW,
        PartitionSpec.unpartitioned(), Map.of());
    GenericRecord template = GenericRecord.create(table.schema());
    Map<Integer, Long> next = new HashMap<>();
    long[] rows = {0};
    double[] commitSeconds = {0};
    Meter meter = Meter.start();
    BatchLoop.Stats stats = BatchLoop.run(bootstrap, Map.of(), loaded.endOffsets(), args.batchSize(),
        args.maxPollRecords(), batch -> {
          long t0 = System.nanoTime();
          List<Record> records = new ArrayList<>(batch.size());
          for (ConsumerRecord<byte[], byte[]> r : batch) {
            GenericRecord row = template.copy();
            row.set(0, r.partition());
            row.set(1, r.offset());
            row.set(2, new String(r.value(), StandardCharsets.UTF_8));
            records.add(row);
            next.merge(r.partition(), r.offset() + 1, Math::max);
          }
          List<DataFile> files = TableWriter.write(table, records);
          TableWriter.append(table, files,
              Map.of(SourcePositions.SUMMARY_KEY, new SourcePositions(next).encode()));
          rows[0] += records.size();
          commitSeconds[0] += (System.nanoTime() - t0) / 1e9;
        });
    Meter.Reading m = meter.stop();
    table.refresh();
    long tableRows = Long.parseLong(table.currentSnapshot().summary().get("total-records"));
    if (tableRows != loaded.events()) {
      throw new IllegalStateException("baseline table holds " + tableRows + " rows, expected " + loaded.events());
    }
    return new RunResult("baseline", round, warmup, loaded.events(), m.seconds(), m.cpuSeconds(), m.gcSeconds(),
        stats.pollSeconds(), commitSeconds[0], 0, stats.batches(), 0, rows[0], null);
  }
}
