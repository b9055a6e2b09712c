package io.lakemesh.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/** Wall time, process CPU time and GC time of one timed window. */
final class Meter {

  record Reading(double seconds, double cpuSeconds, double gcSeconds) {}

  private final long wallStart;
  private final long cpuStart;
  private final long gcStart;

  private Meter() {
    this.wallStart = System.nanoTime();
    this.cpuStart = processCpuNanos();
    this.gcStart = gcMillis();
  }

  static Meter start() {
    return new Meter();
  }

  Reading stop() {
    return new Reading((System.nanoTime() - wallStart) / 1e9, (processCpuNanos() - cpuStart) / 1e9,
        (gcMillis() - gcStart) / 1e3);
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  private static long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, gc.getCollectionTime());
    }
    return total;
  }
}
