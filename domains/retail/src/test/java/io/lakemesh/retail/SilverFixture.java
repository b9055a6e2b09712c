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
import org.apache.kafka.common.utils.Utils;

/**
 * retail.transactions' source stage without a broker, for tests of the stages after it: a committer over the
 * product's three tables and generated valid sales as the raw records Kafka would hand it (partition 0, keyed as the ingest endpoint keys them).
 */
final class SilverFixture {
  private final RetailTrafficSource traffic = new RetailTrafficSource();
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private final Random random;
  private final int partitions;
  final Table silver;
  final SourceBatchCommitter committer;

  SilverFixture(Warehouse warehouse, Product transactions, long seed) {
    this.random = new Random(seed);
    this.partitions = transactions.contract().settings().partitions();
    this.silver = StageTables.served(warehouse, transactions);
    this.committer = new SourceBatchCommitter(transactions.boundTo(silver.schema()),
        StageTables.bronze(warehouse, transactions), silver, StageTables.quarantine(warehouse, transactions),
        Runnable::run, null);
  }

  /**
   * {@code count} valid sales at offsets from {@code from}, all of them sales whose key Kafka's partitioner puts in
   * partition 0, as the ingest endpoint would (the committer quarantines an event in another partition as misrouted).
   */
  List<ConsumerRecord<byte[], byte[]>> sales(long from, int count) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    while (records.size() < count) {
      String sale = traffic.nextEvent(random, TrafficSource.EventKind.VALID);
      String key;
      try {
        key = JSON.readTree(sale).path("transaction_id").asText();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      if (Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions != 0) {
        continue;
      }
      records.add(new ConsumerRecord<>("retail.transactions.raw", 0, from + records.size(),
          System.currentTimeMillis(), TimestampType.CREATE_TIME, 0, 0, key.getBytes(StandardCharsets.UTF_8),
          sale.getBytes(StandardCharsets.UTF_8), new RecordHeaders(), Optional.empty()));
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
