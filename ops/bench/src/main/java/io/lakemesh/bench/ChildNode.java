package io.lakemesh.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Lakemesh node as a child JVM ({@code lakemesh up} on this JVM's classpath) with roles {@code domain-retail,api},
 * an external Kafka and a shared SQLite catalog under {@code home}; output goes to {@code home/<name>.log}.
 */
final class ChildNode implements AutoCloseable {
  final String name;
  final int clusterPort;
  final int httpPort;
  final int mgmtPort;
  final Path log;
  private final Process process;
  private final CpuBudget budget;

  private ChildNode(String name, int clusterPort, int httpPort, int mgmtPort, Path log, Process process,
      CpuBudget budget) {
    this.budget = budget;
    this.name = name;
    this.clusterPort = clusterPort;
    this.httpPort = httpPort;
    this.mgmtPort = mgmtPort;
    this.log = log;
    this.process = process;
  }

  /**
   * @param seed the first node's cluster address, or null for the node that forms the cluster
   * @param budget the CPU budget the node runs in (closed with the node), or null to share the machine's cores
   */
  static ChildNode start(String name, Path home, String kafka, String seed, List<String> jvmOptions,
      CpuBudget budget) throws IOException {
    int clusterPort = freePort();
    int httpPort = freePort();
    int mgmtPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.lakemesh.runtime.cli.LakemeshCli",
        "up", "--node", name, "--home", home.toString(), "--cluster-port", Integer.toString(clusterPort),
        "--kafka", kafka, "--roles", "domain-retail,api",
        "--catalog", "jdbc:sqlite:" + home.resolve("catalog.db"), "--warehouse", home.resolve("warehouse").toString(),
        "--http-port", Integer.toString(httpPort), "--mgmt-port", Integer.toString(mgmtPort)));
    if (seed != null) {
      command.addAll(List.of("--seed-nodes", seed));
    }
    Path log = home.resolve(name + ".log");
    Process process = new ProcessBuilder(budget == null ? command : budget.wrap(command)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new ChildNode(name, clusterPort, httpPort, mgmtPort, log, process, budget);
  }

  String address() {
    return "pekko://lakemesh@127.0.0.1:" + clusterPort;
  }

  URI api(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  URI management(String path) {
    return URI.create("http://127.0.0.1:" + mgmtPort + path);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** CPU time the node's JVM has used so far (all its threads, GC and JIT included). */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("the OS does not report the CPU time of " + name))
        .toNanos() / 1e9;
  }

  String logTail(int lines) throws IOException {
    List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /** How much the node's CPU budget held it back, or "" without a budget. */
  String throttling() {
    return budget == null ? "" : budget.throttling();
  }

  /** SIGKILL: the benchmark has read what it needs; a drain would only cost time. */
  @Override
  public void close() throws InterruptedException, IOException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die within 30 s of SIGKILL");
    }
    if (budget != null) {
      budget.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
