package io.lakemesh.runtime.cluster;

import io.lakemesh.contracts.model.Stage;
import io.lakemesh.runtime.pipeline.GoldAggregator;
import io.lakemesh.runtime.pipeline.GoldPipeline;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.pipeline.QualityGateException;
import io.lakemesh.runtime.pipeline.RunningPipeline;
import io.lakemesh.runtime.pipeline.SourceBatchCommitter;
import io.lakemesh.runtime.pipeline.SourcePipeline;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.Product;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The actor that owns one worker of a data product (see {@link WorkerId}: one Kafka partition of a source product,
 * or a whole derived product): it materializes the worker's pipeline, restarts it from the last commit when it
 * fails, and drains it when the shard moves or the node shuts down. Sharded per domain, so a domain's products only
 * run on nodes with that domain's role; each worker is its own shard, so a product's partitions spread over them.
 */
public final class DataProduct extends AbstractBehavior<DataProduct.Command> {

  /** The messages a data product understands. */
  public sealed interface Command extends CborSerializable {}

  /** Make sure the pipeline runs (idempotent; sent at start and periodically as a keep-alive). */
  public record Start() implements Command {}

  /** Drain and stop: sent by sharding on hand-off and shutdown. */
  public record Stop() implements Command {}

  /** Asks for the pipeline's state. */
  public record GetState(ActorRef<ProgressBoard.PipelineState> replyTo) implements Command {}

  /** Drains the pipeline and keeps it stopped until resumed (operator action); replies with the new state. */
  public record Pause(ActorRef<ProgressBoard.PipelineState> replyTo) implements Command {}

  /**
   * Starts a paused or halted pipeline again from its last commit; replies with the new state. With {@code
   * quarantineBatch}, a source worker halted by a critical rule judges the events of the batch it halted on again,
   * on their own, and quarantines those that fail again (the events that fail alone) instead of halting; other
   * workers ignore it.
   */
  public record Resume(ActorRef<ProgressBoard.PipelineState> replyTo, boolean quarantineBatch) implements Command {}

  /**
   * Replays a product. A derived product: the gold partitions touched by upstream commits after {@code from}
   * ({@code beginning}, {@code snapshot:<upstream snapshot id>} or an ISO-8601 time) are recomputed from the
   * upstream's whole history. A source product worker: its partition's raw log from {@code from} ({@code beginning}
   * or a time) is validated again under the current contract, and events valid now but missing from silver are
   * added (after a contract fix).
   */
  public record Replay(String from, ActorRef<ReplayOutcome> replyTo) implements Command {}

  /** What a replay did, or why it could not run. */
  public record ReplayOutcome(String error, Long fromSnapshot, int upstreamRows, int partitionsRewritten,
      int rowsWritten) implements CborSerializable {}

  /**
   * What a replay's work hands back to the worker.
   *
   * @param committedAt when the replay's commit to the product's table was made, as the table records it (or null)
   */
  private record Replayed(ReplayOutcome outcome, Instant committedAt) {}

  private record ReplayDone(Replay request, Replayed replayed) implements Command {}

  private record PipelineEnded(String error) implements Command {}

  /**
   * A pipeline's parts, made ready off the worker's thread (tables loaded, the log asked for its topic and its end):
   * a source worker's committer or a derived product's aggregator.
   */
  private record Prepared(SourceBatchCommitter committer, GoldAggregator aggregator) implements Command {}

  /** Why the parts of a pipeline could not be made ready. */
  private record PrepareFailed(Throwable error) implements Command {}

  private record Restart() implements Command {}

  /** Time to see whether a compaction is due, also while no batch commits (an idle or halted partition). */
  private record CompactionTick() implements Command {}

  private static final java.time.Duration COMPACTION_TICK = java.time.Duration.ofMinutes(1);

  private static final Duration RESTART_DELAY = Duration.ofSeconds(2);
  private static final Duration MAX_RESTART_DELAY = Duration.ofMinutes(1);
  /** Pipeline failures since its last commit: the restart waits twice as long after each, up to a minute. */
  private volatile int failuresInARow; // reset by the pipeline's commits, on its own thread
  /** Table property of a product paused by an operator. */
  public static final String PAUSED_PROPERTY = "lakemesh.paused";

  public static EntityTypeKey<Command> typeKey(String domain) {
    return EntityTypeKey.create(Command.class, "DataProduct-" + domain);
  }

  /** Registers the entity type of one domain with sharding, restricted to nodes with the domain's role. */
  public static void initSharding(org.apache.pekko.actor.typed.ActorSystem<?> system, String domain,
      NodeServices services) {
    ClusterSharding.get(system).init(
        Entity.of(typeKey(domain), ctx -> create(ctx.getEntityId(), services))
            .withRole("domain-" + domain)
            .withStopMessage(new Stop())
            // each worker is its own shard, placed where WorkerPlacement says (spread evenly, or by an operator)
            .withMessageExtractor(new org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor<
                org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command>, Command>() {
              @Override
              public String entityId(org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command> envelope) {
                return envelope.entityId();
              }

              @Override
              public String shardId(String entityId) {
                return entityId;
              }

              @Override
              public Command unwrapMessage(org.apache.pekko.cluster.sharding.typed.ShardingEnvelope<Command> e) {
                return e.message();
              }
            })
            .withAllocationStrategy(org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy
                .create(system, typeKey(domain).name(), Duration.ofSeconds(5))));
  }

  static Behavior<Command> create(String entityId, NodeServices services) {
    return Behaviors.setup(ctx -> {
      // any message (the cluster's periodic state poll included) brings a worker up wherever its shard lives
      ctx.getSelf().tell(new Start());
      return new DataProduct(ctx, WorkerId.parse(entityId), services);
    });
  }

  private final WorkerId worker;
  private final String productId;
  private final NodeServices services;
  private final Product product;
  private RunningPipeline pipeline;
  /** A start's parts are being made ready off this worker's thread (see {@link #ensureRunning}). */
  private boolean starting;
  /** When the start in flight began (System.nanoTime): how long a start took is logged, as it grows with the tables. */
  private long startingSince;
  private boolean stopping;
  private boolean halted;
  /** The source committer of the running (or last) pipeline: it knows where a halting batch ends. */
  private SourceBatchCommitter committer;
  /** The batch a resumed stage halted on, judged again on its own first (see SourceBatchCommitter.holdBatch). */
  private java.util.Map<Integer, Long> heldBatch;
  /** Whether the held batch's failing events go to quarantine (resume?quarantine-batch=true) or halt it again. */
  private boolean quarantineHeld;
  private boolean paused;
  private Replay replaying;
  /** Why the pipeline halted (the rule and its measure), while it is halted. */
  private String haltReason;
  private long batches;
  private Instant lastCommit;
  /** When the drain of a running pipeline began (nanoTime), 0 before. */
  private long drainStarted;
  private java.time.Duration lastLatency;

  private DataProduct(ActorContext<Command> context, WorkerId worker, NodeServices services) {
    super(context);
    this.worker = worker;
    this.productId = worker.productId();
    this.services = services;
    this.product = services.products().find(productId)
        .orElseThrow(() -> new IllegalArgumentException("no contract for product " + productId));
    // an operator's pause outlives this actor: it is kept on the product's table, so a worker that moves to
    // another node or restarts stays paused until resumed
    this.paused = pausedInTable();
    if (paused) {
      publish("paused", null);
    }
    if (product.stage() == Stage.SOURCE && Integer.valueOf(0).equals(worker.partition())
        && services.pipeline().compaction().enabled()) {
      getContext().scheduleOnce(COMPACTION_TICK, getContext().getSelf(), new CompactionTick());
    }
  }

  private boolean pausedInTable() {
    try {
      return "true".equals(StageTables.served(services.warehouse(), product).properties().get(PAUSED_PROPERTY));
    } catch (RuntimeException e) {
      getContext().getLog().warn("{}: cannot read the pause flag ({}); running", worker, e.toString());
      return false;
    }
  }

  /** Records the operator's pause on the product's table (every worker of the product does; idempotent). */
  private void keepPaused(boolean pause) {
    try {
      org.apache.iceberg.Table table = StageTables.served(services.warehouse(), product);
      boolean now = "true".equals(table.properties().get(PAUSED_PROPERTY));
      if (now == pause) {
        return;
      }
      if (pause) {
        table.updateProperties().set(PAUSED_PROPERTY, "true").commit();
      } else {
        table.updateProperties().remove(PAUSED_PROPERTY).commit();
      }
    } catch (RuntimeException e) {
      // the pause still holds on this worker; it is only not kept across a move or restart
      getContext().getLog().warn("{}: cannot record the pause on the table: {}", worker, e.toString());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Start.class, m -> ensureRunning())
        .onMessage(Restart.class, m -> ensureRunning())
        .onMessage(CompactionTick.class, m -> {
          // after commits the pipeline asks too; this covers a product that stopped receiving data
          // not while a start makes a new committer ready: the old one's compaction would race the new one's
          if (!stopping && !paused && !starting && replaying == null && committer != null) {
            committer.compactWhenDue(services.pipeline().compaction());
          }
          getContext().scheduleOnce(COMPACTION_TICK, getContext().getSelf(), new CompactionTick());
          return this;
        })
        .onMessage(GetState.class, m -> {
          m.replyTo().tell(services.progress().state(worker.entityId()));
          return this;
        })
        .onMessage(PipelineEnded.class, this::onEnded)
        .onMessage(Prepared.class, this::onPrepared)
        .onMessage(PrepareFailed.class, this::onPrepareFailed)
        .onMessage(Replay.class, this::onReplay)
        .onMessage(ReplayDone.class, done -> {
          replaying = null;
          if (done.replayed().committedAt() != null) {
            lastCommit = done.replayed().committedAt(); // the time the product's stats show for it too
          }
          ReplayOutcome outcome = done.replayed().outcome();
          if (outcome.error() != null) {
            getContext().getLog().warn("{}: replay from {} refused: {}", worker, done.request().from(),
                outcome.error());
          } else {
            getContext().getLog().info("{}: replay from {} done: {} upstream rows, {} partitions rewritten, {} rows"
                + " written", worker, done.request().from(), outcome.upstreamRows(), outcome.partitionsRewritten(),
                outcome.rowsWritten());
          }
          if (paused || halted) {
            // it stays as it was before the replay: say so, not "replaying" until the next resume
            publish(paused ? "paused" : "halted", paused ? null : haltReason);
          } else {
            ensureRunning();
          }
          // answered once the state says what follows: a caller reading stats next sees no "replaying"
          done.request().replyTo().tell(done.replayed().outcome());
          return this;
        })
        .onMessage(Stop.class, m -> drain())
        .onMessage(Pause.class, m -> {
          paused = true;
          keepPaused(true);
          if (pipeline != null) {
            pipeline.drain();
          }
          publish(pipeline == null ? "paused" : "pausing", null);
          m.replyTo().tell(services.progress().state(worker.entityId()));
          return this;
        })
        .onMessage(Resume.class, m -> {
          // only a halted worker has a batch to quarantine; a running or paused one resumes as always
          // the batch it halted on is retried on its own, not merged with what arrived since (which could carry a
          // share rule past it); only a halted worker has one
          heldBatch = halted && committer != null ? committer.haltedBatchEnd() : null;
          quarantineHeld = m.quarantineBatch();
          paused = false;
          halted = false;
          keepPaused(false);
          ensureRunning();
          m.replyTo().tell(services.progress().state(worker.entityId()));
          return this;
        })
        .build();
  }

  private Behavior<Command> onReplay(Replay replay) {
    if (replaying != null || stopping) {
      replay.replyTo().tell(new ReplayOutcome(stopping ? "the product is stopping" : "a replay is running",
          null, 0, 0, 0));
      return this;
    }
    replaying = replay;
    publish("replaying", null);
    if (pipeline != null) {
      pipeline.drain(); // the replay starts when the pipeline has ended (onEnded)
    } else if (!starting) {
      startReplay(); // else once the start's parts are ready (onPrepared), which are then let go
    }
    return this;
  }

  /** Runs the replay off the actor, with the pipeline stopped; the pipeline restarts when it is done. */
  private void startReplay() {
    Replay request = replaying;
    java.util.concurrent.CompletableFuture<Replayed> work = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          if (product.stage() == Stage.SOURCE) {
            // the raw log again, through today's contract: what is valid now and missing from silver is added
            SourceBatchCommitter.Reprocessed r = io.lakemesh.runtime.pipeline.SourceReprocessing.run(
                newCommitter(), product.rawTopic(), services.kafkaBootstrap(), request.from());
            return new Replayed(new ReplayOutcome(null, null, r.records(), 0, r.added()), null);
          }
          GoldAggregator aggregator = newAggregator();
          Long from = ReplayPoint.resolve(request.from(), aggregator.upstreamTable());
          GoldAggregator.RunResult r = aggregator.replay(from);
          return new Replayed(new ReplayOutcome(null, from, r.upstreamRows(), r.partitionsRewritten(),
              r.rowsWritten()), r.committedAt());
        }, services.io());
    getContext().pipeToSelf(work, (replayed, error) -> new ReplayDone(request, error == null ? replayed
        : new Replayed(new ReplayOutcome(replayError(error), null, 0, 0, 0), null)));
  }

  /** When this worker first started its pipeline: events received before are backlog to the latency objective. */
  private Instant latencyFrom;

  /** Why the pipeline last failed to start, to log a stack trace once per reason. */
  private String lastStartFailure;
  /** When this worker last said it waits for Kafka: said once a minute while it does, not at every try. */
  private java.time.Instant lastWaitingLine;
  private static final Duration WAITING_LINE_EVERY = Duration.ofMinutes(1);

  /**
   * Starts the pipeline unless it runs, is being started, or is held. Its parts are made ready on the io pool, not
   * on this worker's thread: that asks Kafka (seconds when the log does not answer) and loads tables, and meanwhile
   * the worker keeps answering the status poll, a pause and a Stop (a shard handed over).
   */
  private Behavior<Command> ensureRunning() {
    if (pipeline != null || starting || stopping || halted || paused || replaying != null) {
      return this;
    }
    starting = true;
    startingSince = System.nanoTime();
    java.util.concurrent.CompletableFuture<Prepared> work = java.util.concurrent.CompletableFuture.supplyAsync(
        () -> product.stage() == Stage.SOURCE ? new Prepared(prepareSource(), null)
            // on the worker's own dispatcher, where the start ran before, not the io pool: under ingest that pool is
            // busy validating batches, and a moved worker's start queued behind them (a slower take-over)
            : new Prepared(null, newAggregator()), getContext().getExecutionContext());
    getContext().pipeToSelf(work, (prepared, error) -> error == null ? prepared : new PrepareFailed(error));
    // a retry keeps saying why it is retried (waiting for the log, or failed) until it runs: a state flipping to
    // starting and back at every try would restart the readiness grace of a worker between nodes each time
    String now = services.progress().state(worker.entityId()).state();
    if (!"waiting".equals(now) && !"failed".equals(now)) {
      publish("starting", null);
    }
    return this;
  }

  private Behavior<Command> onPrepared(Prepared prepared) {
    starting = false;
    if (stopping || replaying != null || paused) {
      return startAbandoned(); // the parts hold nothing to close: tables and the log are read afresh next time
    }
    try {
      pipeline = prepared.committer() != null ? runSource(prepared.committer()) : runGold(prepared.aggregator());
    } catch (RuntimeException e) {
      return startFailed(e);
    }
    lastStartFailure = null;
    lastWaitingLine = null;
    publish("running", null);
    getContext().getLog().info("{}: pipeline running (started in {} ms)", worker,
        (System.nanoTime() - startingSince) / 1_000_000);
    getContext().pipeToSelf(pipeline.done(), (done, error) ->
        new PipelineEnded(error == null ? null : describe(error)));
    return this;
  }

  private Behavior<Command> onPrepareFailed(PrepareFailed failed) {
    starting = false;
    if (stopping || replaying != null || paused) {
      return startAbandoned();
    }
    Throwable e = failed.error() instanceof java.util.concurrent.CompletionException && failed.error().getCause() != null
        ? failed.error().getCause() : failed.error();
    return startFailed(e);
  }

  /** What a stop, a replay or a pause asked for while the start's parts were being made ready. */
  private Behavior<Command> startAbandoned() {
    if (stopping) {
      publish("stopped", null);
      return Behaviors.stopped();
    }
    if (replaying != null) {
      startReplay();
    }
    return this; // paused: said so when the pause came
  }

  private Behavior<Command> startFailed(Throwable e) {
    String why = describe(e);
    boolean repeated = why.equals(lastStartFailure);
    boolean logUnreachable = io.lakemesh.runtime.log.KafkaErrors.unreachable(e);
    if (logUnreachable) {
      // Kafka not answering is a state to wait out, not a bug: one line without a stack trace, then a line a minute
      java.time.Instant now = java.time.Instant.now();
      if (!repeated || lastWaitingLine == null || Duration.between(lastWaitingLine, now).compareTo(WAITING_LINE_EVERY)
          >= 0) {
        getContext().getLog().warn("{}: {} for Kafka at {} (it does not answer: {}); trying again every {} s",
            worker, repeated ? "still waiting" : "waiting", services.kafkaBootstrap(), why, RESTART_DELAY.toSeconds());
        lastWaitingLine = now;
      }
    } else if (repeated) {
      // the same reason as the last try: one line, not the stack trace again at every retry
      getContext().getLog().error("{}: pipeline still cannot start: {}", worker, why);
    } else {
      getContext().getLog().error("{}: pipeline cannot start: {}", worker, why, e);
    }
    lastStartFailure = why;
    // the log unreachable (a Kafka outage, its node lost) is no failure of this product: it starts once the log is
    // back, and the node keeps serving reads meanwhile
    publish(logUnreachable ? "waiting" : "failed", logUnreachable ? "the log (Kafka) is unreachable, trying again "
        + RESTART_DELAY.toSeconds() + " s after each try: " + why : why);
    getContext().scheduleOnce(RESTART_DELAY, getContext().getSelf(), new Restart());
    return this;
  }

  /** The committer of this worker's partition, resuming from the tables (silver commits feed gold and streams). */
  private SourceBatchCommitter newCommitter() {
    var warehouse = services.warehouse();
    org.apache.iceberg.Table silver = StageTables.served(warehouse, product);
    StageTables.promoteColumns(silver, product.schema(), productId);
    return new SourceBatchCommitter(product.boundTo(silver.schema()), java.util.Set.of(worker.partition()),
        StageTables.bronze(warehouse, product), silver, StageTables.quarantine(warehouse, product),
        services.batchParts(), services.feed(productId).andThen(services.changes()));
  }

  /** The aggregator of this derived product, state loaded from its table; reads its upstream's commits in memory. */
  private GoldAggregator newAggregator() {
    var warehouse = services.warehouse();
    org.apache.iceberg.Table gold = StageTables.served(warehouse, product);
    StageTables.promoteColumns(gold, product.schema(), productId);
    Product upstream = services.products().upstreamOf(product,
        io.lakemesh.runtime.storage.SnapshotPositions.latest(gold, GoldAggregator.UPSTREAM_TABLE).orElse(null));
    return new GoldAggregator(product, services.products().aggregation(product, upstream), gold,
        StageTables.served(warehouse, upstream), services.feed(upstream.id()), services.changes());
  }

  /** A source worker's committer, resuming from its tables, once the log has its topic and reaches that far. */
  private SourceBatchCommitter prepareSource() {
    ensureTopic();
    SourceBatchCommitter committer = newCommitter();
    checkLogReaches(committer.resumeFrom().next(worker.partition()));
    return committer;
  }

  private RunningPipeline runSource(SourceBatchCommitter committer) {
    if (heldBatch != null) {
      committer.holdBatch(heldBatch, quarantineHeld);
      heldBatch = null;
    }
    this.committer = committer;
    // what was in the log before this worker first started is backlog (see BatchLatency); a pipeline started again
    // after a pause, a halt, a failure or a replay charges the events that waited meanwhile
    if (latencyFrom == null) {
      latencyFrom = Instant.now();
    }
    committer.chargeLatencyFrom(latencyFrom);
    return SourcePipeline.start(getContext().getSystem(), product, committer, services.kafkaBootstrap(),
        services.pipeline(), services.io(), result -> {
          batches += result.batches();
          lastCommit = result.committedAt();
          failuresInARow = 0;
          if (result.latency() != null) {
            lastLatency = result.latency();
          }
          publish("running", null);
        });
  }

  private RunningPipeline runGold(GoldAggregator aggregator) {
    return GoldPipeline.start(getContext().getSystem(), aggregator, services.pipeline(), services.io(), result -> {
      failuresInARow = 0;
      if (result.upstreamRows() > 0) {
        batches++;
        lastCommit = result.committedAt() != null ? result.committedAt() : Instant.now();
      }
      publish("running", null);
    });
  }

  /**
   * How long a start waits for Kafka's answers: a log that does not answer is tried again every few seconds, not
   * after the admin client's default minute, so the worker runs soon after the log is back.
   */
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

  private Admin admin() {
    return Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafkaBootstrap(),
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis() - 1_000));
  }

  private void ensureTopic() {
    try (Admin admin = admin()) {
      // the contract's partition count; a topic that exists with another count is refused (keys would move)
      io.lakemesh.runtime.log.Topics.ensure(admin, product.rawTopic(),
          product.contract().settings().partitions());
    }
  }

  /**
   * A raw topic that ends before where this partition's tables have read it was deleted and made again (or this
   * node reads another Kafka cluster): its events sit at offsets the tables count as stored, and would be skipped
   * without a word. The worker stops there, saying so, instead.
   */
  private void checkLogReaches(long read) {
    org.apache.kafka.common.TopicPartition tp = new org.apache.kafka.common.TopicPartition(product.rawTopic(),
        worker.partition());
    long end;
    try (Admin admin = admin()) {
      end = admin.listOffsets(java.util.Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
          .get(ADMIN_TIMEOUT.toMillis() + 1_000, java.util.concurrent.TimeUnit.MILLISECONDS).get(tp).offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the end of " + tp, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the end of " + tp + ": " + e, e);
    }
    if (end < read) {
      throw new IllegalStateException(product.rawTopic() + " partition " + worker.partition() + " ends at offset "
          + end + ", but this product's tables have read it up to " + read + ": the topic was deleted and made"
          + " again (or this node reads another Kafka cluster), and its events would be skipped as already stored."
          + " Nothing is read until that is settled: restore the topic, or deploy the contract as a new major"
          + " version, whose tables read the topic from its start");
    }
  }

  private Behavior<Command> onEnded(PipelineEnded ended) {
    pipeline = null;
    if (replaying != null && !stopping) {
      startReplay();
      return this;
    }
    if (stopping) {
      if (drainStarted != 0) {
        // Pekko warns when a hand-off takes over 5 s ("not stopped after [5 seconds]"): this says it ended well
        long ms = (System.nanoTime() - drainStarted) / 1_000_000;
        if (ended.error() == null) {
          getContext().getLog().info("{}: drained in {} ms: what was in flight is committed", worker, ms);
        } else {
          getContext().getLog().warn("{}: drain ended after {} ms with an error (the next start resumes from the"
              + " last commit): {}", worker, ms, ended.error());
        }
      }
      publish("stopped", null);
      return Behaviors.stopped();
    }
    if (paused) {
      publish("paused", null);
      return this;
    }
    if (ended.error() != null && ended.error().startsWith(QualityGateException.class.getSimpleName())) {
      // re-running the same batch would fail the same way: stay halted, visible in stats, until resumed
      // the rule and its measure, without the exception's class name (describe() puts it first)
      String reason = ended.error().substring(QualityGateException.class.getSimpleName().length() + 2);
      // the reason begins with the product, which the worker's id names already
      String product = worker.productId() + ": ";
      getContext().getLog().error("{}: pipeline halted by a quality gate: {}", worker,
          reason.startsWith(product) ? reason.substring(product.length()) : reason);
      halted = true;
      haltReason = reason;
      publish("halted", reason);
      return this;
    }
    Duration delay = RESTART_DELAY;
    if (ended.error() != null) {
      // a failure that persists (a table it cannot write) backs off, so it neither floods the log nor makes
      // /ready flap between polls; a commit resets it
      failuresInARow++;
      delay = RESTART_DELAY.multipliedBy(1L << Math.min(failuresInARow - 1, 5));
      delay = delay.compareTo(MAX_RESTART_DELAY) > 0 ? MAX_RESTART_DELAY : delay;
      getContext().getLog().error("{}: pipeline failed, restarting from the last commit in {} s{}: {}", worker,
          delay.toSeconds(), failuresInARow > 1 ? " (failure " + failuresInARow + " in a row)" : "", ended.error());
      publish("failed", ended.error());
    } else {
      publish("restarting", null);
    }
    getContext().scheduleOnce(delay, getContext().getSelf(), new Restart());
    return this;
  }

  private Behavior<Command> drain() {
    stopping = true;
    if (starting) {
      publish("draining", null);
      return this; // stops once the start's parts are ready (onPrepared), before they run
    }
    if (pipeline == null) {
      publish("stopped", null);
      return Behaviors.stopped();
    }
    getContext().getLog().info("{}: draining", worker);
    drainStarted = System.nanoTime();
    publish("draining", null);
    pipeline.drain();
    return this;
  }

  private void publish(String state, String error) {
    // a halted batch's events wait for an operator: how long, for the latency objective
    Instant waiting = state.equals("halted") && committer != null ? committer.haltedOldestLive() : null;
    services.progress().state(worker.entityId(), new ProgressBoard.PipelineState(state, error, lastCommit, batches,
        lastLatency, getContext().getSystem().address().toString(), waiting));
  }

  /** A bad replay point is the caller's mistake: its message alone; anything else says the replay failed. */
  private static String replayError(Throwable e) {
    Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    return t instanceof IllegalArgumentException ? t.getMessage() : "the replay failed: " + t.getMessage();
  }


  private static String describe(Throwable e) {
    Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    Throwable root = com.google.common.base.Throwables.getRootCause(t);
    // a wrapper's own text can say nothing ("UncheckedSQLException: Unknown failure"): the root cause says what
    // (SQLITE_BUSY: another process holds the catalog's write lock)
    return t.getClass().getSimpleName() + ": " + t.getMessage() + (root == t ? ""
        : " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")");
  }
}
