package io.lakemesh.runtime.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lakemesh.contracts.InvalidContractException;
import io.lakemesh.runtime.cluster.MeshNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code lakemesh up}: runs a node until Ctrl-C or SIGTERM, then drains and exits 0. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Start a Lakemesh node (single-node mesh with embedded Kafka and Iceberg by default).")
public final class UpCommand implements Callable<Integer> {

  @Option(names = "--home", description = "State directory (env LAKEMESH_HOME, default ./.lakemesh)")
  String home;

  @Option(names = "--http-port", description = "HTTP API port (env LAKEMESH_HTTP_PORT, default 8080)")
  Integer httpPort;

  @Option(names = "--kafka-port", description = "Embedded Kafka port (env LAKEMESH_KAFKA_PORT, default 9092)")
  Integer kafkaPort;

  @Option(names = "--mgmt-port", description = "Management port (env LAKEMESH_MGMT_PORT, default 8558)")
  Integer mgmtPort;

  @Option(names = "--kafka", description = "Bootstrap servers of an external Kafka (env LAKEMESH_KAFKA);"
      + " omit to run the embedded broker")
  String kafka;

  @Option(names = "--host", description = "Interface the HTTP API binds, and the management port unless"
      + " LAKEMESH_MGMT_HOST says otherwise (env LAKEMESH_HTTP_HOST, default 127.0.0.1)")
  String host;

  @Option(names = "--node", description = "Node name, shown in logs and stats (env LAKEMESH_NODE, default n1)")
  String node;

  @Option(names = "--cluster-port", description = "Pekko cluster port (env LAKEMESH_CLUSTER_PORT, default 25520)")
  Integer clusterPort;

  @Option(names = "--seed-nodes", split = ",", description = "Cluster seed nodes, e.g."
      + " pekko://lakemesh@127.0.0.1:25520,pekko://lakemesh@127.0.0.1:25521; give every node the same list, the"
      + " first one included (omit for a single node)")
  java.util.List<String> seedNodes;

  @Option(names = "--roles", split = ",", description = "Roles of this node: domain-<domain> for each domain it"
      + " runs, api to serve HTTP (default: every domain with a contract, plus api)")
  java.util.List<String> roles;

  @Option(names = "--contracts", split = ",", paramLabel = "<dir>", description = "A directory of your own"
      + " contracts (*.odcs.yaml, *.odcs.yml, *.odcs.json) to serve besides the built-in ones; repeatable"
      + " (lakemesh.contract-dirs)")
  java.util.List<Path> contractDirs;

  @Option(names = "--no-builtin-contracts", description = "Leave out the contracts domain modules ship (the retail"
      + " demo): serve only --contracts (lakemesh.builtin-contracts=false)")
  boolean noBuiltinContracts;

  @Option(names = "--catalog", description = "Shared Iceberg JDBC catalog URI, e.g. jdbc:sqlite:/srv/lm/catalog.db"
      + " or jdbc:postgresql://db/lakemesh (default: SQLite under --home)")
  String catalogUri;

  @Option(names = "--warehouse", description = "Warehouse location for --catalog: a directory every node sees"
      + " (no S3 FileIO on the classpath yet)")
  String warehouse;

  /** Whether simulate can make events from the product's contract alone (the banner suggests only such). */
  private static boolean simulable(io.lakemesh.runtime.product.Product product) {
    try {
      new io.lakemesh.runtime.simulate.ContractTrafficSource(product.contract(), product.id())
          .nextEvent(new java.util.SplittableRandom(1), io.lakemesh.runtime.simulate.TrafficSource.EventKind.VALID);
      return true;
    } catch (IllegalStateException cannotMakeEvents) {
      return false; // its rules need values made by its domain's own traffic source
    }
  }

  /** A port setting out of range, in one line naming its flag and variable; null when all are ports. */
  static String badPort(Config config) {
    String[][] ports = {
        {"lakemesh.http.port", "--http-port", "LAKEMESH_HTTP_PORT"},
        {"lakemesh.kafka.port", "--kafka-port", "LAKEMESH_KAFKA_PORT"},
        {"lakemesh.management.port", "--mgmt-port", "LAKEMESH_MGMT_PORT"},
        {"pekko.remote.artery.canonical.port", "--cluster-port", "LAKEMESH_CLUSTER_PORT"}};
    for (String[] p : ports) {
      String value = config.getValue(p[0]).unwrapped().toString();
      int port;
      try {
        port = Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 0 || port > 65535) {
        return p[1] + " (" + p[2] + ") must be a port number from 0 to 65535, not '" + value + "'";
      }
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Object> overrides = new HashMap<>();
    put(overrides, "lakemesh.home", home);
    put(overrides, "lakemesh.http.port", httpPort);
    put(overrides, "lakemesh.http.host", host);
    put(overrides, "lakemesh.kafka.port", kafkaPort);
    put(overrides, "lakemesh.management.port", mgmtPort);
    put(overrides, "lakemesh.kafka.bootstrap", kafka);
    put(overrides, "lakemesh.node-name", node);
    put(overrides, "pekko.remote.artery.canonical.port", clusterPort);
    put(overrides, "pekko.cluster.seed-nodes", seedNodes);
    put(overrides, "lakemesh.roles", roles);
    if (contractDirs != null) {
      for (Path dir : contractDirs) {
        if (!Files.isDirectory(dir)) {
          System.err.println("lakemesh: --contracts " + dir + ": " + (Files.exists(dir)
              ? "not a directory (name the directory that holds the contract files)" : "no such directory"));
          return 2;
        }
      }
      overrides.put("lakemesh.contract-dirs", contractDirs.stream().map(d -> d.toAbsolutePath().toString())
          .toList());
    }
    if (noBuiltinContracts) {
      overrides.put("lakemesh.builtin-contracts", false);
    }
    if (catalogUri != null) {
      if (warehouse == null) {
        System.err.println("lakemesh: --catalog needs --warehouse (where the tables' files live)");
        return 2;
      }
      overrides.put("lakemesh.catalog.properties.uri", catalogUri);
      overrides.put("lakemesh.catalog.properties.warehouse", warehouse);
    }
    Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load());
    String badPort = badPort(config);
    if (badPort != null) {
      System.err.println("lakemesh: " + badPort);
      return 2;
    }
    MeshNode node;
    try {
      node = MeshNode.start(config);
    } catch (InvalidContractException | io.lakemesh.runtime.product.DeploymentGate.RefusedException e) {
      System.err.println("lakemesh: " + e.getMessage());
      return 1;
    }
    if (node.stoppedItself().isPresent()) {
      // refused while starting (e.g. another cluster's catalog): the reason, not a banner of a node that is not up
      node.close();
      System.err.println("lakemesh: " + node.stoppedItself().get());
      return 1;
    }
    // both ports serve HTTPS once a certificate is configured
    String scheme = io.lakemesh.runtime.security.tls.ServerTls.configured(config.getConfig("lakemesh")) ? "https"
        : "http";
    String base = scheme + "://" + config.getString("lakemesh.http.host") + ":" + node.httpPort();
    System.out.println();
    System.out.println("Lakemesh is up (" + node.products().all().size() + " data products, state in "
        + config.getString("lakemesh.home") + ")");
    System.out.println("  API         " + base + "/api/v1/products");
    System.out.println("  health      " + base + "/ready");
    System.out.println("  management  " + scheme + "://" + config.getString("lakemesh.http.host") + ":"
        + node.managementPort() + "/ready");
    System.out.println("  Kafka       " + node.kafkaBootstrap());
    // simulate sends the retail demo's traffic: suggested only where that product is served
    boolean retailDemo = node.products().find("retail.transactions").isPresent();
    if (node.devAdminTokenFile().isPresent()) {
      String tokenFile = node.devAdminTokenFile().get().toString();
      System.out.println("Dev mode: every API call needs a bearer token; an admin token is in " + tokenFile);
      System.out.println("  export TOKEN=$(cat " + tokenFile + ")");
      System.out.println("  curl -H \"Authorization: Bearer $TOKEN\" " + base + "/api/v1/products"
          + (scheme.equals("https") ? "   (a self-signed certificate: add --cacert <it, as PEM>; README, TLS)" : ""));
      System.out.println("  more tokens: ./lakemesh token --sub alice --role "
          + (retailDemo ? "analyst --claim region=NCR" : "<a role of your contracts>") + " --ttl 1h"
          + (home != null ? " --home " + home : ""));
      if (retailDemo) {
        System.out.println("Send traffic: LAKEMESH_TOKEN=$TOKEN ./lakemesh simulate --rate 500 --duration 60s"
            + " --target " + base);
      } else {
        // any source product gets traffic made from its contract
        // one simulate can serve, preferably without a critical rule that its random values could trip
        node.products().all().stream().filter(p -> p.stage() == io.lakemesh.contracts.model.Stage.SOURCE)
            .filter(UpCommand::simulable)
            .min(java.util.Comparator.comparing(p -> p.contract().locatedRules().stream()
                .anyMatch(r -> r.rule().severity() == io.lakemesh.contracts.model.Severity.CRITICAL)))
            .ifPresent(p -> System.out.println("Send traffic: LAKEMESH_TOKEN=$TOKEN ./lakemesh simulate"
                + " --product " + p.id() + " --rate 100 --duration 30s --target " + base));
      }
    } else {
      System.out.println("Production security: bearer tokens from " + node.security().issuer()
          + ", audience " + node.security().audience());
      if (retailDemo) {
        System.out.println("Send traffic: ./lakemesh simulate --token $TOKEN --rate 500 --duration 60s --target "
            + base);
      }
    }
    System.out.println("Ctrl-C drains the pipelines and stops.");
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean asked = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      asked.set(true);
      node.close();
      stopped.countDown();
    };
    // handle the signals ourselves so that a drained, clean stop exits 0 rather than 130/143
    Signal.handle(new Signal("INT"), s -> new Thread(stop, "lakemesh-stop").start());
    Signal.handle(new Signal("TERM"), s -> new Thread(stop, "lakemesh-stop").start());
    // the cluster may end the node itself (downed by the split-brain resolver or an operator, or told to leave):
    // then the process must end too, or a supervisor never restarts it
    node.whenTerminated().thenRun(() -> {
      if (!asked.get()) {
        stopped.countDown();
      }
    });
    stopped.await();
    if (!asked.get()) {
      MeshNode.Departure departure = node.departure();
      node.close(); // the actor system is gone already: this closes Kafka and the catalog
      if (node.stoppedItself().isPresent()) {
        System.err.println("lakemesh: " + node.stoppedItself().get());
        return 1;
      }
      if (departure == MeshNode.Departure.LEFT) {
        System.out.println("Lakemesh stopped: this node left the cluster as asked; its work moved to the others.");
        return 0;
      }
      if (departure == MeshNode.Departure.DOWNED && node.aloneAtDeparture()) {
        // a partition and a crash of the others look alike from here: say both
        System.err.println("lakemesh: the split-brain resolver downed this node: it could reach no other member ("
            + String.join(", ", node.unreachableAtDeparture()) + ") and its side had no majority (of two nodes, the"
            + " one with the lowest address is kept); if the others still run, its work moved to them; if they are"
            + " gone too, nothing serves now: start the nodes again (three nodes survive the loss of one, two do not)");
        return 1;
      }
      System.err.println("lakemesh: this node was removed from the cluster (" + (departure
          == MeshNode.Departure.DOWNED ? "downed: unreachable for too long, or by an operator" : "its actor system"
          + " stopped") + "); its work moved to the other nodes; start it again to rejoin");
      return 1;
    }
    // accepted events are durable in Kafka either way; what was not consumed yet (a paused product, a backlog)
    // is committed after the next start
    System.out.println("Lakemesh stopped: in-flight batches are committed; accepted events not yet in the tables"
        + " wait in Kafka for the next start, or for the other nodes of a cluster to take them.");
    return 0;
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
