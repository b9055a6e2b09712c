package io.lakemesh.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A cheap in-process sampling profiler: every few milliseconds it takes the stacks of the pipeline's threads and
 * counts the RUNNABLE ones by what they are doing. Thread dumps stop at safepoints, so attribution is coarse (a
 * hot loop without safepoint polls is charged to where it next polls); good enough to rank phases.
 *
 * <p>Each sample is labelled twice: by <em>operation</em>, the innermost {@code io.lakemesh} frame (which of our
 * methods the time is under, e.g. {@code TableWriter.write} or {@code RowValidator.validate}), and by
 * <em>library</em>, the package of the top frame (where the CPU actually is: parquet, zstd, jackson, ...).
 */
final class StackSampler implements AutoCloseable {

  private static final int MAX_DEPTH = 256;

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final Predicate<String> watched;
  private final long intervalMillis;
  private final Thread sampler;
  private final Map<String, Long> byOperation = new HashMap<>();
  private final Map<String, Long> byOperationAndLibrary = new HashMap<>();
  private final Map<String, Long> byThread = new HashMap<>();
  private final Map<String, Long> byLeafFrame = new HashMap<>();
  private final Map<String, Long> inclusive = new HashMap<>();
  private long[] watchedIds = new long[0];
  private final Map<Long, ThreadStat> atStart = new HashMap<>();
  private final Map<String, Long> allocByGroup = new HashMap<>();
  private long processCpuAtStart;
  private final Map<String, Long> cpuByGroup = new HashMap<>();
  private long processCpuDelta;
  private long samples;
  private long ticks;
  private volatile boolean running = true;

  private StackSampler(Predicate<String> watchedThreadNames, long intervalMillis) {
    this.watched = watchedThreadNames;
    this.intervalMillis = intervalMillis;
    this.sampler = new Thread(this::loop, "bench-sampler");
    sampler.setDaemon(true);
  }

  static StackSampler start(Predicate<String> watchedThreadNames, long intervalMillis) {
    StackSampler s = new StackSampler(watchedThreadNames, intervalMillis);
    s.atStart.putAll(s.threadStats());
    s.processCpuAtStart = processCpu();
    s.sampler.start();
    return s;
  }

  /** CPU time and allocated bytes of one live thread. */
  private record ThreadStat(String name, long cpuNanos, long allocatedBytes) {}

  /** CPU time and allocation per live thread id. */
  private Map<Long, ThreadStat> threadStats() {
    Map<Long, ThreadStat> stats = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
      if (info != null) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        long alloc = threads instanceof com.sun.management.ThreadMXBean t
            ? t.getThreadAllocatedBytes(info.getThreadId()) : 0;
        if (cpu >= 0) {
          stats.put(info.getThreadId(), new ThreadStat(info.getThreadName(), cpu, Math.max(0, alloc)));
        }
      }
    }
    return stats;
  }

  private static long processCpu() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /** Groups a thread name: numbered threads of one pool together, Kafka's broker threads together. */
  private static String threadGroup(String name) {
    if (name.startsWith("kafka-producer") || name.startsWith("kafka-coordinator")
        || name.startsWith("kafka-consumer")) {
      return "kafka client: " + name.replaceAll("[-\\d]+$", "").replaceAll("-network-thread.*", "-network-thread");
    }
    if (name.startsWith("lakemesh-io") || name.startsWith("bench-") || name.equals("main")) {
      return name.replaceAll("-\\d+$", "-*");
    }
    if (name.contains("kafka") || name.contains("raft") || name.contains("broker") || name.contains("controller")
        || name.contains("data-plane") || name.contains("quorum") || name.contains("ExpirationReaper")
        || name.contains("LogDirFailureHandler") || name.contains("metadata") || name.contains("scheduler")) {
      return "kafka broker (embedded, all threads)";
    }
    return "other: " + name.replaceAll("-?\\d+$", "");
  }

  private void loop() {
    while (running) {
      sampleOnce();
      try {
        Thread.sleep(intervalMillis);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void sampleOnce() {
    // names of all threads are cheap (no stacks); stacks are taken of the watched threads only
    if (watchedIds.length == 0 || ticks % 50 == 0) {
      watchedIds = java.util.Arrays.stream(threads.getThreadInfo(threads.getAllThreadIds(), 0))
          .filter(i -> i != null && watched.test(i.getThreadName()))
          .mapToLong(ThreadInfo::getThreadId)
          .toArray();
    }
    if (watchedIds.length == 0) {
      synchronized (this) {
        ticks++;
      }
      return;
    }
    ThreadInfo[] infos = threads.getThreadInfo(watchedIds, MAX_DEPTH);
    synchronized (this) {
      ticks++;
      for (ThreadInfo info : infos) {
        if (info == null || info.getThreadState() != Thread.State.RUNNABLE || !watched.test(info.getThreadName())) {
          continue;
        }
        StackTraceElement[] stack = info.getStackTrace();
        if (stack.length == 0) {
          continue;
        }
        samples++;
        String operation = operation(stack);
        String library = library(stack[0]);
        byOperation.merge(operation, 1L, Long::sum);
        byOperationAndLibrary.merge(operation + "  |  " + library, 1L, Long::sum);
        byThread.merge(info.getThreadName().replaceAll("-\\d+$", "-*"), 1L, Long::sum);
        byLeafFrame.merge(operation + "  |  " + leafFrame(stack), 1L, Long::sum);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (StackTraceElement f : stack) {
          if (!isJdk(f.getClassName()) && !f.getClassName().startsWith("io.lakemesh.bench.")
              && seen.add(f.getClassName() + "." + f.getMethodName())) {
            inclusive.merge(shortName(f), 1L, Long::sum);
          }
        }
      }
    }
  }

  /** The innermost frame of ours, or of a Kafka consumer poll, or the thread's top frame. */
  private static String operation(StackTraceElement[] stack) {
    for (StackTraceElement f : stack) {
      String cls = f.getClassName();
      if (cls.startsWith("io.lakemesh.")) {
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        String method = f.getMethodName().startsWith("lambda$")
            ? f.getMethodName().replaceAll("^lambda\\$(.*)\\$\\d+$", "$1(lambda)")
            : f.getMethodName();
        return simple + "." + method;
      }
      if (cls.equals("org.apache.kafka.clients.consumer.KafkaConsumer")) {
        return "KafkaConsumer." + f.getMethodName();
      }
    }
    return "(other) " + library(stack[stack.length - 1]);
  }

  /** The innermost frame outside the JDK: the library method the CPU is in (or called into the JDK from). */
  private static String leafFrame(StackTraceElement[] stack) {
    for (StackTraceElement f : stack) {
      if (!isJdk(f.getClassName())) {
        return shortName(f);
      }
    }
    return shortName(stack[0]);
  }

  private static boolean isJdk(String cls) {
    return cls.startsWith("java.") || cls.startsWith("sun.") || cls.startsWith("jdk.") || cls.startsWith("com.sun.");
  }

  private static String shortName(StackTraceElement f) {
    String cls = f.getClassName();
    String[] parts = cls.split("\\.");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < parts.length - 1; i++) {
      sb.append(parts[i].isEmpty() ? "" : parts[i].substring(0, 1)).append('.');
    }
    return sb.append(parts[parts.length - 1]).append('.').append(f.getMethodName()).toString();
  }

  /** Package of a frame, shortened to what tells libraries apart. */
  private static String library(StackTraceElement frame) {
    String cls = frame.getClassName();
    int cut = cls.lastIndexOf('.');
    String pkg = cut < 0 ? cls : cls.substring(0, cut);
    String[] parts = pkg.split("\\.");
    int keep = pkg.startsWith("java.") || pkg.startsWith("sun.") || pkg.startsWith("jdk.") ? 3 : 4;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(keep, parts.length); i++) {
      if (i > 0) {
        sb.append('.');
      }
      sb.append(parts[i]);
    }
    return sb.toString();
  }

  @Override
  public void close() {
    synchronized (this) {
      processCpuDelta = processCpu() - processCpuAtStart;
      long javaThreads = 0;
      for (Map.Entry<Long, ThreadStat> e : threadStats().entrySet()) {
        ThreadStat before = atStart.get(e.getKey());
        long delta = e.getValue().cpuNanos() - (before == null ? 0 : before.cpuNanos());
        long alloc = e.getValue().allocatedBytes() - (before == null ? 0 : before.allocatedBytes());
        javaThreads += delta;
        String group = threadGroup(e.getValue().name());
        cpuByGroup.merge(group, delta, Long::sum);
        allocByGroup.merge(group, alloc, Long::sum);
      }
      cpuByGroup.put("JVM (GC, JIT) and threads that ended during the run",
          Math.max(0, processCpuDelta - javaThreads));
    }
    running = false;
    sampler.interrupt();
    try {
      sampler.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A printable report: the top operations, then the top operation × library pairs. */
  synchronized String report(int top) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format("  process CPU %.1f s, by thread group (ThreadMXBean CPU time):%n",
        processCpuDelta / 1e9));
    List<Map.Entry<String, Long>> groups = new ArrayList<>(cpuByGroup.entrySet());
    groups.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    for (Map.Entry<String, Long> g : groups) {
      if (g.getValue() >= processCpuDelta / 200) {
        sb.append(String.format("    %5.1f%%  %6.1f s  %7.0f MiB allocated  %s%n",
            100.0 * g.getValue() / Math.max(1, processCpuDelta), g.getValue() / 1e9,
            allocByGroup.getOrDefault(g.getKey(), 0L) / 1048576.0, g.getKey()));
      }
    }
    sb.append(String.format("  %d RUNNABLE samples of pipeline threads over %d ticks of %d ms"
        + " (%.2f busy pipeline threads on average)%n", samples, ticks, intervalMillis,
        ticks == 0 ? 0.0 : (double) samples / ticks));
    sb.append("  by thread:\n");
    append(sb, byThread, top);
    sb.append("  by operation (innermost io.lakemesh frame):\n");
    append(sb, byOperation, top);
    sb.append("  by operation | library of the top frame:\n");
    append(sb, byOperationAndLibrary, top);
    sb.append("  by operation | innermost non-JDK frame:\n");
    append(sb, byLeafFrame, top);
    sb.append("  inclusive (samples with the method anywhere on the stack; bench frames left out):\n");
    append(sb, inclusive, top + 13);
    return sb.toString();
  }

  private void append(StringBuilder sb, Map<String, Long> counts, int top) {
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
    Map<String, Long> shown = new LinkedHashMap<>();
    sorted.stream().limit(top).forEach(e -> shown.put(e.getKey(), e.getValue()));
    shown.forEach((k, v) -> sb.append(String.format("    %5.1f%%  %s%n", 100.0 * v / Math.max(1, samples), k)));
  }
}
