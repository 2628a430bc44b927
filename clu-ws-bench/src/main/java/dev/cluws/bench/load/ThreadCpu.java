package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * CPU time per thread of a process ({@code /proc/<pid>/task/*}), grouped by thread name with the
 * digits removed ({@code clu-ws-jetty-12} and {@code clu-ws-jetty-31} are one pool; Linux keeps the
 * first 15 characters of a Java thread's name). Shows which of the gateway's threads a run kept
 * busy: the AMQP delivery thread, Jetty's pool, the GC.
 */
final class ThreadCpu {
  private final Map<Long, Long> cpuByTid;
  private final Map<Long, String> nameByTid;

  private ThreadCpu(Map<Long, Long> cpuByTid, Map<Long, String> nameByTid) {
    this.cpuByTid = cpuByTid;
    this.nameByTid = nameByTid;
  }

  static ThreadCpu take(OptionalLong pid) {
    Map<Long, Long> cpu = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    if (pid.isPresent()) {
      Path tasks = Path.of("/proc", Long.toString(pid.getAsLong()), "task");
      try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
        for (Path task : dir) {
          try {
            long tid = Long.parseLong(task.getFileName().toString());
            String stat = Files.readString(task.resolve("stat"));
            String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            cpu.put(tid, (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L);
            names.put(tid, name);
          } catch (IOException | RuntimeException e) {
            // the thread ended meanwhile
          }
        }
      } catch (IOException e) {
        // the process ended
      }
    }
    return new ThreadCpu(cpu, names);
  }

  /**
   * Cores the process used between {@code this} and {@code later} outside the JIT compiler threads:
   * its work, without the one-off cost of compiling it (short runs on a fresh JVM pay a lot of it).
   */
  double coresWithoutJit(ThreadCpu later, long wallNanos) {
    if (wallNanos <= 0 || later.cpuByTid.isEmpty()) {
      return -1;
    }
    long sum = 0;
    for (Map.Entry<Long, Long> e : later.cpuByTid.entrySet()) {
      if (!later.nameByTid.get(e.getKey()).contains("CompilerThre")) {
        sum += e.getValue() - cpuByTid.getOrDefault(e.getKey(), 0L);
      }
    }
    return CpuSnapshot.round(sum / (double) wallNanos, 2);
  }

  /** Cores used per thread group between {@code this} and {@code later}, the busiest first. */
  void writeCores(ThreadCpu later, long wallNanos, int top, ObjectNode out) {
    if (wallNanos <= 0) {
      return;
    }
    Map<String, Long> byGroup = new HashMap<>();
    for (Map.Entry<Long, Long> e : later.cpuByTid.entrySet()) {
      long before = cpuByTid.getOrDefault(e.getKey(), 0L);
      String group = later.nameByTid.get(e.getKey()).replaceAll("[0-9]+", "#");
      byGroup.merge(group, e.getValue() - before, Long::sum);
    }
    Map<String, Long> sorted = new LinkedHashMap<>();
    byGroup.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .limit(top)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    sorted.forEach((k, v) -> out.put(k, CpuSnapshot.round(v / (double) wallNanos, 2)));
  }
}
