package io.lakemesh.runtime.pipeline;

import io.lakemesh.runtime.product.Aggregation;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.storage.SnapshotPositions;
import io.lakemesh.runtime.storage.TableReader;
import io.lakemesh.runtime.storage.TableWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * Keeps a gold product's additive aggregates up to date from the rows its upstream table commits.
 *
 * <p>The aggregate state is the gold table itself, loaded on start. Each run reads the upstream rows appended
 * since the upstream snapshot recorded in gold's last commit, folds them in, and rewrites every gold partition they
 * touched in one commit that records the new upstream snapshot. A crash before the commit loses nothing: the next
 * run starts from the same recorded snapshot. A late event simply touches an older partition.
 */
public final class GoldAggregator {
  public static final String UPSTREAM_SNAPSHOT = "lakemesh.source.snapshot";
  /** The upstream table a gold commit was computed from, in its snapshot summary. */
  public static final String UPSTREAM_TABLE = "lakemesh.source.table";

  private final Table gold;
  private final Table upstream;
  private final Aggregation aggregation;
  private final List<String> keyColumns;
  private final List<Types.NestedField> measureColumns;
  private final Map<List<Object>, Object[]> state = new HashMap<>();
  private final GenericRecord template;
  private Long upstreamSnapshot;
  private final CommitFeed.Reader upstreamFeed;
  private final CommitListener listener;
  private final String productId;
  private long lastRetention = System.nanoTime();
  private final OrphanSweepCadence sweeps = new OrphanSweepCadence();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GoldAggregator.class);

  /** What one run did. */
  /** What a run did; {@code committedAt} is the time of its commit to the gold table as the table records it (null: none). */
  public record RunResult(int upstreamRows, int partitionsRewritten, int rowsWritten, Long upstreamSnapshot,
      java.time.Instant committedAt) {}

  public GoldAggregator(Product product, Aggregation aggregation, Table gold, Table upstream) {
    this(product, aggregation, gold, upstream, null, CommitListener.NONE);
  }

  /** @param upstreamFeed the upstream's recent commits in memory, read instead of its files when held; nullable */
  public GoldAggregator(Product product, Aggregation aggregation, Table gold, Table upstream,
      CommitFeed upstreamFeed, CommitListener listener) {
    this.upstreamFeed = upstreamFeed == null ? null : upstreamFeed.reader();
    this.listener = listener;
    this.productId = product.id();
    this.gold = gold;
    this.upstream = upstream;
    this.aggregation = aggregation;
    this.keyColumns = product.keyColumns();
    this.measureColumns = gold.schema().columns().stream().filter(c -> !keyColumns.contains(c.name())).toList();
    this.template = GenericRecord.create(gold.schema());
    this.upstreamSnapshot = SnapshotPositions.latest(gold, UPSTREAM_SNAPSHOT).map(Long::parseLong).orElse(null);
    loadState();
  }

  /** Folds in what the upstream committed since the last run; a no-op when nothing new was committed. */
  public RunResult run() {
    upstream.refresh();
    Snapshot current = upstream.currentSnapshot();
    if (current == null || Long.valueOf(current.snapshotId()).equals(upstreamSnapshot)) {
      if (current != null && upstreamFeed != null) {
        upstreamFeed.readThrough(current.snapshotId());
      }
      return new RunResult(0, 0, 0, upstreamSnapshot, null);
    }
    if (upstreamSnapshot != null && upstream.snapshot(upstreamSnapshot) == null) {
      // gold fell behind by more than the upstream's snapshot retention (or was computed from another table): what
      // was appended since can no longer be told apart, so every partition is recomputed from the whole upstream
      String computedFrom = SnapshotPositions.latest(gold, UPSTREAM_TABLE).orElse(upstream.name());
      if (computedFrom.equals(upstream.name())) {
        LOG.warn("{}: upstream snapshot {} has expired; recomputing gold from all of {}", productId,
            upstreamSnapshot, upstream.name());
      } else {
        LOG.warn("{}: gold was computed from {}, now it reads {}; recomputing gold from all of it", productId,
            computedFrom, upstream.name());
      }
      return replay(null);
    }
    PartitionKey partitionKey = new PartitionKey(gold.spec(), gold.schema());
    InternalRecordWrapper wrapper = new InternalRecordWrapper(gold.schema().asStruct());
    Set<StructLike> touched = new HashSet<>();
    Set<List<Object>> keysThisRun = new HashSet<>();
    int[] upstreamRows = {0};
    Aggregation.Emitter emitter = (key, measures) -> {
      if (key.size() != keyColumns.size() || measures.length != measureColumns.size()) {
        throw new IllegalStateException(aggregation.name() + " emitted " + key.size() + " key values and "
            + measures.length + " measures; " + gold.name() + " has key " + keyColumns + " and measures "
            + measureColumns.stream().map(Types.NestedField::name).toList());
      }
      List<Object> k = List.copyOf(key);
      Object[] acc = state.computeIfAbsent(k, x -> new Object[measureColumns.size()]);
      for (int i = 0; i < measures.length; i++) {
        acc[i] = aggregation.combine(i).apply(acc[i], measures[i]);
      }
      if (keysThisRun.add(k)) {
        // the partition of a group never changes: work it out once per group and run
        partitionKey.partition(wrapper.wrap(toRecord(k, acc)));
        touched.add(partitionKey.copy());
      }
    };
    java.util.Optional<List<Record>> inMemory = upstreamFeed == null ? java.util.Optional.empty()
        : upstreamFeed.between(upstreamSnapshot, current.snapshotId());
    if (inMemory.isPresent()) {
      for (Record row : inMemory.get()) {
        upstreamRows[0]++;
        contribute(row, emitter);
      }
    } else {
      foldFromTable(current, emitter, upstreamRows);
    }
    return commit(current, partitionKey, wrapper, touched, keysThisRun, upstreamRows[0]);
  }

  /**
   * Replays the upstream into gold: every gold partition that the upstream rows committed after {@code
   * fromExclusive} touch (all partitions when null) is recomputed from the upstream's whole history and replaced in
   * one commit. Repairs gold after a fix to its transformation or data, without double counting. Not concurrent
   * with {@link #run}: the product's pipeline is stopped meanwhile.
   */
  public RunResult replay(Long fromExclusive) {
    upstream.refresh();
    Snapshot current = upstream.currentSnapshot();
    if (current == null) {
      return new RunResult(0, 0, 0, upstreamSnapshot, null);
    }
    PartitionKey partitionKey = new PartitionKey(gold.spec(), gold.schema());
    InternalRecordWrapper wrapper = new InternalRecordWrapper(gold.schema().asStruct());
    Set<StructLike> touched = new HashSet<>();
    Map<List<Object>, Object[]> scratch = new HashMap<>();
    // which partitions the rows after the replay point fall into
    try (CloseableIterable<Record> rows = fromExclusive == null
        ? TableReader.read(upstream, Expressions.alwaysTrue(), List.of())
        : TableReader.readAppended(upstream, fromExclusive, current.snapshotId(), Expressions.alwaysTrue(),
            List.of())) {
      for (Record row : rows) {
        contribute(row, (key, measures) -> {
          List<Object> k = List.copyOf(key);
          if (scratch.putIfAbsent(k, new Object[0]) == null) {
            partitionKey.partition(wrapper.wrap(toRecord(k, new Object[measureColumns.size()])));
            touched.add(partitionKey.copy());
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + upstream.name(), e);
    }
    // those partitions, recomputed from every upstream row
    Map<List<Object>, Object[]> fresh = new HashMap<>();
    int[] upstreamRows = {0};
    try (CloseableIterable<Record> rows = TableReader.read(upstream, Expressions.alwaysTrue(), List.of())) {
      for (Record row : rows) {
        upstreamRows[0]++;
        contribute(row, (key, measures) -> {
          List<Object> k = List.copyOf(key);
          Object[] acc = fresh.computeIfAbsent(k, x -> new Object[measureColumns.size()]);
          for (int i = 0; i < measures.length; i++) {
            acc[i] = aggregation.combine(i).apply(acc[i], measures[i]);
          }
        });
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + upstream.name(), e);
    }
    state.entrySet().removeIf(e -> {
      partitionKey.partition(wrapper.wrap(toRecord(e.getKey(), e.getValue())));
      return touched.contains(partitionKey);
    });
    fresh.forEach((k, acc) -> {
      partitionKey.partition(wrapper.wrap(toRecord(k, acc)));
      if (touched.contains(partitionKey)) {
        state.put(k, acc);
      }
    });
    return commit(current, partitionKey, wrapper, touched, null, upstreamRows[0]);
  }

  private void foldFromTable(Snapshot current, Aggregation.Emitter emitter, int[] upstreamRows) {
    try (CloseableIterable<Record> rows = upstreamSnapshot == null
        ? TableReader.read(upstream, Expressions.alwaysTrue(), List.of())
        : TableReader.readAppended(upstream, upstreamSnapshot, current.snapshotId(), Expressions.alwaysTrue(),
            List.of())) {
      for (Record row : rows) {
        upstreamRows[0]++;
        contribute(row, emitter);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + upstream.name(), e);
    }
  }

  /**
   * Replaces the touched partitions with their rows from the state. Listeners (live streams) get only the rows of
   * {@code changedKeys}, the groups this run added to (every written row when null, as after a replay): a late
   * event changes one row of its day, not the whole day.
   */
  private RunResult commit(Snapshot current, PartitionKey partitionKey, InternalRecordWrapper wrapper,
      Set<StructLike> touched, Set<List<Object>> changedKeys, int upstreamRows) {
    List<Record> out = new ArrayList<>();
    List<Record> changed = new ArrayList<>();
    for (Map.Entry<List<Object>, Object[]> e : state.entrySet()) {
      Record r = toRecord(e.getKey(), e.getValue());
      partitionKey.partition(wrapper.wrap(r));
      if (touched.contains(partitionKey)) {
        out.add(r);
        if (changedKeys == null || changedKeys.contains(e.getKey())) {
          changed.add(r);
        }
      }
    }
    Map<String, String> summary = Map.of(UPSTREAM_SNAPSHOT, Long.toString(current.snapshotId()),
        UPSTREAM_TABLE, upstream.name());
    Snapshot committed = null;
    if (out.isEmpty() && upstreamRows == 0 && onlyRewrites(current)) {
      // the upstream only compacted its files: no row changed, so gold makes no snapshot that would look like
      // fresh data; a restart reads the same rewrites again and finds nothing in them either
    } else if (out.isEmpty()) {
      // nothing aggregated (e.g. only rows that contribute nothing): still record how far we read
      gold.newAppend().set(UPSTREAM_SNAPSHOT, Long.toString(current.snapshotId())).set(UPSTREAM_TABLE,
          upstream.name()).commit();
      committed = gold.currentSnapshot();
    } else {
      committed = TableWriter.replacePartitions(gold, TableWriter.write(gold, out), summary);
      listener.committed(productId, committed, changed);
    }
    upstreamSnapshot = current.snapshotId();
    if (upstreamFeed != null) {
      upstreamFeed.readThrough(upstreamSnapshot); // committed: the feed need not hold those rows for us any more
    }
    return new RunResult(upstreamRows, touched.size(), out.size(), upstreamSnapshot,
        committed == null ? null : java.time.Instant.ofEpochMilli(committed.timestampMillis()));
  }

  /** Whether every upstream snapshot after the last one read up to {@code current} rewrote files (compaction). */
  private boolean onlyRewrites(Snapshot current) {
    if (upstreamSnapshot == null) {
      return false;
    }
    Snapshot s = current;
    while (s != null && s.snapshotId() != upstreamSnapshot) {
      if (!org.apache.iceberg.DataOperations.REPLACE.equals(s.operation())) {
        return false;
      }
      s = s.parentId() == null ? null : upstream.snapshot(s.parentId());
    }
    return s != null; // reached the last snapshot read, not a gap in the history
  }

  /**
   * One upstream row through the aggregation. A domain's Java transformation that fails on a row (typically one
   * written for another upstream's columns) stops the stage with a message naming both, not a bare exception.
   */
  private void contribute(Record row, Aggregation.Emitter emitter) {
    try {
      aggregation.contribute(row, emitter);
    } catch (RuntimeException e) {
      throw new IllegalStateException("transformation '" + aggregation.name() + "' failed on a row of "
          + upstream.name() + " (is it written for this upstream's columns?): " + e, e);
    }
  }

  /** Expires gold's old snapshots when due (its current snapshot always records the upstream position). */
  public void retainSnapshots(SnapshotRetention retention) {
    long now = System.nanoTime();
    if (now - lastRetention < retention.every().toNanos()) {
      return;
    }
    lastRetention = now;
    try {
      retention.expire(gold);
    } catch (RuntimeException e) {
      retention.logRetry(LOG, productId, e);
    }
  }

  /**
   * Deletes gold's data files that no snapshot lists (a run killed before its commit), at most once an hour, as
   * compaction does for source tables; {@code orphans} null leaves them.
   */
  public void removeOrphans(io.lakemesh.runtime.storage.OrphanFiles orphans) {
    if (sweeps.claim(orphans)) {
      orphans.sweep(productId, gold);
    }
  }

  /** The table this product aggregates. */
  public Table upstreamTable() {
    return upstream;
  }

  public Optional<Long> upstreamSnapshot() {
    return Optional.ofNullable(upstreamSnapshot);
  }

  private Record toRecord(List<Object> key, Object[] measures) {
    GenericRecord r = template.copy();
    for (int i = 0; i < keyColumns.size(); i++) {
      r.setField(keyColumns.get(i), key.get(i));
    }
    for (int i = 0; i < measureColumns.size(); i++) {
      r.setField(measureColumns.get(i).name(), measures[i] == null ? zero(measureColumns.get(i)) : measures[i]);
    }
    return r;
  }

  private void loadState() {
    if (gold.currentSnapshot() == null) {
      return;
    }
    try (CloseableIterable<Record> rows = TableReader.read(gold)) {
      for (Record r : rows) {
        List<Object> key = new ArrayList<>(keyColumns.size());
        for (String c : keyColumns) {
          key.add(r.getField(c));
        }
        Object[] acc = new Object[measureColumns.size()];
        for (int i = 0; i < acc.length; i++) {
          acc[i] = r.getField(measureColumns.get(i).name());
        }
        state.put(List.copyOf(key), acc);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load " + gold.name(), e);
    }
  }

  private static Object zero(Types.NestedField column) {
    return switch (column.type().typeId()) {
      case DECIMAL -> BigDecimal.ZERO.setScale(((Types.DecimalType) column.type()).scale());
      case LONG -> 0L;
      case INTEGER -> 0;
      case DOUBLE -> 0.0;
      default -> null;
    };
  }

}
