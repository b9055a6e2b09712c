package io.lakemesh.runtime.pipeline;

import io.lakemesh.contracts.model.LocatedRule;
import io.lakemesh.contracts.model.Severity;
import io.lakemesh.contracts.model.QualityRule;
import io.lakemesh.contracts.validate.BatchChecks;
import io.lakemesh.contracts.validate.ShownText;
import io.lakemesh.contracts.validate.Outcome;
import io.lakemesh.contracts.validate.Violation;
import io.lakemesh.runtime.log.Topics;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.RoutingKey;
import io.lakemesh.runtime.quality.SqlRules;
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
  private static final int PREPARE_PARALLELISM = Math.max(2, Runtime.getRuntime().availableProcessors());

  private final Product product;
  /** The names of the contract's quality rules: counted by name; built-in checks are counted per field. */
  private final Set<String> ruleNames;
  /** The quality rules judged on each event (CEL, and library rules that refuse any offender), by name. */
  private final List<String> rowRules;
  private final Set<Integer> partitions;
  /** The label of this committer's silver files when it commits one partition ({@link #label}), else null. */
  private final String silverLabel;
  private long lastRetention = System.nanoTime();
  /**
   * Set by an operator's resume: the events before these positions (the batch the stage halted on) go to quarantine
   * if they fail a critical rule again, instead of halting; null otherwise.
   */
  private Map<Integer, Long> heldBatchEnd;
  /** Whether the held batch's failing events go to quarantine rather than halt the stage again. */
  private boolean heldQuarantines;
  /** Where the batch that last failed a critical rule ends (exclusive positions), for the operator's resume. */
  private volatile Map<Integer, Long> haltedBatchEnd;
  /** The receipt of the oldest live (not backlog) event of the batch the stage halted on; null if none. */
  private volatile Instant haltedOldestLive;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SourceBatchCommitter.class);
  private final int partitionCount;
  private final Table bronze;
  private final Table silver;
  private final Table quarantine;
  private final CompactionSchedule compactions;
  private final Executor io;
  private final List<String> keyColumns;
  /** How events are routed to partitions by their key; null without a primary key. */
  private final RoutingKey routing;
  private final KeyIndex keys = new KeyIndex();
  private final GenericRecord bronzeTemplate;
  private final GenericRecord quarantineTemplate;
  private final GenericRecord reasonTemplate;

  // read by prepare() on other threads while commit() advances them
  private volatile SourcePositions bronzeAt;
  private volatile SourcePositions silverAt;
  private volatile SourcePositions quarantineAt;
  private final BatchChecks batchChecks;
  private final CommitListener feed;
  private final SqlRules sqlRules;
  private Counters silverCounts;
  private Counters quarantineCounts;
  /** Events received before this are backlog: not charged against the latency objective (see BatchLatency). */
  private volatile Instant latencyFrom = Instant.EPOCH;

  /**
   * What one batch did, for stats and downstream stages.
   *
   * @param latency what the batch is charged against the latency objective (see {@link BatchLatency}); null when
   *     it held only backlog
   * @param batches how many batches were committed: 2 when the batch an operator resumed past came with more events
   *     after it (the two are committed one after the other)
   */
  public record BatchResult(int bronzeRows, int silverRows, int quarantined, int duplicates,
      Long silverSnapshotId, Instant committedAt, java.time.Duration latency, int batches) {}

  public SourceBatchCommitter(Product product, Table bronze, Table silver, Table quarantine, Executor io) {
    this(product, bronze, silver, quarantine, io, null);
  }

  /** A committer of all the product's partitions. */
  public SourceBatchCommitter(Product product, Table bronze, Table silver, Table quarantine, Executor io,
      CommitListener feed) {
    this(product, allPartitions(product), bronze, silver, quarantine, io, feed);
  }

  /**
   * A committer of some of the product's Kafka partitions; other workers may commit the others to the same tables
   * at the same time. Deduplication is per partition: producers key events by primary key (the ingest endpoint
   * does), so all copies of a key land in one partition.
   *
   * @param feed told about every silver commit with its rows (downstream stages, live streams); may be null
   */
  public SourceBatchCommitter(Product product, Set<Integer> partitions, Table bronze, Table silver,
      Table quarantine, Executor io, CommitListener feed) {
    this.ruleNames = product.contract().locatedRules().stream().map(r -> r.rule().name())
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.rowRules = product.contract().locatedRules().stream().map(r -> r.rule())
        .filter(r -> r instanceof QualityRule.Cel || r instanceof QualityRule.Library lib
            && !BatchChecks.isBatchLevel(lib))
        .map(QualityRule::name).distinct().toList();
    this.partitions = Set.copyOf(partitions);
    this.silverLabel = partitions.size() == 1 ? label(partitions.iterator().next()) : null;
    this.partitionCount = product.contract().settings().partitions();
    this.feed = feed;
    this.product = product;
    this.bronze = bronze;
    this.silver = silver;
    this.quarantine = quarantine;
    this.compactions = new CompactionSchedule(product.id(), List.of(bronze, silver, quarantine));
    this.io = io;
    this.keyColumns = product.keyColumns();
    this.routing = RoutingKey.of(product).orElse(null);
    // rows are built from the tables' own schemas: Iceberg numbers fields afresh when it creates a table
    this.bronzeTemplate = GenericRecord.create(bronze.schema());
    this.quarantineTemplate = GenericRecord.create(quarantine.schema());
    this.reasonTemplate = GenericRecord.create(
        quarantine.schema().findField("reasons").type().asListType().elementType().asStructType());
    this.bronzeAt = positions(bronze);
    this.silverAt = positions(silver);
    this.quarantineAt = positions(quarantine);
    // a partition that halted before this committer (a restart, another node) retries that batch alone, as a
    // resume does: the events that arrived while it was halted must not change its measure
    Map<Integer, Long> halted = HaltedBatches.pending(silver, this.partitions, silverAt);
    if (!halted.isEmpty()) {
      heldBatchEnd = Map.copyOf(halted);
      heldQuarantines = false;
    }
    this.silverCounts = Counters.committed(silver, this.partitions);
    this.quarantineCounts = Counters.committed(quarantine, this.partitions);
    this.batchChecks = BatchChecks.of(product.contract());
    this.sqlRules = SqlRules.of(product.contract(), localDirectory(silver.location()));
    loadKeys();
  }

  /**
   * Judges the batch against the contract's batch-level rules; verdicts are counted per rule. A failing critical
   * rule stops the stage before anything is committed.
   */
  /**
   * The counter a violation adds to: a quality rule's name, or for a built-in check (an option such as
   * {@code maximum} or {@code pattern}, {@code required}, the type) the check and its field, array positions folded
   * ({@code maximum:items[].qty}), so that failures of one option on different fields are told apart.
   */
  /**
   * The warning counters a kept row adds to: each rule (or check) once, however many of its values (items of an
   * array, say) the rule flagged, since the counters count rows.
   */
  private Set<String> warningCounters(Outcome.Accepted accepted) {
    if (accepted.warnings().isEmpty()) {
      return Set.of(); // most rows: nothing to make
    }
    Set<String> counters = new java.util.LinkedHashSet<>();
    accepted.warnings().forEach(w -> counters.add("warning." + counterName(w)));
    return counters;
  }

  private String counterName(Violation v) {
    return counterName(v, ruleNames);
  }

  static String counterName(Violation v, Set<String> ruleNames) {
    if (ruleNames.contains(v.rule()) || v.field() == null || v.field().isEmpty()) {
      return v.rule();
    }
    return v.rule() + ":" + v.field().replaceAll("\\[\\d+]", "[]");
  }

  private void checkBatch(List<Record> rows, Map<String, Long> offenders, Counters silverDelta) {
    if (batchChecks.checks().isEmpty()) {
      return;
    }
    long tableRows = silverTotal() + rows.size();
    java.util.function.ToLongFunction<List<String>> duplicatesOf = fields -> {
      Set<Object> seen = new HashSet<>();
      long repeats = 0;
      for (Record r : rows) {
        // top-level properties; nested paths are not counted, and a row with a null among them repeats nothing
        List<Object> values = new ArrayList<>(fields.size());
        for (String field : fields) {
          values.add(r.getField(field));
        }
        if (!values.contains(null) && !seen.add(values.size() == 1 ? values.get(0) : values)) {
          repeats++;
        }
      }
      return repeats;
    };
    count(batchChecks.evaluate(new BatchChecks.BatchFacts(rows.size(), tableRows, offenders, duplicatesOf)),
        silverDelta);
  }

  /**
   * Counts a batch's verdicts, every rule judged; when a critical one failed, counts none (the batch is not
   * committed as judged) and stops it, naming each critical rule that failed.
   */
  private void count(List<BatchChecks.Verdict> verdicts, Counters silverDelta) {
    List<BatchChecks.Verdict> critical = verdicts.stream()
        .filter(v -> !v.passed() && v.severity() == Severity.CRITICAL).toList();
    if (!critical.isEmpty()) {
      Map<String, String> measures = new java.util.LinkedHashMap<>();
      critical.forEach(v -> measures.putIfAbsent(v.rule(), v.message()));
      throw new QualityGateException(product.id(), measures);
    }
    verdicts.forEach(v -> silverDelta.add("check." + v.rule() + (v.passed() ? ".passed" : ".failed"), 1));
  }

  /** Runs the contract's sql rules over the batch's silver files before they are committed. */
  private void checkSql(List<DataFile> batchFiles, Counters silverDelta) {
    List<String> batch = batchFiles.stream().map(DataFile::location).toList();
    List<String> table = new ArrayList<>(batch);
    if (silver.currentSnapshot() != null) {
      try (var tasks = silver.newScan().planFiles()) {
        tasks.forEach(t -> table.add(t.file().location()));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    count(sqlRules.evaluate(batch, table), silverDelta);
  }

  /** The local directory of a table, or null when its files are not local (DuckDB cannot read them then). */
  private static java.nio.file.Path localDirectory(String location) {
    if (location.startsWith("file:")) {
      return java.nio.file.Path.of(java.net.URI.create(location.startsWith("file:///") ? location
          : "file://" + location.substring("file:".length())));
    }
    return location.startsWith("/") ? java.nio.file.Path.of(location) : null;
  }

  private long silverTotal() {
    var snapshot = silver.currentSnapshot();
    String total = snapshot == null ? null : snapshot.summary().get("total-records");
    return total == null ? 0 : Long.parseLong(total);
  }

  /** Where the consumer must resume: no table may miss a record. */
  public SourcePositions resumeFrom() {
    return bronzeAt.min(silverAt).min(quarantineAt);
  }

  /** The positions silver has committed: what is durable and deduplicated. */
  public SourcePositions silverPositions() {
    return silverAt;
  }

  /** One raw event, validated and turned into the rows it yields (null where a table already holds it). */
  private record Entry(ConsumerRecord<byte[], byte[]> record, Record bronzeRow, Outcome outcome,
      Record quarantineRow, boolean toSilver) {}

  /**
   * A batch validated and converted, ready to commit. Preparing is free of side effects.
   *
   * @param oldestLive the receipt of the batch's oldest event received since {@link #chargeLatencyFrom}; null when
   *     every event was received before (backlog)
   */
  public record Prepared(List<Entry> entries, Map<Integer, Long> batchNext, Instant oldestLive) {}

  /**
   * Validates and converts a batch, split over the I/O executor's threads. Safe to run while the previous batch
   * commits: a record's skip decision only depends on positions of records before this batch.
   */
  public Prepared prepare(List<ConsumerRecord<byte[], byte[]>> batch) {
    Map<Integer, Long> batchNext = new HashMap<>();
    long oldest = Long.MAX_VALUE;
    long liveSince = latencyFrom.toEpochMilli();
    for (ConsumerRecord<byte[], byte[]> rec : batch) {
      batchNext.merge(rec.partition(), rec.offset() + 1, Math::max);
      if (rec.timestamp() >= liveSince) {
        oldest = Math.min(oldest, rec.timestamp());
      }
    }
    int chunks = batch.size() < 2_000 ? 1 : PREPARE_PARALLELISM;
    int size = (batch.size() + chunks - 1) / chunks;
    List<CompletableFuture<List<Entry>>> parts = new ArrayList<>(chunks);
    for (int c = 0; c < chunks; c++) {
      List<ConsumerRecord<byte[], byte[]>> slice = batch.subList(Math.min(batch.size(), c * size),
          Math.min(batch.size(), (c + 1) * size));
      parts.add(c == chunks - 1 ? CompletableFuture.completedFuture(prepareSlice(slice))
          : CompletableFuture.supplyAsync(() -> prepareSlice(slice), io));
    }
    List<Entry> entries = new ArrayList<>(batch.size());
    for (CompletableFuture<List<Entry>> part : parts) {
      entries.addAll(part.join());
    }
    return new Prepared(entries, batchNext, oldest == Long.MAX_VALUE ? null : Instant.ofEpochMilli(oldest));
  }

  private List<Entry> prepareSlice(List<ConsumerRecord<byte[], byte[]>> slice) {
    List<Entry> entries = new ArrayList<>(slice.size());
    for (ConsumerRecord<byte[], byte[]> rec : slice) {
      int partition = rec.partition();
      long offset = rec.offset();
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
      Record bronzeRow = toBronze ? bronzeRow(rec, payload, receivedAt, hash, source) : null;
      Outcome outcome = null;
      Record quarantineRow = null;
      if (toSilver || toQuarantine) {
        outcome = judge(rec, payload, receivedAt);
        if (outcome instanceof Outcome.Rejected rejected && toQuarantine) {
          quarantineRow = quarantineRow(rec, payload, receivedAt, hash, source, rejected.errors());
        }
      }
      entries.add(new Entry(rec, bronzeRow, outcome, quarantineRow, toSilver));
    }
    return entries;
  }

  /** Validates and commits one batch (for callers that do not overlap preparing and committing). */
  public BatchResult commit(List<ConsumerRecord<byte[], byte[]>> batch) {
    return commit(prepare(batch));
  }

  /**
   * Deduplicates, checks the batch-level quality rules, writes and commits a prepared batch. Batches must be
   * committed in the order they were consumed.
   *
   * @throws QualityGateException when a critical batch-level rule fails: nothing of the batch is committed (but the
   *     batch an operator resumed past may be, before the events after it fail: see
   *     {@link QualityGateException#committedBefore})
   */
  public BatchResult commit(Prepared prepared) {
    if (heldBatchEnd == null) {
      return commitBatch(prepared, false);
    }
    // the batch the stage halted on is judged alone, as it was; what was polled with it is another batch
    List<Entry> held = new ArrayList<>();
    List<Entry> rest = new ArrayList<>();
    for (Entry e : prepared.entries()) {
      Long end = heldBatchEnd.get(e.record().partition());
      (end != null && e.record().offset() < end ? held : rest).add(e);
    }
    if (held.isEmpty()) {
      forgetHalt(); // committed already (by a worker before this one)
      return commitBatch(prepared, false);
    }
    Map<Integer, Long> heldNext = new HashMap<>();
    prepared.batchNext().forEach((partition, next) -> heldNext.put(partition,
        Math.min(next, heldBatchEnd.getOrDefault(partition, next))));
    BatchResult first = commitBatch(new Prepared(held, heldNext, prepared.oldestLive()), heldQuarantines);
    if (heldBatchEnd.entrySet().stream().allMatch(e -> silverAt.next(e.getKey()) >= e.getValue())) {
      forgetHalt(); // all of it is judged (it may come in more than one poll)
    }
    if (rest.isEmpty()) {
      return first;
    }
    BatchResult second;
    try {
      second = commitBatch(new Prepared(rest, prepared.batchNext(), prepared.oldestLive()), false);
    } catch (QualityGateException halted) {
      throw halted.afterCommitting(first); // the held batch is committed: its result is reported all the same
    }
    return new BatchResult(first.bronzeRows() + second.bronzeRows(), first.silverRows() + second.silverRows(),
        first.quarantined() + second.quarantined(), first.duplicates() + second.duplicates(),
        second.silverSnapshotId() != null ? second.silverSnapshotId() : first.silverSnapshotId(),
        second.committedAt(), second.latency(), first.batches() + second.batches());
  }

  private BatchResult commitBatch(Prepared prepared, boolean quarantineIfFailing) {
    fence();
    List<Record> bronzeRows = new ArrayList<>(prepared.entries().size());
    List<Record> silverRows = new ArrayList<>(prepared.entries().size());
    List<Record> quarantineRows = new ArrayList<>();
    Set<String> batchKeys = new HashSet<>();
    Map<Integer, Long> batchNext = prepared.batchNext();
    Counters silverDelta = new Counters();
    Counters quarantineDelta = new Counters();
    List<Entry> silverEntries = new ArrayList<>(prepared.entries().size());
    // copies of a key met earlier in this batch: one may take the place of an earlier copy a resume quarantines
    List<Entry> laterCopies = new ArrayList<>();
    int[] duplicates = {0};
    for (Entry e : prepared.entries()) {
      if (e.bronzeRow() != null) {
        bronzeRows.add(e.bronzeRow());
      }
      if (e.outcome() instanceof Outcome.Accepted accepted && e.toSilver()) {
        // without a primary key a product has no notion of "the same event": every accepted one is a row
        String key = keyColumns.isEmpty() ? null : key(accepted.row());
        if (key != null && (keys.contains(key) || !batchKeys.add(key))) {
          duplicates[0]++;
          silverDelta.add("duplicates", 1);
          if (quarantineIfFailing && !keys.contains(key)) {
            laterCopies.add(e);
          }
          continue;
        }
        warningCounters(accepted).forEach(counter -> silverDelta.add(counter, 1));
        silverRows.add(accepted.row());
        silverEntries.add(e);
      } else if (e.quarantineRow() != null && e.outcome() instanceof Outcome.Rejected rejected) {
        for (Violation v : rejected.errors()) {
          quarantineDelta.add("rule." + counterName(v), 1);
        }
        quarantineRows.add(e.quarantineRow());
      }
    }
    if (gate(() -> checkBatch(silverRows, offenders(silverEntries), silverDelta), quarantineIfFailing, prepared,
        gate -> withSqlFailures(gate, silverRows), gate -> {
          QualityGateException all = withSqlFailures(gate, silverRows);
          quarantineFailing(all, judgeInMemory(all.failedRules().size() > gate.failedRules().size()),
              silverEntries, laterCopies, duplicates, silverRows, quarantineRows, silverDelta, quarantineDelta);
        })) {
      // every rule's verdict on the rows that stay, as for any committed batch (a rule no event broke included)
      FailingBatch.judged(() -> checkBatch(silverRows, offenders(silverEntries), silverDelta));
    }
    SourcePositions nextBronze = bronzeAt.advance(batchNext);
    SourcePositions nextSilver = silverAt.advance(batchNext);
    SourcePositions nextQuarantine = quarantineAt.advance(batchNext);
    // write the three tables' files in parallel; commit them one after the other (each commit is atomic)
    CompletableFuture<List<DataFile>> bronzeFiles = writeAsync(bronze, bronzeRows);
    CompletableFuture<List<DataFile>> silverFiles = writeAsync(silver, silverRows, silverLabel);
    CompletableFuture<List<DataFile>> silverWritten = silverFiles;
    Runnable deleteSilver = () -> silverWritten.join().forEach(f -> silver.io().deleteFile(f.location()));
    if (!sqlRules.isEmpty() && !silverRows.isEmpty() && gate(() -> checkSql(silverWritten.join(), silverDelta),
        quarantineIfFailing, prepared, gate -> {
          // never committed now: leave no litter
          deleteSilver.run();
          bronzeFiles.join().forEach(f -> bronze.io().deleteFile(f.location()));
          return gate;
        }, gate -> quarantineFailing(gate, part -> judgeSql(rowsOf(part)), silverEntries, laterCopies, duplicates,
            silverRows, quarantineRows, silverDelta, quarantineDelta))) {
      // the files held every row of the batch: write those that stay in silver again
      deleteSilver.run();
      silverFiles = silverRows.isEmpty() ? CompletableFuture.completedFuture(List.of())
          : writeAsync(silver, silverRows, silverLabel);
      if (!silverRows.isEmpty()) {
        // every sql rule's verdict on the rows that stay, as for any committed batch
        CompletableFuture<List<DataFile>> kept = silverFiles;
        FailingBatch.judged(() -> checkSql(kept.join(), silverDelta));
      }
    }
    // every row rule judged each kept row: those it did not flag passed it (a warning rule's flags are its
    // warnings); counted after the sql rules, whose failure an operator's resume may send events to quarantine for
    if (!rowRules.isEmpty() && !silverEntries.isEmpty()) {
      Map<String, Long> flagged = offenders(silverEntries);
      for (String rule : rowRules) {
        silverDelta.add("pass." + rule, silverEntries.size() - flagged.getOrDefault(rule, 0L));
      }
    }
    List<DataFile> quarantineFiles = quarantineRows.isEmpty() ? List.of() : TableWriter.write(quarantine,
        quarantineRows);
    // the time of the batch's last commit as the tables record it: the one the product's stats show too
    Instant committed = null;
    if (!nextBronze.equals(bronzeAt)) {
      committed = commitTime(TableWriter.append(bronze, bronzeFiles.join(), summary(nextBronze, null)));
      bronzeAt = nextBronze;
    }
    // quarantine before silver: silver's positions are the product's progress (its lag), so a reader who sees a
    // batch in silver (lag 0) finds that batch's rejected events in quarantine too
    if (!nextQuarantine.equals(quarantineAt)) {
      Counters counts = quarantineCounts.copy();
      quarantineDelta.asMap().forEach(counts::add);
      committed = commitTime(TableWriter.append(quarantine, quarantineFiles, summary(nextQuarantine, counts)));
      quarantineAt = nextQuarantine;
      quarantineCounts = counts;
    }
    Long silverSnapshot = null;
    if (!nextSilver.equals(silverAt)) {
      Counters counts = silverCounts.copy();
      silverDelta.asMap().forEach(counts::add);
      Snapshot s = TableWriter.append(silver, silverFiles.join(), summary(nextSilver, counts));
      silverSnapshot = s.snapshotId();
      committed = commitTime(s);
      if (feed != null) {
        feed.committed(product.id(), s, silverRows);
      }
      silverAt = nextSilver;
      silverCounts = counts;
      for (Record r : silverRows) {
        keys.add(key(r));
      }
    }
    if (committed == null) {
      committed = Instant.now(); // nothing new to commit (a batch of events already stored)
    }
    // receipt of the batch's oldest event to its commit: what the contract's latency objective is about
    return new BatchResult(bronzeRows.size(), silverRows.size(), quarantineRows.size(), duplicates[0], silverSnapshot,
        committed, BatchLatency.charged(prepared.oldestLive(), committed), 1);
  }

  private static Instant commitTime(Snapshot snapshot) {
    return Instant.ofEpochMilli(snapshot.timestampMillis());
  }

  /**
   * Runs a batch's critical checks. A failure halts the stage (after {@code onHalt}, remembering where the batch
   * ends for an operator's resume), or, for the batch an operator resumed past, moves its rows to quarantine and
   * answers true.
   */
  private boolean gate(Runnable checks, boolean quarantineIfFailing, Prepared prepared,
      java.util.function.UnaryOperator<QualityGateException> onHalt,
      java.util.function.Consumer<QualityGateException> quarantine) {
    try {
      checks.run();
      return false;
    } catch (QualityGateException gate) {
      if (!quarantineIfFailing) {
        QualityGateException halt = onHalt.apply(gate);
        haltedBatchEnd = Map.copyOf(prepared.batchNext());
        haltedOldestLive = prepared.oldestLive();
        HaltedBatches.remember(silver, prepared.batchNext(), product.id());
        throw halt;
      }
      quarantine.accept(gate);
      return true;
    }
  }

  /**
   * The judge of a part of a batch its library rules failed, for an operator's resume past the halted batch. A part
   * that fails a library rule is judged by the sql rules too, so an event quarantined carries a reason for each
   * critical rule it breaks. When the batch failed a sql rule as well, a part that passes the library rules is judged
   * by the sql rules alone: an event that fails one on its own is then found before the events are kept in order
   * under a cap (else the cap would be filled with it, and the sql pass after would remove it from what the cap
   * kept: one good event too few, and the events beyond the cap blamed for the sql rule too).
   */
  private FailingBatch.Judge<Entry> judgeInMemory(boolean sqlFailedToo) {
    return new FailingBatch.Judge<>() {
      @Override
      public QualityGateException judge(List<Entry> part) {
        QualityGateException library = FailingBatch.judged(() -> checkBatch(rowsOf(part), offenders(part),
            new Counters()));
        if (library != null) {
          return withSqlFailures(library, rowsOf(part));
        }
        return sqlFailedToo && !part.isEmpty() ? judgeSql(rowsOf(part)) : null;
      }

      @Override
      public boolean emptyFails() {
        return judge(List.of()) != null;
      }

      @Override
      public int maxJudgements() {
        // a part failing a library rule is judged by the sql rules too, which write files: dear then
        return sqlRules.isEmpty() ? FailingBatch.MAX_JUDGEMENTS_IN_MEMORY : FailingBatch.MAX_JUDGEMENTS;
      }
    };
  }

  /** The sql rules' verdict on rows (written to files for it, deleted after): the failure, or null. */
  private QualityGateException judgeSql(List<Record> rows) {
    List<DataFile> files = TableWriter.write(silver, rows);
    try {
      return FailingBatch.judged(() -> checkSql(files, new Counters()));
    } finally {
      files.forEach(f -> silver.io().deleteFile(f.location()));
    }
  }

  /**
   * A batch halted by its library rules is judged by its sql rules too, so the halt names every critical rule it
   * fails (an operator should not meet a second halt on the same batch after fixing the first); its files are
   * written for that and deleted.
   */
  private QualityGateException withSqlFailures(QualityGateException libraryFailure, List<Record> rows) {
    if (sqlRules.isEmpty() || rows.isEmpty()) {
      return libraryFailure;
    }
    QualityGateException sql = judgeSql(rows);
    if (sql == null) {
      return libraryFailure;
    }
    Map<String, String> all = new java.util.LinkedHashMap<>(libraryFailure.measures());
    sql.measures().forEach(all::putIfAbsent);
    return new QualityGateException(product.id(), all);
  }

  /** The held batch is committed: its end is no longer needed. */
  private void forgetHalt() {
    heldBatchEnd = null;
    HaltedBatches.forget(silver, partitions, product.id());
  }

  /** Events received before {@code start} (when the pipeline started) are backlog to the latency objective. */
  public void chargeLatencyFrom(Instant start) {
    latencyFrom = start;
  }

  /** Where the batch that last failed a critical rule ends (exclusive positions per partition), or null. */
  public Map<Integer, Long> haltedBatchEnd() {
    return haltedBatchEnd;
  }

  /**
   * When the oldest event of the batch that last failed a critical rule was received, if it is no backlog (see
   * {@link BatchLatency}); null otherwise: how long that batch's events have waited, for the latency objective.
   */
  public Instant haltedOldestLive() {
    return haltedOldestLive;
  }

  /**
   * The events before {@code end} (the batch a stage halted on, {@link #haltedBatchEnd}) are judged again on their
   * own, before anything after them (a resume retries the same batch, it does not dilute it with later events).
   * With {@code quarantineFailing} the events that fail a critical rule alone go to quarantine, each with the rule
   * as reason, instead of halting the stage (see {@code quarantineFailing}): an operator's way past a batch the data
   * cannot change. Without, a critical rule that still fails halts the stage again.
   */
  public void holdBatch(Map<Integer, Long> end, boolean quarantineFailing) {
    heldBatchEnd = Map.copyOf(end);
    heldQuarantines = quarantineFailing;
  }

  /**
   * For the batch an operator resumed past: finds the events that fail a critical rule on their own by halving the
   * batch (an event is isolated when a part of it alone fails), and moves them to quarantine, each with its own
   * measure. The rest is judged together once more and stays in silver if it passes; if it fails (a rule no single
   * event breaks: a row count, a share only the whole batch reaches) it goes to quarantine too. So a refill of a new
   * major from the log loses only the events that broke the rule, not the hundreds of good ones batched with them.
   */
  private void quarantineFailing(QualityGateException gate, FailingBatch.Judge<Entry> judge,
      List<Entry> silverEntries, List<Entry> laterCopies, int[] duplicates, List<Record> silverRows,
      List<Record> quarantineRows, Counters silverDelta, Counters quarantineDelta) {
    FailingBatch<Entry> batch = new FailingBatch<>(silverEntries, gate, judge);
    // a later copy of an event that fails alone (a corrected re-send) is no duplicate once that one is gone (one
    // blamed later, for what it does with the events kept before it, keeps its copies out as duplicates)
    Set<String> blamedKeys = new HashSet<>();
    batch.blamed().stream().filter(i -> i.blame() == FailingBatch.Blame.ALONE)
        .forEach(i -> blamedKeys.add(key(((Outcome.Accepted) i.event().outcome()).row())));
    List<Entry> successors = new ArrayList<>();
    for (Entry copy : laterCopies) {
      if (blamedKeys.remove(key(((Outcome.Accepted) copy.outcome()).row()))) {
        successors.add(copy);
        duplicates[0]--;
        silverDelta.add("duplicates", -1);
        warningCounters((Outcome.Accepted) copy.outcome()).forEach(counter -> silverDelta.add(counter, 1));
      }
    }
    silverEntries.addAll(successors);
    batch.add(successors);
    List<Entry> passing = new ArrayList<>(batch.settle());
    List<FailingBatch.Isolated<Entry>> alone = batch.blamed();
    QualityGateException batchFailure = batch.batchFailure();
    // the gate's message names the product already
    LOG.warn("{}; as the operator's resume asked, {} of its {} rows go to quarantine instead", gate.getMessage(),
        alone.size(), silverEntries.size());
    for (FailingBatch.Isolated<Entry> i : alone) {
      QualityGateException failure = i.blame() != FailingBatch.Blame.WHOLE ? i.failure() : batchFailure;
      // one reason per critical rule the event (or its batch) fails: each can be found by its rule
      List<Violation> reasons = new ArrayList<>();
      for (String rule : failure.failedRules()) {
        // a rule of one property names it, as a row rule's reason does; a sql rule of the object, the columns its
        // query reads
        String field = reasonField(rule);
        String measure = failure.measureOf(rule) == null ? "" : " (" + failure.measureOf(rule) + ")";
        String how = switch (i.blame()) {
          case ALONE -> "the event fails critical rule '" + rule + "' on its own" + measure;
          case WITH_KEPT -> "the event makes the events of its batch kept before it fail critical rule '" + rule
              + "'" + measure;
          case WHOLE -> "the batch failed critical rule '" + rule + "'" + measure;
        };
        reasons.add(new Violation("batch_rule", field, rule, how
            + "; quarantined when an operator resumed the halted stage"));
      }
      ConsumerRecord<byte[], byte[]> rec = i.event().record();
      byte[] payload = rec.value() == null ? new byte[0] : rec.value();
      quarantineRows.add(quarantineRow(rec, payload, Instant.ofEpochMilli(rec.timestamp()), sha256(payload),
          header(rec, SOURCE_HEADER), reasons));
      reasons.forEach(reason -> quarantineDelta.add("rule." + counterName(reason), 1));
      // kept rows' warnings were counted: these rows are not kept
      warningCounters((Outcome.Accepted) i.event().outcome()).forEach(counter -> silverDelta.add(counter, -1));
    }
    // the batch as it came failed these critical rules (counted once: a sql rule named when the library rules failed
    // is not counted again if what stays fails it too); what stays is judged again by the caller
    gate.failedRules().stream().filter(rule -> silverDelta.get("check." + rule + ".failed") == 0)
        .forEach(rule -> silverDelta.add("check." + rule + ".failed", 1));
    silverEntries.clear();
    silverEntries.addAll(passing);
    silverRows.clear();
    silverRows.addAll(rowsOf(passing));
  }

  /**
   * The field a batch rule's quarantine reason names, as a row rule's does: the rule's property, the properties a
   * {@code duplicateValues} rule judges together, or the columns a sql rule's query reads.
   */
  private String reasonField(String rule) {
    return product.contract().locatedRules().stream().map(LocatedRule::rule).filter(r -> r.name().equals(rule))
        .map(r -> r instanceof QualityRule.Library lib ? String.join(",", lib.columns())
            : r.field() != null ? r.field() : null)
        .filter(f -> f != null && !f.isEmpty()).findFirst()
        // a rule of the whole table (rowCount, a sql rule reading no column by name) is about no field
        .orElseGet(() -> sqlRules.reasonField(rule).isEmpty() ? null : sqlRules.reasonField(rule));
  }

  private static List<Record> rowsOf(List<Entry> entries) {
    List<Record> rows = new ArrayList<>(entries.size());
    entries.forEach(e -> rows.add(((Outcome.Accepted) e.outcome()).row()));
    return rows;
  }

  /** Per rule, how many rows the rule warned about: a share is of rows (two offending items offend once). */
  private static Map<String, Long> offenders(List<Entry> entries) {
    Map<String, Long> offenders = new HashMap<>();
    for (Entry e : entries) {
      List<Violation> warnings = ((Outcome.Accepted) e.outcome()).warnings();
      if (!warnings.isEmpty()) {
        warnings.stream().map(Violation::rule).distinct().forEach(rule -> offenders.merge(rule, 1L, Long::sum));
      }
    }
    return offenders;
  }

  /** What a reprocessing pass did: records read, rows newly in silver, still rejected, already in silver. */
  public record Reprocessed(int records, int added, int rejected, int alreadyInSilver) {}

  /**
   * Validates already-consumed records again under the current contract and appends to silver those that are now
   * accepted and whose key silver does not hold yet: after a contract fix, events that went to quarantine reach
   * silver. Positions, bronze and quarantine (the record of what was rejected then) are not touched, so running it
   * twice adds nothing the second time. Not concurrent with {@link #commit}: the worker's pipeline is stopped.
   */
  public Reprocessed reprocess(List<ConsumerRecord<byte[], byte[]>> records) {
    List<Record> added = new ArrayList<>();
    Set<String> batchKeys = new HashSet<>();
    int rejected = 0;
    int already = 0;
    for (ConsumerRecord<byte[], byte[]> rec : records) {
      byte[] payload = rec.value() == null ? new byte[0] : rec.value();
      Outcome outcome = judge(rec, payload, Instant.ofEpochMilli(rec.timestamp()));
      if (!(outcome instanceof Outcome.Accepted accepted)) {
        rejected++;
        continue;
      }
      String key = key(accepted.row());
      if (keys.contains(key) || !batchKeys.add(key)) {
        already++;
        continue;
      }
      added.add(accepted.row());
    }
    if (!added.isEmpty()) {
      // no source positions in this commit: it adds rows without moving the stage forward
      Snapshot s = TableWriter.append(silver, TableWriter.write(silver, added, silverLabel),
          Map.of("lakemesh.reprocessed", Integer.toString(added.size())));
      if (feed != null) {
        feed.committed(product.id(), s, added);
      }
      added.forEach(r -> keys.add(key(r)));
    }
    return new Reprocessed(records.size(), added.size(), rejected, already);
  }

  /**
   * Applies the snapshot retention to bronze, silver and quarantine when due. One worker does it for the product
   * (see {@link #retainingPartition}); a failure is logged and retried at the next interval.
   */
  public void retainSnapshots(SnapshotRetention retention) {
    long now = System.nanoTime();
    if (now - lastRetention < retention.every().toNanos()) {
      return;
    }
    lastRetention = now;
    Set<Integer> all = allPartitions(product);
    if (!partitions.contains(retainingPartition(all, retention.every()))) {
      return;
    }
    for (Table table : List.of(bronze, silver, quarantine)) {
      try {
        retention.applyToSource(table, all);
      } catch (RuntimeException e) {
        retention.logRetry(LOG, product.id() + " (" + table.name() + ")", e);
      }
    }
  }

  /**
   * The partition whose worker expires the product's snapshots: the lowest that committed to silver within the last
   * {@code every} (so one worker does it, and one that still commits), partition 0 when none did. With partition 0
   * alone doing it, a product whose partition 0 went quiet kept every snapshot of the others, and each commit grew
   * slower.
   */
  int retainingPartition(Set<Integer> all, java.time.Duration every) {
    silver.refresh(); // other workers' commits
    long since = System.currentTimeMillis() - every.toMillis();
    return PartitionSnapshots.newest(silver, all).entrySet().stream()
        .filter(e -> e.getValue().timestampMillis() >= since).map(Map.Entry::getKey).min(Integer::compare)
        .orElse(0);
  }

  /**
   * Starts a compaction of bronze, silver and quarantine when due (see {@link CompactionSchedule}). The worker of
   * partition 0 does it for the product (one is enough). Asked after each commit and by the worker's actor every
   * minute (a product that stopped receiving data).
   */
  public void compactWhenDue(CompactionSettings settings) {
    if (partitions.contains(0)) {
      compactions.whenDue(settings);
    }
  }

  /**
   * Stops a compaction in flight (it then commits nothing and deletes what it wrote); completes once it has. A
   * stopping worker calls it before its tables are let go.
   */
  public CompletableFuture<Void> stopCompaction() {
    return compactions.stop();
  }

  /**
   * Refuses to commit when another worker has committed this committer's partitions further than it has: a node
   * that was downed while still running (a network split, a long pause) must not write after the partition's new
   * owner has resumed. Checked against the tables just before writing; the window left is one batch's write.
   */
  private void fence() {
    check(bronze, bronzeAt);
    check(silver, silverAt);
    check(quarantine, quarantineAt);
  }

  private void check(Table table, SourcePositions mine) {
    table.refresh();
    SourcePositions committed = SourcePositions.committed(table, partitions);
    for (int p : partitions) {
      if (committed.next(p) > mine.next(p)) {
        throw new IllegalStateException(table.name() + " partition " + p + " was committed up to offset "
            + committed.next(p) + " by another worker while this one stood at " + mine.next(p)
            + "; this worker stops and resumes from the table");
      }
    }
  }

  private CompletableFuture<List<DataFile>> writeAsync(Table table, List<Record> rows) {
    return writeAsync(table, rows, null);
  }

  private CompletableFuture<List<DataFile>> writeAsync(Table table, List<Record> rows, String label) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return CompletableFuture.supplyAsync(() -> TableWriter.write(table, rows, label), io);
  }

  private Map<String, String> summary(SourcePositions positions, Counters counts) {
    Map<String, String> summary = new HashMap<>();
    summary.put(SourcePositions.SUMMARY_KEY, positions.encode());
    summary.put(SourcePositions.TOPIC_KEY, product.rawTopic());
    if (counts != null) {
      counts.writeTo(summary);
    }
    return summary;
  }

  private Record bronzeRow(ConsumerRecord<byte[], byte[]> rec, byte[] payload, Instant receivedAt, String hash,
      String source) {
    GenericRecord row = envelope(bronzeTemplate, rec, receivedAt, hash, source);
    row.set(6, RawText.of(payload));
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
    row.set(7, RawText.of(payload));
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
    if (silver.currentSnapshot() == null || keyColumns.isEmpty()) {
      return;
    }
    // only the keys that hash to this committer's partitions: the others are other workers' to check
    boolean everyPartition = partitions.size() >= partitionCount;
    // a file labelled with another partition holds none of these keys (silverLabel): at a restart after a busy
    // hour, silver has thousands of small files until compaction, and each worker would otherwise open them all
    java.util.Set<String> ours = partitions.stream().map(SourceBatchCommitter::label)
        .collect(java.util.stream.Collectors.toSet());
    try (CloseableIterable<Record> rows = TableReader.read(silver, Expressions.alwaysTrue(), keyColumns, file -> {
      String label = TableWriter.labelOf(file);
      return label == null || ours.contains(label);
    })) {
      for (Record r : rows) {
        // the partition the ingest endpoint routed this key to (see RoutingKey)
        if (everyPartition || partitions.contains(
            RoutingKey.partitionOf(routing.fromValue(r.getField(keyColumns.get(0))), partitionCount))) {
          keys.add(key(r));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot load the keys of " + silver.name(), e);
    }
  }

  /**
   * The label of the silver files a committer of only {@code partition} writes ({@link TableWriter#labelOf}): every
   * row of such a file routes to that partition (a key routed elsewhere is quarantined as misrouted).
   */
  static String label(int partition) {
    return "kp" + partition;
  }

  private SourcePositions positions(Table table) {
    return SourcePositions.committed(table, partitions);
  }

  /** Every partition of the product's raw topic. */
  public static Set<Integer> allPartitions(Product product) {
    Set<Integer> all = new java.util.TreeSet<>();
    for (int p = 0; p < product.contract().settings().partitions(); p++) {
      all.add(p);
    }
    return all;
  }

  /** The partitions this committer owns. */
  public Set<Integer> partitions() {
    return partitions;
  }

  /**
   * The event against its contract, and against where it was written: an event in another partition than its key
   * routes to would escape deduplication (silver keeps each key once per partition, and a worker reloads only its
   * partitions' keys), so it goes to quarantine with reason code {@code misrouted} instead of perhaps being stored
   * twice. Producers that write to the raw topic themselves hit this with a partitioner other than Kafka's Java
   * one (librdkafka's default), a key other than the canonical first primary-key column, or no key.
   */
  private Outcome judge(ConsumerRecord<byte[], byte[]> rec, byte[] payload, Instant receivedAt) {
    if (rec.value() == null) {
      // a tombstone of a compacted topic's producer: an event is never a delete, and nothing else would say which
      // key it was for (bronze and quarantine keep the value, not the Kafka key)
      return new Outcome.Rejected(List.of(new Violation("type", "", "event", "a record without a value (a"
          + " tombstone" + (rec.key() == null ? "" : " for key '" + ShownText.of(new String(rec.key(),
              StandardCharsets.UTF_8)) + "'") + "): events are JSON objects, and never deletes")), List.of());
    }
    Outcome outcome = product.validator().validate(payload, receivedAt);
    // a date key with its own format is routed by its text as written, which the typed value cannot tell
    if (routing == null || routing.datePattern() != null || partitionCount < 2
        || !(outcome instanceof Outcome.Accepted accepted)) {
      return outcome;
    }
    String key = routing.fromValue(accepted.row().getField(routing.column()));
    if (key == null) {
      return outcome;
    }
    int home = RoutingKey.partitionOf(key, partitionCount);
    if (home == rec.partition()) {
      return outcome;
    }
    String written = rec.key() == null ? "without a Kafka key" : "with Kafka key '"
        + ShownText.of(new String(rec.key(), StandardCharsets.UTF_8)) + "'";
    return new Outcome.Rejected(List.of(new Violation("misrouted", routing.column(), "primaryKey", "written "
        + written + " to partition " + rec.partition() + " of " + rec.topic() + ", but its key '" + ShownText.of(key)
        + "' belongs in partition " + home + " (murmur2 of the key's UTF-8 bytes modulo " + partitionCount
        + ", as Kafka's Java client and the ingest endpoint route it; librdkafka clients need"
        + " partitioner=murmur2_random): it would escape deduplication")), accepted.warnings());
  }



  private static String header(ConsumerRecord<?, ?> rec, String name) {
    Header h = rec.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static String sha256(byte[] payload) {
    // digest() resets the instance; one per thread spares a provider lookup per event (batches are prepared on
    // the io pool's threads)
    return HEX.formatHex(SHA256.get().digest(payload));
  }

  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks SHA-256", e);
    }
  });
}
