package io.lakemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakemesh.bench.BenchArgs.Baseline;
import io.lakemesh.runtime.pipeline.SourcePositions;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.TableWriter;
import io.lakemesh.runtime.storage.Warehouse;
import java.io.IOException;
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
 * The baselines: what landing the raw topic in Iceberg costs with nothing of Lakemesh's on top. The same consumer
 * loop and batch size, one table, one append per batch carrying the Kafka positions (so it could resume exactly
 * once, like the real thing). No hashing, validation, dedup, bronze or gold.
 *
 * <ul>
 *   <li>{@link Baseline#PAYLOAD}: each record as it came, (partition, offset, payload), in one unpartitioned table.
 *   <li>{@link Baseline#TYPED}: what a sink such as Iceberg's Kafka Connect sink does: each event parsed and its
 *       values coerced to the product's silver schema, into a table partitioned as silver is (day(ts) x region).
 *       Events that do not fit the schema are counted and skipped, as a sink's dead-letter queue takes them.
 * </ul>
 */
final class BaselineIngest {

  static final Schema RAW = new Schema(
      Types.NestedField.required(1, "kafka_partition", Types.IntegerType.get()),
      Types.NestedField.required(2, "kafka_offset", Types.LongType.get()),
      Types.NestedField.required(3, "payload", Types.StringType.get()));

  private static final ObjectMapper JSON = new ObjectMapper();

  private BaselineIngest() {}

  static RunResult run(Warehouse warehouse, String bootstrap, RawTopicLoader.Loaded loaded, BenchArgs args,
      Baseline kind, Product product, int round, boolean warmup) {
    Table table = kind == Baseline.PAYLOAD
        ? warehouse.createOrLoad(TableIdentifier.of("bench", "raw_events"), RAW, PartitionSpec.unpartitioned(),
            Map.of())
        : warehouse.createOrLoad(TableIdentifier.of("bench", "typed_events"), product.schema(), product.spec(),
            Map.of());
    GenericRecord template = GenericRecord.create(table.schema());
    JsonToRecord typed = new JsonToRecord(table.schema().asStruct());
    Map<Integer, Long> next = new HashMap<>();
    long[] rows = {0};
    long[] unfit = {0};
    double[] commitSeconds = {0};
    Meter meter = Meter.start();
    BatchLoop.Stats stats = BatchLoop.run(bootstrap, Map.of(), loaded.endOffsets(), args.batchSize(),
        args.maxPollRecords(), batch -> {
          long t0 = System.nanoTime();
          List<Record> records = new ArrayList<>(batch.size());
          for (ConsumerRecord<byte[], byte[]> r : batch) {
            next.merge(r.partition(), r.offset() + 1, Math::max);
            if (kind == Baseline.PAYLOAD) {
              GenericRecord row = template.copy();
              row.set(0, r.partition());
              row.set(1, r.offset());
              row.set(2, new String(r.value(), StandardCharsets.UTF_8));
              records.add(row);
            } else {
              try {
                records.add(typed.convert(parse(r.value())));
              } catch (JsonToRecord.Unfit e) {
                unfit[0]++;
              }
            }
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
    if (tableRows != rows[0] || rows[0] + unfit[0] != loaded.events()) {
      throw new IllegalStateException(kind.label() + " table holds " + tableRows + " rows and skipped " + unfit[0]
          + " events, expected " + loaded.events() + " in all");
    }
    return new RunResult(kind.label(), round, warmup, loaded.events(), m.seconds(), m.cpuSeconds(),
        m.gcSeconds(), stats.pollSeconds(), commitSeconds[0], 0, stats.batches(), 0, rows[0], null);
  }

  private static JsonNode parse(byte[] event) {
    try {
      return JSON.readTree(event);
    } catch (IOException e) {
      throw new JsonToRecord.Unfit("not JSON: " + e.getMessage());
    }
  }
}
