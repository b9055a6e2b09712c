package io.lakemesh.retail;

import io.lakemesh.retail.simulate.RetailTrafficSource;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.simulate.TrafficSource;
import io.lakemesh.runtime.storage.Warehouse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * retail.transactions' source stage without a broker, for tests of the stages after it: a committer over the
 * product's three tables and generated valid sales as the raw records Kafka would hand it (partition 0).
 */
final class SilverFixture {
  private final RetailTrafficSource traffic = new RetailTrafficSource();
  private final Random random;
  final Table silver;
  final SourceBatchCommitter committer;

  SilverFixture(Warehouse warehouse, Product transactions, long seed) {
    this.random = new Random(seed);
    this.silver = StageTables.served(warehouse, transactions);
    this.committer = new SourceBatchCommitter(transactions.boundTo(silver.schema()),
        StageTables.bronze(warehouse, transactions), silver, StageTables.quarantine(warehouse, transactions),
        Runnable::run, null);
  }

  /** {@code count} valid sales at offsets from {@code from}. */
  List<ConsumerRecord<byte[], byte[]>> sales(long from, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] payload = traffic.nextEvent(random, TrafficSource.EventKind.VALID).getBytes(StandardCharsets.UTF_8);
      records.add(new ConsumerRecord<>("retail.transactions.raw", 0, from + i, System.currentTimeMillis(),
          TimestampType.CREATE_TIME, 0, 0, null, payload, new RecordHeaders(), Optional.empty()));
    }
    return records;
  }

  /** Rows in the table's current snapshot. */
  static long rowCount(Table table) throws java.io.IOException {
    table.refresh();
    long n = 0;
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.data.Record> rows =
        io.lakemesh.runtime.storage.TableReader.read(table)) {
      for (org.apache.iceberg.data.Record ignored : rows) {
        n++;
      }
    }
    return n;
  }
}
