package io.lakemesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A fixed CPU budget for one child JVM: a Linux cgroup with a CFS quota (v2 {@code cpu.max}, or v1
 * {@code cpu.cfs_quota_us}), which the child enters before {@code exec java} so the JVM sizes its GC and compiler
 * threads for the budget, as it would on a machine of that size.
 *
 * <p>Why: on a machine with two cores every node JVM competes for the same two cores, so adding nodes cannot add
 * throughput; giving each node a budget of its own (0.5 cores, say) stands in for one small machine per node.
 * Needs a writable cgroup CPU controller (root on most hosts); {@link #create} says so in one line if there is none.
 */
final class CpuBudget implements AutoCloseable {
  private static final Path V2_ROOT = Path.of("/sys/fs/cgroup");
  private static final Path V1_CPU = Path.of("/sys/fs/cgroup/cpu");
  private static final long PERIOD_MICROS = 100_000;

  private final Path group;
  private final double cores;

  private CpuBudget(Path group, double cores) {
    this.group = group;
    this.cores = cores;
  }

  /** A new cgroup named {@code name} allowed {@code cores} CPUs' worth of time per period. */
  static CpuBudget create(String name, double cores) {
    if (!(cores > 0)) {
      throw new IllegalArgumentException("a CPU budget must be more than 0 cores, not " + cores);
    }
    long quota = Math.max(1_000, Math.round(cores * PERIOD_MICROS));
    try {
      if (Files.exists(V2_ROOT.resolve("cgroup.controllers"))) {
        Path parent = V2_ROOT;
        if (!Files.readString(parent.resolve("cgroup.subtree_control")).contains("cpu")) {
          Files.writeString(parent.resolve("cgroup.subtree_control"), "+cpu");
        }
        Path group = Files.createDirectories(parent.resolve(name));
        Files.writeString(group.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
        return new CpuBudget(group, cores);
      }
      if (Files.exists(V1_CPU.resolve("cpu.cfs_quota_us"))) {
        Path group = Files.createDirectories(V1_CPU.resolve(name));
        Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
        Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
        return new CpuBudget(group, cores);
      }
      throw new IllegalStateException("no cgroup CPU controller at " + V2_ROOT + " (v2) or " + V1_CPU + " (v1)");
    } catch (IOException | SecurityException e) {
      throw new IllegalStateException("cannot create a cgroup with a CPU quota under " + V2_ROOT + " (" + e
          + "); a CPU budget per node needs a writable cgroup CPU controller, usually root", e);
    }
  }

  /**
   * {@code command} wrapped so that the process joins this group before it execs: every thread it ever starts is
   * inside the budget from the first instruction.
   */
  List<String> wrap(List<String> command) {
    return Stream.concat(Stream.of("/bin/sh", "-c",
        "echo $$ > '" + group.resolve("cgroup.procs") + "' && exec \"$@\"", "lakemesh-budgeted"),
        command.stream()).toList();
  }

  /** How often the group hit its quota and for how long: evidence that the budget, not the work, set the pace. */
  String throttling() {
    try {
      Map<String, String> stat = Files.readAllLines(group.resolve("cpu.stat")).stream()
          .map(l -> l.split(" ", 2)).filter(kv -> kv.length == 2)
          .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1], (a, b) -> a));
      // v2 reports microseconds, v1 nanoseconds
      String throttled = stat.getOrDefault("nr_throttled", "?");
      double seconds = stat.containsKey("throttled_usec") ? Long.parseLong(stat.get("throttled_usec")) / 1e6
          : stat.containsKey("throttled_time") ? Long.parseLong(stat.get("throttled_time")) / 1e9 : Double.NaN;
      return String.format(Locale.ROOT, "throttled %s periods, %.1f s", throttled, seconds);
    } catch (IOException | NumberFormatException e) {
      return "throttling unknown (" + e.getMessage() + ")";
    }
  }

  double cores() {
    return cores;
  }

  /** Removes the group; the processes in it must have exited. */
  @Override
  public void close() throws IOException {
    Files.deleteIfExists(group);
  }
}
