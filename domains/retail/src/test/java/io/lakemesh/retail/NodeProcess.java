package io.lakemesh.retail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Lakemesh node in a child JVM, started with the real launcher main ({@code lakemesh up}) on the test
 * classpath, with its ports and its log file. Killing it is a SIGKILL: no drain, no commit, no goodbye.
 */
final class NodeProcess implements AutoCloseable {
  final String name;
  final int clusterPort;
  final int httpPort;
  final int mgmtPort;
  final Path log;
  private final Process process;

  private NodeProcess(String name, int clusterPort, int httpPort, int mgmtPort, Path log, Process process) {
    this.name = name;
    this.clusterPort = clusterPort;
    this.httpPort = httpPort;
    this.mgmtPort = mgmtPort;
    this.log = log;
    this.process = process;
  }

  /**
   * Starts {@code lakemesh up} with roles {@code domain-retail,api} against an external Kafka and the shared SQLite
   * catalog under {@code home}.
   *
   * @param seed the cluster address of the first node, or null for the node that forms the cluster
   */
  static NodeProcess start(String name, Path home, String kafka, String seed, List<String> jvmOptions)
      throws IOException {
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
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new NodeProcess(name, clusterPort, httpPort, mgmtPort, log, process);
  }

  /** The node's Pekko cluster address, as /cluster/members and worker states name it. */
  String address() {
    return "pekko://lakemesh@127.0.0.1:" + clusterPort;
  }

  URI api(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  URI management(String path) {
    return URI.create("http://127.0.0.1:" + mgmtPort + path);
  }

  URI webSocket(String path) {
    return URI.create("ws://127.0.0.1:" + httpPort + path);
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL, then waits until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die within 30 s of SIGKILL");
    }
  }

  /** The last lines of the node's log, for failure reports. */
  String logTail(int lines) {
    try {
      List<String> all = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  @Override
  public String toString() {
    return name + "@" + clusterPort;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
