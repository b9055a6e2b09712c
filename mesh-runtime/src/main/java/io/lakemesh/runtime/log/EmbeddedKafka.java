package io.lakemesh.runtime.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default durable log: a single-node Apache Kafka KRaft broker (broker and controller in one)
 * running inside this JVM, storing everything under one data directory.
 *
 * <p>The data directory is formatted on first start only; later starts on the same directory find every
 * topic and record written before, which is what lets a restarted process resume from its Kafka offsets.
 * The directory belongs to Kafka: put nothing else in it.
 *
 * <p>Clients connect to {@link #bootstrapServers()} on the loopback interface, in plaintext: this is the
 * one-process default, not a network service.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    // Loopback by literal address: "localhost" may resolve to ::1 first, and the broker binds one address only.
    public static final String HOST = "127.0.0.1";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    // Kafka locks a combined node's directory only once the broker starts, after the controller has already
    // written to the metadata log in it; a second instance on the same directory would corrupt that log.
    private static final String LOCK_FILE = "lakemesh-broker.lock";

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final FileChannel dirLock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, FileChannel dirLock) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.dirLock = dirLock;
    }

    /**
     * Starts a broker on {@code dataDir}, formatting it first if it has never held Kafka data, and returns once
     * the broker answers clients.
     *
     * @param dataDir directory owned by this broker; created if missing
     * @param port    client port on 127.0.0.1, or 0 to pick a free one
     * @throws IllegalStateException if the port is in use, another broker uses the directory, or the broker fails
     */
    public static EmbeddedKafka start(Path dataDir, int port) {
        return start(dataDir, port, Map.of());
    }

    /**
     * Starts a broker as {@link #start(Path, int)} does, with broker settings of the caller's on top (retention).
     *
     * @param settings broker properties, e.g. {@code log.retention.ms}
     */
    public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> settings) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be 0 (pick a free one) or 1-65535, got " + port);
        }
        long startNanos = System.nanoTime();
        Path dir = dataDir.toAbsolutePath().normalize();
        createDirectories(dir);
        Ports ports = Ports.choose(port);
        Properties properties = brokerProperties(dir, ports);
        properties.putAll(settings);
        KafkaConfig config = new KafkaConfig(properties, false);
        FileChannel dirLock = lockDirectory(dir);
        KafkaRaftServer server;
        try {
            formatIfNew(dir);
            server = startServer(config, ports, dir);
        } catch (RuntimeException | Error e) {
            try {
                dirLock.close();
            } catch (IOException unlockFailure) {
                e.addSuppressed(unlockFailure);
            }
            throw e;
        }
        log.info("Kafka broker up on {} (controller port {}, data {}) in {} ms", ports.bootstrapServers(),
                ports.controller(), dir, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return new EmbeddedKafka(server, ports.bootstrapServers(), dir, dirLock);
    }

    /** {@code host:port} for the {@code bootstrap.servers} setting of Kafka clients. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Shuts the broker down cleanly and waits until it has stopped; calling it again does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long startNanos = System.nanoTime();
        server.shutdown();
        server.awaitShutdown();
        try {
            dirLock.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Kafka stopped but its lock on " + dataDir + " could not be released", e);
        }
        log.info("Kafka broker on {} (data {}) stopped in {} ms", bootstrapServers, dataDir,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    /** Starts Kafka and waits for it to answer clients; on failure, stops whatever part of it did start. */
    private static KafkaRaftServer startServer(KafkaConfig config, Ports ports, Path dir) {
        KafkaRaftServer server = null;
        try {
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            awaitClients(ports.bootstrapServers());
            return server;
        } catch (Exception e) {
            IllegalStateException failure = startFailure(e, ports, dir);
            if (server != null) {
                try {
                    server.shutdown();
                    server.awaitShutdown();
                } catch (RuntimeException shutdownFailure) {
                    failure.addSuppressed(shutdownFailure);
                }
            }
            throw failure;
        }
    }

    private static Properties brokerProperties(Path dir, Ports ports) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // Static voters (kraft.version 0) keep endpoints out of the stored metadata, so the controller can get a
        // different free port on every start without breaking the quorum.
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + ports.controller());
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + ports.client() + ","
                + CONTROLLER_LISTENER + "://" + HOST + ":" + ports.controller());
        p.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + ports.client());
        p.put("inter.broker.listener.name", CLIENT_LISTENER);
        p.put("listener.security.protocol.map", CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());

        // One node: every replication factor and in-sync minimum is 1, or internal topics can never be created.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        // Internal topics default to 50 partitions each; on one node that only costs startup time and files.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("num.partitions", "1");
        // Topics are declared by the products that own them (Topics.ensure); a typo must not create a topic.
        p.put("auto.create.topics.enable", "false");
        // The default 3 s wait for more members before a group's first rebalance only delays our first consumer.
        p.put("group.initial.rebalance.delay.ms", "0");
        // After a crash the restarted broker can't register until the dead incarnation's session expires
        // (DUPLICATE_BROKER_REGISTRATION); the default 9 s session made every crash restart take ~12 s. Heartbeats
        // only cross loopback inside this process, so 3 s is still far above any pause it should see, and a broker
        // fenced by a longer stall asks to be unfenced again on its next heartbeat.
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("broker.session.timeout.ms", "3000");
        // The default 128 MiB dedupe buffer is allocated up front, which is most of a small process's heap.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(4 * 1024 * 1024));
        return p;
    }

    /** Formats with Kafka's own storage formatter unless the directory already holds a formatted node. */
    private static void formatIfNew(Path dir) {
        MetaPropertiesEnsemble ensemble;
        try {
            ensemble = new MetaPropertiesEnsemble.Loader()
                    .addLogDirs(List.of(dir.toString()))
                    .addMetadataLogDir(dir.toString())
                    .load();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read Kafka meta.properties in " + dir, e);
        }
        if (!ensemble.errorLogDirs().isEmpty()) {
            throw new IllegalStateException("Kafka data directory " + dir + " is unreadable or its meta.properties is"
                    + " corrupt; fix or remove it (removing it deletes all topics)");
        }
        MetaProperties existing = ensemble.logDirProps().get(dir.toString());
        if (existing != null) {
            log.debug("Kafka data directory {} already formatted (cluster {}), keeping its data", dir,
                    existing.clusterId().orElse("?"));
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        // The formatter reports progress on a PrintStream meant for a terminal; keep it for debug logging.
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream printStream = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            new Formatter()
                    .setPrintStream(printStream)
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setHasDynamicQuorum(false)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format Kafka storage in " + dir + ": " + e.getMessage(), e);
        }
        log.info("Formatted new Kafka data directory {} (cluster {})", dir, clusterId);
        log.debug("Kafka storage formatter said: {}", output.toString(StandardCharsets.UTF_8).strip());
    }

    /** Blocks until the broker serves a metadata request, the first thing every client sends. */
    private static void awaitClients(String bootstrapServers)
            throws InterruptedException, ExecutionException, TimeoutException {
        int timeoutMs = Math.toIntExact(READY_TIMEOUT.toMillis());
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 5_000));
        try (Admin admin = Admin.create(adminConfig)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (nodes.stream().noneMatch(node -> node.id() == NODE_ID)) {
                throw new IllegalStateException("Broker answered but does not list itself: " + nodes);
            }
        }
    }

    private static IllegalStateException startFailure(Exception e, Ports ports, Path dir) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("Interrupted while starting Kafka on " + dir, e);
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return new IllegalStateException("Kafka could not bind client port " + ports.client()
                        + " or controller port " + ports.controller() + " on " + HOST + ": " + cause.getMessage(), e);
            }
        }
        return new IllegalStateException("Kafka failed to start on " + ports.bootstrapServers() + " with data "
                + dir + ": " + e, e);
    }

    /** Locks {@code dir} while this broker runs, against other processes and other instances in this JVM. */
    private static FileChannel lockDirectory(Path dir) {
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot open lock file " + lockFile, e);
        }
        RuntimeException failure;
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
            failure = inUse(dir, null);
        } catch (OverlappingFileLockException e) {
            failure = inUse(dir, e);
        } catch (IOException e) {
            failure = new UncheckedIOException("Cannot lock " + lockFile, e);
        }
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        throw failure;
    }

    private static IllegalStateException inUse(Path dir, Exception cause) {
        return new IllegalStateException("Kafka data directory " + dir + " is in use by another broker, in this or"
                + " another process; stop it or use another directory", cause);
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create Kafka data directory " + dir, e);
        }
    }

    /** Client and controller ports, both on {@link #HOST}. */
    private record Ports(int client, int controller) {

        /**
         * Checks a requested port by binding it, and picks free ports by letting the OS choose. KafkaRaftServer
         * does not expose the port it bound, so port 0 can't be passed through; the gap between closing our probe
         * socket and Kafka binding it is a small race, reported as a bind failure if lost.
         */
        static Ports choose(int requestedClientPort) {
            // Both probes stay open until both ports are known, so the OS can't hand out the same port twice.
            try (ServerSocket client = bindClient(requestedClientPort); ServerSocket controller = bind(0)) {
                return new Ports(client.getLocalPort(), controller.getLocalPort());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot probe ports on " + HOST, e);
            }
        }

        private static ServerSocket bindClient(int port) throws IOException {
            try {
                return bind(port);
            } catch (BindException e) {
                throw new IllegalStateException("Port " + port + " on " + HOST + " is already in use;"
                        + " choose another port, or 0 for a free one", e);
            }
        }

        private static ServerSocket bind(int port) throws IOException {
            ServerSocket socket = new ServerSocket();
            try {
                socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
                return socket;
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        String bootstrapServers() {
            return HOST + ":" + client;
        }
    }
}
