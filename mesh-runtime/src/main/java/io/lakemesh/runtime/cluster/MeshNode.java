package io.lakemesh.runtime.cluster;

import com.typesafe.config.Config;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.runtime.ingest.IngestService;
import io.lakemesh.runtime.log.EmbeddedKafka;
import io.lakemesh.runtime.pipeline.PipelineSettings;
import io.lakemesh.runtime.pipeline.ProgressBoard;
import io.lakemesh.runtime.pipeline.StageTables;
import io.lakemesh.runtime.product.DeploymentGate;
import io.lakemesh.runtime.product.Product;
import io.lakemesh.runtime.product.ProductCatalog;
import io.lakemesh.runtime.observe.ProductMetrics;
import io.lakemesh.runtime.serve.ApiRoutes;
import io.lakemesh.runtime.serve.CrossOrigin;
import io.lakemesh.runtime.serve.ManagementRoutes;
import io.lakemesh.runtime.serve.ProblemParsingErrorHandler;
import io.lakemesh.runtime.serve.ServingState;
import io.lakemesh.runtime.serve.ProductStats;
import io.lakemesh.runtime.serve.RowQueries;
import io.lakemesh.runtime.security.Authenticator;
import io.lakemesh.runtime.security.DevKeys;
import io.lakemesh.runtime.security.UnauthenticatedException;
import io.lakemesh.runtime.security.apikeys.ApiKeys;
import io.lakemesh.runtime.security.HashSalt;
import io.lakemesh.runtime.security.ProductAccess;
import io.lakemesh.runtime.security.SecuritySettings;
import io.lakemesh.runtime.security.TokenVerifier;
import io.lakemesh.runtime.security.audit.AuditDirectives;
import io.lakemesh.runtime.security.audit.AuditLog;
import io.lakemesh.runtime.security.limits.RequestLimits;
import io.lakemesh.runtime.security.tls.ServerTls;
import io.lakemesh.runtime.storage.Warehouse;
import io.lakemesh.runtime.stream.ChangeHub;
import io.lakemesh.runtime.stream.LiveStreams;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lakemesh node: starts the log (embedded or external Kafka), opens the Iceberg catalog, joins the Pekko
 * cluster, runs the data products of its domains as sharded entities and serves the HTTP API. Shutdown drains
 * every pipeline (committing what is in flight) before the log and the catalog close.
 */
public final class MeshNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MeshNode.class);

  private final ActorSystem<Void> system;
  private final EmbeddedKafka kafka;
  private final Warehouse warehouse;
  /** The same tables through connections of their own, for what answers requests (stats, rows, streams, lag). */
  private final Warehouse reads;
  private final IngestService ingest;
  private final ServerBinding http;
  private final ServerBinding management;
  private final String bootstrap;
  private final ProductCatalog products;
  private final ProgressBoard progress;
  private final ChangeHub changes;
  private final SecuritySettings security;
  private final Path home;
  private final AuditLog audit;
  private final ClusterProgress workers;
  /** Readiness on both ports, and the refusal of input while the node stops. */
  private final ServingState serving;
  private final CatalogCheck catalogCheck;
  /** The other members this node could not reach when it last looked (see {@link #noteReachability}). */
  private volatile Reach lastReach = new Reach(0, List.of());

  /** How many other members there were, and which of them this node could not reach. */
  private record Reach(int others, List<String> unreachable) {}

  private MeshNode(ActorSystem<Void> system, EmbeddedKafka kafka, Warehouse warehouse, Warehouse reads,
      IngestService ingest,
      ServerBinding http, ServerBinding management, String bootstrap, ProductCatalog products,
      ProgressBoard progress, ChangeHub changes, SecuritySettings security, Path home, AuditLog audit,
      ClusterProgress workers, ServingState serving, CatalogCheck catalogCheck) {
    this.serving = serving;
    this.catalogCheck = catalogCheck;
    this.workers = workers;
    this.changes = changes;
    this.security = security;
    this.home = home;
    this.audit = audit;
    this.system = system;
    this.kafka = kafka;
    this.warehouse = warehouse;
    this.reads = reads;
    this.ingest = ingest;
    this.http = http;
    this.management = management;
    this.bootstrap = bootstrap;
    this.products = products;
    this.progress = progress;
  }

  /**
   * Creates the home readable by its owner only: its tables hold every column in clear (masks and row filters apply
   * to what the API serves), and it holds the dev keys. A home that others may read is used as it is, with a warning.
   */
  private static void privateHome(Path home) {
    if (Files.exists(home) && !Files.isDirectory(home)) {
      throw new IllegalStateException("LAKEMESH_HOME " + home + " is a file, not a directory: --home (LAKEMESH_HOME)"
          + " names the directory the node keeps its state in");
    }
    boolean posix = home.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (!Files.exists(home)) {
        if (home.getParent() != null) {
          Files.createDirectories(home.getParent());
        }
        if (posix) {
          Files.createDirectory(home, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectory(home);
        }
      } else if (posix) {
        Set<PosixFilePermission> open = Files.getPosixFilePermissions(home);
        open.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_EXECUTE));
        if (!open.isEmpty()) {
          LOG.warn("LAKEMESH_HOME {} is open to other users ({}): its tables hold every column in clear (masks and"
              + " row filters apply to the API only); chmod 700 it unless that is meant", home,
              PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        }
      }
    } catch (FileAlreadyExistsException raced) {
      // another node of a test made it at the same moment
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create LAKEMESH_HOME " + home + ": " + e.getMessage(), e);
    }
  }

  public static MeshNode start(Config config) throws InvalidContractException {
    Config lm = config.getConfig("lakemesh");
    Path home = Path.of(lm.getString("home")).toAbsolutePath();
    privateHome(home);
    boolean kubernetes = bootstrapsOnKubernetes(lm); // a bad setting refuses the start before anything runs
    // a production node lacking settings refuses at once, naming every one it lacks
    List<String> missing = SecuritySettings.missingForProduction(lm);
    if (!missing.isEmpty()) {
      throw new IllegalStateException(SecuritySettings.production(missing));
    }
    // TLS settings are checked before anything starts
    Optional<HttpsConnectionContext> https = ServerTls.from(lm, lm.getString("http.host"));
    // before anything starts: a wrong origin stops the node with one line, not after Kafka is up
    CrossOrigin crossOrigin = CrossOrigin.from(lm.getConfig("http.cors"));
    ProductCatalog products = ProductCatalog.load(MeshNode.class.getClassLoader(),
        lm.getStringList("contract-dirs").stream().map(Path::of).toList(), lm.getBoolean("builtin-contracts"));
    if (products.all().isEmpty()) {
      throw new IllegalStateException("no data product contracts found: give a directory of them with --contracts"
          + " <dir> (lakemesh.contract-dirs)" + (lm.getBoolean("builtin-contracts")
              ? " or put a domain module on the classpath"
              : "; --no-builtin-contracts (lakemesh.builtin-contracts = false) leaves out the ones domain modules"
                  + " ship"));
    }
    // security first: a misconfiguration refuses the start before anything else runs
    SecuritySettings security = SecuritySettings.from(lm);
    TokenVerifier verifier;
    if (security.dev()) {
      DevKeys keys = DevKeys.loadOrCreate(home, security);
      keys.writeAdminToken(home);
      verifier = TokenVerifier.local(keys.publicKeys(), security);
    } else {
      verifier = TokenVerifier.remote(security);
    }
    ProductAccess access = new ProductAccess(products, HashSalt.resolve(security, home));
    // a port in use refuses the start before Kafka, the catalog and the pipelines start, rather than after
    requireFreePort(lm.getString("http.host"), lm.getInt("http.port"), "HTTP API");
    requireFreePort(managementHost(lm), lm.getInt("management.port"), "management API");
    requireFreeClusterPort(config);
    if (lm.getString("kafka.bootstrap").isBlank() && lm.getInt("kafka.port") != 0) {
      requireFreePort(EmbeddedKafka.HOST, lm.getInt("kafka.port"), "embedded Kafka");
    }
    EmbeddedKafka kafka = null;
    String bootstrap = lm.getString("kafka.bootstrap");
    boolean kafkaAnswers = true;
    if (bootstrap.isBlank()) {
      kafka = EmbeddedKafka.start(home.resolve("kafka"), lm.getInt("kafka.port"), Map.of(
          "log.retention.ms", Long.toString(lm.getDuration("kafka.retention").toMillis()),
          "log.retention.bytes", Long.toString(lm.getLong("kafka.retention-bytes"))));
      bootstrap = kafka.bootstrapServers();
    } else {
      kafkaAnswers = kafkaAnswers(bootstrap);
    }
    Warehouse warehouse;
    Config catalogProps = lm.getConfig("catalog.properties");
    String catalogIdentity;
    if (catalogProps.isEmpty()) {
      warehouse = Warehouse.openLocal(home);
      catalogIdentity = "local " + home.toAbsolutePath().normalize();
    } else {
      Map<String, String> props = new HashMap<>();
      // HOCON paths to Iceberg property names: jdbc.schema-version and "jdbc.schema-version" alike
      catalogProps.entrySet().forEach(e -> props.put(String.join(".",
          com.typesafe.config.ConfigUtil.splitPath(e.getKey())), e.getValue().unwrapped().toString()));
      warehouse = Warehouse.open(props);
      catalogIdentity = props.getOrDefault("uri", "") + " " + props.getOrDefault("warehouse", "");
    }
    // a node runs the domains it has the role of; by default all domains it has contracts for, plus the API
    List<String> roles = new ArrayList<>(lm.getStringList("roles"));
    if (roles.isEmpty()) {
      roles.addAll(products.all().stream().map(p -> "domain-" + p.contract().domain()).distinct().toList());
      roles.add("api");
    }
    // which catalog the node works on, as a role every member sees: a node on another catalog must not join
    roles.add(CatalogCheck.role(catalogIdentity));
    Config withRoles = com.typesafe.config.ConfigFactory.parseMap(Map.of("pekko.cluster.roles", roles))
        .withFallback(kubernetes ? kubernetesBootstrap(lm) : withoutBootstrapRoutes())
        .withFallback(config);
    try {
      DeploymentGate.check(warehouse, products);
    } catch (RuntimeException e) {
      releaseBeforeStart(warehouse, kafka);
      throw e;
    }
    List<String> seeds = withRoles.getStringList("pekko.cluster.seed-nodes");
    String selfAddress = "pekko://lakemesh@" + withRoles.getString("pekko.remote.artery.canonical.hostname") + ":"
        + withRoles.getInt("pekko.remote.artery.canonical.port");
    boolean joinsLiveLeader = false;
    if (!kubernetes && !seeds.isEmpty() && seeds.get(0).equals(selfAddress)) {
      // the first seed joins itself when no other seed answers in time: beside a live (perhaps busy) cluster that
      // would be a second one: it joins the lease's leader instead (see joinItselfOnceTheLeaseLapses)
      ClusterLease lease = ClusterLease.in(warehouse);
      Optional<String> leader = lease.otherHolder(selfAddress);
      // a lease renewed within its TTL: a cluster may live on without this node (led by the lease's holder, or by
      // a successor of a holder just lost, this node's own previous run included)
      List<String> withLeader = leader.isPresent() || !lease.lapsed()
          ? seedsJoiningOthersFirst(seeds, selfAddress, leader) : seeds;
      joinsLiveLeader = !withLeader.equals(seeds);
      if (joinsLiveLeader) {
        LOG.info("the catalog's lease says a cluster may be live{}: joining it through {} first",
            leader.map(l -> " (led by " + l + ")").orElse(""), withLeader.get(0));
        withRoles = com.typesafe.config.ConfigFactory.parseMap(Map.of("pekko.cluster.seed-nodes", withLeader))
            .withFallback(withRoles);
      }
    }
    if (!kubernetes && config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      // about to form a cluster of its own: not next to another cluster already working on this catalog (the same
      // events would be committed twice); checked before the actor system exists, so a refusal is one line
      String self = "pekko://lakemesh@" + withRoles.getString("pekko.remote.artery.canonical.hostname") + ":"
          + withRoles.getInt("pekko.remote.artery.canonical.port");
      Optional<String> other = ClusterLease.in(warehouse).otherHolder(self);
      if (other.isPresent()) {
        releaseBeforeStart(warehouse, kafka);
        throw new IllegalStateException("another Lakemesh cluster works on this catalog (its leader is "
            + other.get() + "): join it with --seed-nodes " + other.get() + ", or stop it first");
      }
    }
    ActorSystem<Void> system;
    try {
      system = ActorSystem.create(Behaviors.empty(), "lakemesh", withRoles);
    } catch (RuntimeException e) {
      releaseBeforeStart(warehouse, kafka);
      // most often the cluster port is taken; Pekko's own message names the address but not the setting
      throw new IllegalStateException("cannot start the cluster transport on port "
          + withRoles.getInt("pekko.remote.artery.canonical.port") + " (is it in use? choose another with"
          + " --cluster-port or LAKEMESH_CLUSTER_PORT): " + e.getMessage(), e);
    }
    Cluster cluster = Cluster.get(system);
    if (kubernetes) {
      // the pods find each other through the Kubernetes API and probe /bootstrap on the management port
      try {
        org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap.get(system).start();
      } catch (RuntimeException e) {
        system.terminate();
        releaseBeforeStart(warehouse, kafka);
        throw new IllegalStateException("cluster bootstrap on Kubernetes cannot start (" + e.getMessage()
            + "): run the node in a pod with its service account mounted, or use lakemesh.cluster.bootstrap ="
            + " seed-nodes", e);
      }
    } else if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      // a node without seed nodes forms a cluster of its own: the same code path as a scaled-out cluster
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else if (joinsLiveLeader) {
      joinItselfOnceTheLeaseLapses(system, warehouse, selfAddress);
    }
    Executor io = system.dispatchers().lookup(DispatcherSelector.fromConfig("lakemesh-io-dispatcher"));
    renewLeaseWhileLeader(system, warehouse, io);
    CatalogCheck catalogCheck = CatalogCheck.start(system, catalogIdentity);
    // requests read through connections of their own: a commit waiting for the catalog's lock holds one of the
    // writing catalog's connections, and stats, rows, streams and ingest's lag check waited behind it
    Warehouse reads = warehouse.forReading();
    ProgressBoard progress = new ProgressBoard(new io.lakemesh.runtime.pipeline.CommittedPositions(reads,
        products, Duration.ofMillis(500)), new io.lakemesh.runtime.log.LogEnds(bootstrap, products,
        Duration.ofMillis(500)));
    ChangeHub changes = new ChangeHub();
    // live streams see every commit of a product, also those of partition workers on other nodes
    changes.follow(id -> StageTables.served(reads, products.find(id).orElseThrow()),
        Duration.ofMillis(250));
    NodeServices services = new NodeServices(products, warehouse, bootstrap, PipelineSettings.from(config),
        progress, io, system.dispatchers().lookup(DispatcherSelector.fromConfig("lakemesh-batch-parts-dispatcher")),
        new ConcurrentHashMap<>(), changes);
    for (String domain : products.all().stream().map(p -> p.contract().domain()).distinct().toList()) {
      DataProduct.initSharding(system, domain, services);
    }
    if (kafkaAnswers) {
      createRawTopics(bootstrap, products);
    } // else said already; each worker makes its topic once Kafka answers
    // polling every worker's state also starts it, and restarts it on a survivor after a node is lost
    ClusterProgress workers = ClusterProgress.start(system, products);
    WorkerPlacement placement = WorkerPlacement.start(system, products);

    IngestService ingest = new IngestService(bootstrap, progress, lm.getLong("ingest.max-lag"));
    RowQueries queries = new RowQueries(reads).withTimeout(lm.getDuration("limits.query-timeout"));
    ProductStats stats = new ProductStats(reads, progress, workers, products);
    AuditLog audit = AuditLog.open(warehouse, AuditLog.Settings.from(lm.getConfig("audit")),
        auditUpkeep(PipelineSettings.from(config)));
    // a node whose audit trail cannot be written refuses audited requests: a load balancer should send them elsewhere
    ServingState serving = new ServingState(() -> audit.unavailable().or(workers::whyNotReady), workers::held);
    ApiKeys apiKeys = ApiKeys.open(warehouse);
    // keys created or revoked on other nodes hold here within a second, read off the request threads
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(1), Duration.ofSeconds(1), apiKeys::refresh,
        system.dispatchers().lookup(DispatcherSelector.blocking()));
    Authenticator authenticator = new Authenticator(verifier, apiKeys);
    // who sent a request, for the audit trail and the rate-limit key: the verified subject, else anonymous
    Function<HttpRequest, String> principal = request -> {
      try {
        return authenticator.authenticate(request.getHeader("Authorization").map(h -> h.value()),
            request.getHeader("X-API-Key").map(h -> h.value())).subject();
      } catch (UnauthenticatedException e) {
        return AuditDirectives.ANONYMOUS;
      }
    };
    AuditDirectives auditing = new AuditDirectives(audit, principal);
    ProblemParsingErrorHandler.auditTo(audit);
    RequestLimits limits = RequestLimits.from(lm.getConfig("limits"), principal, AuditDirectives.ANONYMOUS);
    // requests read on a pool of their own: stats, metrics and rows answer while every pipeline commits at once
    Executor requests = system.dispatchers().lookup(DispatcherSelector.fromConfig("lakemesh-request-dispatcher"));
    LiveStreams streams = new LiveStreams(reads, changes, system, requests, lm.getInt("stream.buffer-messages"),
        lm.getInt("stream.max-replay-rows"), new io.lakemesh.runtime.stream.StreamQuota(
            lm.getInt("limits.streams-per-caller"), lm.getInt("limits.max-streams")));
    ApiRoutes routes = new ApiRoutes(products, ingest, queries, stats, serving, requests, lm.getBytes("http.max-body"),
        authenticator, access, streams, auditing, lm.getDuration("limits.query-timeout"), apiKeys);
    String host = lm.getString("http.host");
    // outermost, so every answer a page can get (a rate limit's 429 too) carries the CORS headers it needs
    if (!crossOrigin.origins().isEmpty()) {
      LOG.info("Browser pages from {} may call the API (lakemesh.http.cors.allowed-origins)",
          String.join(", ", crossOrigin.origins()));
    }
    ServerBinding http = bindOrSayWhyStopped(catalogCheck, () -> bind(system, crossOrigin.around(() ->
        auditing.around(() -> limits.around(routes::routes))), host, lm.getInt("http.port"), "HTTP API", https));
    ManagementRoutes managementRoutes = new ManagementRoutes(serving, new ProductMetrics(products, stats), requests,
        org.apache.pekko.management.javadsl.PekkoManagement.get(system).getRoutes(),
        new io.lakemesh.runtime.serve.ProductAdmin(products, workers, placement, stats::tableCommits),
        authenticator, auditing, kubernetes, products, access);
    // the operator's port is as protected as the API, rate limits included (probes and scrapes are not limited)
    ServerBinding management = bindOrSayWhyStopped(catalogCheck, () -> bind(system, auditing.around(() ->
        limits.around(managementRoutes::routes)), managementHost(lm), lm.getInt("management.port"),
        "management API", https));
    MeshNode node = new MeshNode(system, kafka, warehouse, reads, ingest, http, management, bootstrap, products,
        progress, changes, security, home, audit, workers, serving, catalogCheck);
    node.registerShutdown();
    node.noteReachability();
    return node;
  }

  /** What a start refused after the log and the catalog were opened gives back, so a retry finds its ports free. */
  private static void releaseBeforeStart(Warehouse warehouse, EmbeddedKafka kafka) {
    warehouse.close();
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * The audit table gets what every stage's table gets: its small files compacted and its old snapshots expired,
   * on the pipelines' schedule (every snapshot-retention.every).
   */
  private static AuditLog.Upkeep auditUpkeep(PipelineSettings pipeline) {
    return new AuditLog.Upkeep(pipeline.retention().every(), table -> {
      if (pipeline.compaction().enabled()) {
        pipeline.compaction().compaction().run(table);
      }
      pipeline.retention().expire(table);
    });
  }

  private static boolean bootstrapsOnKubernetes(Config lm) {
    String bootstrap = lm.getString("cluster.bootstrap");
    return switch (bootstrap) {
      case "kubernetes" -> true;
      case "seed-nodes" -> false;
      default -> throw new IllegalArgumentException("lakemesh.cluster.bootstrap (LAKEMESH_CLUSTER_BOOTSTRAP) must be"
          + " 'seed-nodes' or 'kubernetes', not '" + bootstrap + "'");
    };
  }

  /**
   * Seed-node clusters do not serve /bootstrap: its routes start the bootstrap extension, which then logs that it
   * found no seed nodes and relies on a bootstrap that never comes.
   */
  private static Config withoutBootstrapRoutes() {
    return com.typesafe.config.ConfigFactory.parseMap(Map.of("pekko.management.http.routes.cluster-bootstrap", ""));
  }

  /** Cluster bootstrap through Kubernetes API discovery: contact points are the service's pods' management ports. */
  private static Config kubernetesBootstrap(Config lm) {
    String service = lm.getString("cluster.service-name");
    return com.typesafe.config.ConfigFactory.parseMap(Map.of(
        "pekko.discovery.method", "kubernetes-api",
        "pekko.discovery.kubernetes-api.pod-label-selector", "app=%s",
        "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method", "kubernetes-api",
        "pekko.management.cluster.bootstrap.contact-point-discovery.service-name", service,
        "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
        lm.getInt("cluster.required-contact-points"),
        // contact points are probed on the port the node serves its management routes on
        "pekko.management.http.port", lm.getInt("management.port")));
  }

  /** Whether {@code port} can be bound now (0, any free port, always can); the bind itself comes later. */
  private static void requireFreePort(String host, int port, String what) {
    if (!canBind(host, port)) {
      throw new IllegalStateException(cannotServe(what, host, port));
    }
  }

  /** The cluster transport's port (Artery TCP), checked as the HTTP ports are. */
  private static void requireFreeClusterPort(Config config) {
    String artery = "pekko.remote.artery.";
    String bindHost = config.getString(artery + "bind.hostname");
    String bindPort = config.getString(artery + "bind.port");
    String host = bindHost.isBlank() ? config.getString(artery + "canonical.hostname") : bindHost;
    int port = bindPort.isBlank() ? config.getInt(artery + "canonical.port") : Integer.parseInt(bindPort.trim());
    if (!canBind(host, port)) {
      throw new IllegalStateException("cannot start the cluster transport on port " + port + " (is it in use?"
          + " choose another with --cluster-port or LAKEMESH_CLUSTER_PORT)");
    }
  }

  /**
   * False only when the port is taken; anything else (an address that is not this machine's, a name that does not
   * resolve here) is left for the real bind to report in its own words.
   */
  private static boolean canBind(String host, int port) {
    if (port == 0) {
      return true;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, port));
      return true;
    } catch (java.net.BindException taken) {
      return !String.valueOf(taken.getMessage()).contains("in use");
    } catch (java.io.IOException | RuntimeException other) {
      return true;
    }
  }

  /** The address the management port binds: {@code lakemesh.management.host}, else the API's. */
  private static String managementHost(Config lm) {
    return lm.hasPath("management.host") ? lm.getString("management.host") : lm.getString("http.host");
  }

  /**
   * A bind that fails because the node stopped itself meanwhile (it joined a cluster on another catalog) says why it
   * stopped, not that a port could not be served.
   */
  private static ServerBinding bindOrSayWhyStopped(CatalogCheck check,
      Supplier<ServerBinding> bind) {
    try {
      return bind.get();
    } catch (IllegalStateException e) {
      Optional<String> stopped = check.problem();
      if (stopped.isPresent()) {
        throw new IllegalStateException(stopped.get(), e);
      }
      throw e;
    }
  }

  private static String cannotServe(String what, String host, int port) {
    String setting = switch (what) {
      case "HTTP API" -> "--http-port or LAKEMESH_HTTP_PORT";
      case "management API" -> "--mgmt-port or LAKEMESH_MGMT_PORT";
      case "embedded Kafka" -> "--kafka-port or LAKEMESH_KAFKA_PORT";
      default -> "its flag or environment variable";
    };
    return "cannot serve the " + what + " on " + host + ":" + port + " (is the port in use? choose another with "
        + setting + ", or 0 for a free one)";
  }

  private static ServerBinding bind(ActorSystem<?> system, org.apache.pekko.http.javadsl.server.Route routes,
      String host, int port, String what, Optional<HttpsConnectionContext> https) {
    try {
      var server = Http.get(system).newServerAt(host, port);
      if (https.isPresent()) {
        server = server.enableHttps(https.get());
      }
      // slow-loris guard: a connection must deliver its first complete request (all headers) within the
      // deadline, else it is closed; later requests are bounded by idle-timeout and the connection cap
      java.time.Duration headerDeadline = system.settings().config().getDuration("lakemesh.limits.header-deadline");
      return server.bindFlow(org.apache.pekko.stream.javadsl.Flow.of(
              org.apache.pekko.http.javadsl.model.HttpRequest.class)
              .initialTimeout(headerDeadline)
              // the connection's requests end there, so the server closes it: no 500, no error logged per such
              // connection (a client can open as many as it likes)
              .recoverWithRetries(1, org.apache.pekko.stream.InitialTimeoutException.class,
                  org.apache.pekko.stream.javadsl.Source::empty)
              .map(MeshNode::withoutTrailingSlash)
              .via(routes.flow(system)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException(cannotServe(what, host, port), e);
    }
  }

  /** {@code /api/v1/products/x/rows/} is {@code /api/v1/products/x/rows}, as every resource of both ports. */
  private static org.apache.pekko.http.javadsl.model.HttpRequest withoutTrailingSlash(
      org.apache.pekko.http.javadsl.model.HttpRequest request) {
    String path = request.getUri().path();
    return path.length() > 1 && path.endsWith("/")
        ? request.withUri(request.getUri().path(path.substring(0, path.length() - 1))) : request;
  }

  /**
   * Notes every second which other members this node reaches, while it is a member: once it is downed, the cluster
   * state it reads is empty, so what it could reach just before is kept for the line it exits with.
   */
  private void noteReachability() {
    Cluster cluster = Cluster.get(system);
    system.scheduler().scheduleAtFixedRate(java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(1), () -> {
      var self = cluster.selfMember();
      if (self.status() != org.apache.pekko.cluster.MemberStatus.up()
          && self.status() != org.apache.pekko.cluster.MemberStatus.weaklyUp()) {
        return;
      }
      var state = cluster.state();
      List<String> unreachable = new ArrayList<>();
      state.getUnreachable().forEach(m -> unreachable.add(m.address().toString()));
      int others = 0;
      for (var m : state.getMembers()) {
        others += m.address().equals(self.address()) ? 0 : 1;
      }
      lastReach = new Reach(others, List.copyOf(unreachable));
    }, system.executionContext());
  }

  private void registerShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    // not ready, and ingest answers 503 "stopping", for a moment before the ports close: load balancers take the
    // node out and clients posting on kept-alive connections get an answer instead of a reset
    java.time.Duration stopGrace = system.settings().config().getDuration("lakemesh.http.stop-grace");
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "refuse-new-input", () -> {
      serving.stop();
      CompletableFuture<Done> graceOver = new CompletableFuture<>();
      system.scheduler().scheduleOnce(stopGrace, () -> graceOver.complete(Done.getInstance()),
          system.executionContext());
      return graceOver;
    });
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "stop-worker-polls", () -> {
      workers.stop();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-http", () -> {
      changes.closeAll(); // live subscribers get a closing message and a clean close
      return http.unbind().thenCompose(d -> management.unbind());
    });
    // requests already in flight (an ingest waiting for Kafka's acks) get their answer before connections close;
    // a new request on an open connection gets a 503
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "finish-http-requests", () ->
        http.terminate(java.time.Duration.ofSeconds(4))
            .thenCompose(t -> management.terminate(java.time.Duration.ofMillis(500)))
            .thenApply(t -> Done.getInstance()));
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-ingest", () -> {
      ingest.close();
      progress.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "close-audit", () -> {
      audit.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  public SecuritySettings security() {
    return security;
  }

  /** The dev admin token's file; empty outside dev mode. */
  public Optional<Path> devAdminTokenFile() {
    return security.dev() ? Optional.of(SecuritySettings.devAdminTokenFile(home))
        : Optional.empty();
  }

  /**
   * The dev admin token (platform admin role) written at start, for tools and tests on this node.
   *
   * @throws IllegalStateException outside dev mode
   */
  public String devAdminToken() {
    Path file = devAdminTokenFile().orElseThrow(() -> new IllegalStateException("not in dev mode"));
    try {
      return Files.readString(file).trim();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Every source product's raw topic, before the node takes events: ingest needs it also for a product whose domain
   * no member runs yet (its events wait there for the first worker). Workers ensure it again when they start; a
   * topic that cannot be made is logged here and reported by its workers.
   */
  private static void createRawTopics(String bootstrap, ProductCatalog products) {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
      for (Product p : products.all()) {
        if (p.stage() != io.lakemesh.contracts.model.Stage.SOURCE) {
          continue;
        }
        try {
          io.lakemesh.runtime.log.Topics.ensure(admin, p.rawTopic(), p.contract().settings().partitions());
        } catch (RuntimeException e) {
          if (io.lakemesh.runtime.log.KafkaErrors.unreachable(e)) {
            // Kafka stopped answering since the check a moment ago: the workers wait for it and say so
            LOG.warn("{}: cannot create its raw topic {} yet: {}", p.id(), p.rawTopic(), e.getMessage());
          } else {
            LOG.error("{}: cannot create its raw topic {}: {}", p.id(), p.rawTopic(), e.getMessage());
          }
        }
      }
    }
  }

  public int httpPort() {
    return http.localAddress().getPort();
  }

  public int managementPort() {
    return management.localAddress().getPort();
  }

  /**
   * An external Kafka that does not answer at start (a typo in --kafka, the broker not up yet) is said in one line
   * first: the node still starts, serving reads, and its pipelines wait for the log as they do when it is lost later.
   */
  private static boolean kafkaAnswers(String bootstrap) {
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 9_000))) {
      admin.describeCluster().clusterId().get(11, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      LOG.warn("Kafka at {} does not answer ({}): the node starts and serves reads; its products wait for the log"
          + " (stats show 'waiting') and ingest answers 503 log-unavailable until it answers. Check --kafka"
          + " (LAKEMESH_KAFKA)", bootstrap, cause.getMessage());
      return false;
    }
  }

  public String kafkaBootstrap() {
    return bootstrap;
  }

  public ProductCatalog products() {
    return products;
  }

  public Warehouse warehouse() {
    return warehouse;
  }

  public ChangeHub changes() {
    return changes;
  }

  public AuditLog audit() {
    return audit;
  }

  public ProgressBoard progress() {
    return progress;
  }

  /** Every product worker's last known state, cluster-wide. */
  public ClusterProgress workers() {
    return workers;
  }

  /**
   * The seed nodes a first seed uses while a cluster may be live: its leader (when the lease names one) first, then the
   * other seeds, itself last. Only the first seed of the list ever joins itself, and only when no other seed answers
   * within seed-node-timeout, which a busy live cluster can miss: so the node keeps asking to join that cluster and
   * does not form one of its own beside it (see {@link #joinItselfOnceTheLeaseLapses}).
   */
  static List<String> seedsJoiningOthersFirst(List<String> seeds, String self, Optional<String> liveLeader) {
    List<String> order = new ArrayList<>();
    liveLeader.ifPresent(order::add);
    seeds.stream().filter(s -> !s.equals(self) && !order.contains(s)).forEach(order::add);
    if (seeds.contains(self)) {
      order.add(self);
    }
    return List.copyOf(order);
  }

  /**
   * A first seed that put the other seeds ahead of itself never joins itself, which is right while a cluster lives.
   * When none does (every node was restarting at once, the leader among them), nobody renews the lease and it lapses
   * within {@link ClusterLease#TTL}: then nobody would form the cluster, so this node does, as a first seed would have.
   */
  private static void joinItselfOnceTheLeaseLapses(ActorSystem<?> system, Warehouse warehouse, String self) {
    Cluster cluster = Cluster.get(system);
    ClusterLease lease = ClusterLease.in(warehouse);
    org.apache.pekko.actor.Cancellable[] check = new org.apache.pekko.actor.Cancellable[1];
    check[0] = system.scheduler().scheduleAtFixedRate(ClusterLease.RENEW, ClusterLease.RENEW, () -> {
      if (cluster.selfMember().status() != org.apache.pekko.cluster.MemberStatus.removed()) {
        check[0].cancel(); // joined
        return;
      }
      CompletableFuture.runAsync(() -> {
        if (cluster.selfMember().status() == org.apache.pekko.cluster.MemberStatus.removed() && lease.lapsed()) {
          LOG.info("no live cluster holds the catalog's lease any more: forming the cluster");
          check[0].cancel();
          cluster.manager().tell(Join.create(cluster.selfMember().address()));
        }
      });
    }, system.executionContext());
  }

  /** The cluster's leader renews the catalog's cluster lease (see {@link ClusterLease}) every few seconds. */
  private static void renewLeaseWhileLeader(ActorSystem<?> system, Warehouse warehouse, Executor io) {
    ClusterLease lease = ClusterLease.in(warehouse);
    Cluster cluster = Cluster.get(system);
    system.scheduler().scheduleAtFixedRate(ClusterLease.RENEW, ClusterLease.RENEW, () -> {
      var state = cluster.state();
      var self = cluster.selfMember();
      if (state.getLeader() != null && state.getLeader().equals(self.address())
          && self.status() == org.apache.pekko.cluster.MemberStatus.up()) {
        io.execute(() -> {
          try {
            lease.renew(self.address().toString());
          } catch (RuntimeException e) {
            LOG.warn("could not renew the cluster lease in the catalog: {}", e.toString());
          }
        });
      }
    }, system.executionContext());
  }

  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated().thenApply(t -> Done.getInstance());
  }

  /** Why the node stopped itself, if it did (e.g. it works on another catalog than the cluster). */
  public Optional<String> stoppedItself() {
    return catalogCheck.problem();
  }

  /** Why the actor system shut down without being asked to by {@link #close}: the cluster downed it, or it left. */
  public enum Departure { DOWNED, LEFT, OTHER }

  /** The reason the node's actor system shut down (meaningful once it has terminated). */
  public Departure departure() {
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(system).getShutdownReason();
    if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.clusterDowningReason())) {
      return Departure.DOWNED;
    }
    if (reason.isPresent() && reason.get().equals(CoordinatedShutdown.clusterLeavingReason())) {
      return Departure.LEFT;
    }
    return Departure.OTHER;
  }

  /**
   * The other members this node could not reach when it shut down: when it was downed with all of them unreachable,
   * the split-brain resolver downed its whole side, and whether their side goes on (a partition) or is gone too (a
   * crash, as when the first of two nodes dies) this node cannot tell.
   */
  public List<String> unreachableAtDeparture() {
    return lastReach.unreachable();
  }

  /** Whether every other member was unreachable when this node shut down (false in a cluster of one). */
  public boolean aloneAtDeparture() {
    Reach reach = lastReach;
    return !reach.unreachable().isEmpty() && reach.others() == reach.unreachable().size();
  }

  /** Drains the pipelines, leaves the cluster, stops the actor system, then closes Kafka and the catalog. */
  @Override
  public void close() {
    LOG.info("shutting down: draining pipelines");
    try {
      CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture()
          .get(2, TimeUnit.MINUTES);
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("shutdown did not finish cleanly", e);
    } finally {
      if (kafka != null) {
        kafka.close();
      }
      reads.close();
      warehouse.close();
    }
  }
}
