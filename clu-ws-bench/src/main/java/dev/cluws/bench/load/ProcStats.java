package dev.cluws.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU time and memory of processes, read from Linux's {@code /proc}, and the JVM's heap through
 * {@code jcmd}. Every method degrades to "unknown" (-1 or empty) rather than failing a run.
 */
final class ProcStats {
  private static final Logger log = LoggerFactory.getLogger(ProcStats.class);

  /** Clock ticks per second of {@code /proc/<pid>/stat}; 100 on every Linux this runs on. */
  private static final long CLOCK_TICKS = 100;

  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");
  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
  private static final Pattern NMT_CATEGORY =
      Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");

  private ProcStats() {}

  /** User + system CPU time of a process in nanoseconds, or -1. */
  static long cpuNanos(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      return ticks * (1_000_000_000L / CLOCK_TICKS);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Busy CPU time of the whole machine (all cores, everything but idle and iowait), or -1. */
  static long machineBusyNanos() {
    try {
      String line =
          Files.readAllLines(Path.of("/proc/stat"))
              .get(0); // "cpu  user nice system idle iowait ..."
      String[] f = line.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * (1_000_000_000L / CLOCK_TICKS);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A field of {@code /proc/<pid>/status} in bytes (e.g. {@code VmRSS}, {@code VmHWM}), or -1. */
  static long statusBytes(long pid, String field) {
    long kib = statusValue(pid, field);
    return kib < 0 ? -1 : kib * 1024;
  }

  /** A numeric field of {@code /proc/<pid>/status} (kB for memory fields), or -1. */
  static long statusValue(long pid, String field) {
    try {
      for (String line :
          Files.readAllLines(
              Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
        if (line.startsWith(field + ":")) {
          String[] f = line.substring(field.length() + 1).trim().split("\\s+");
          return Long.parseLong(f[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone or /proc is not there
    }
    return -1;
  }

  /** Resets the peak resident set size ({@code VmHWM}) of a process to its current size. */
  static boolean resetPeakRss(long pid) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
      return true;
    } catch (IOException | RuntimeException e) {
      log.debug("cannot reset the peak RSS of {}: {}", pid, e.toString());
      return false;
    }
  }

  /** The pid of RabbitMQ's Erlang VM ({@code beam.smp}), if one runs on this machine. */
  static OptionalLong brokerPid() {
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path proc : procs) {
        try {
          String comm = Files.readString(proc.resolve("comm")).trim();
          if (comm.equals("beam.smp")) {
            String cmdline = Files.readString(proc.resolve("cmdline"));
            if (cmdline.contains("rabbit")) {
              return OptionalLong.of(Long.parseLong(proc.getFileName().toString()));
            }
          }
        } catch (IOException | RuntimeException e) {
          // gone meanwhile, or not ours to read
        }
      }
    } catch (IOException e) {
      // no /proc
    }
    return OptionalLong.empty();
  }

  /**
   * Runs a full GC in a JVM ({@code jcmd <pid> GC.run}) and returns its used heap afterwards
   * ({@code GC.heap_info}), in bytes, or -1.
   */
  static long heapUsedAfterGc(long pid) {
    if (jcmd(pid, "GC.run") == null) {
      return -1;
    }
    String info = jcmd(pid, "GC.heap_info");
    if (info == null) {
      return -1;
    }
    // One line per generation for the serial and parallel collectors (the young one, nearly empty
    // after the collection, first), one for G1: the heap's use is their sum.
    Matcher m = HEAP_USED.matcher(info);
    long used = -1;
    while (m.find()) {
      used = Math.max(used, 0) + Long.parseLong(m.group(1)) * 1024;
    }
    return used;
  }

  /**
   * The JVM's committed native memory by category, in bytes ({@code jcmd <pid> VM.native_memory
   * summary}), with the total under {@code "Total"}; empty unless the JVM runs with {@code
   * -XX:NativeMemoryTracking=summary}.
   */
  static Map<String, Long> nativeMemory(long pid) {
    Map<String, Long> committed = new LinkedHashMap<>();
    String out = jcmd(pid, "VM.native_memory", "summary");
    if (out == null) {
      return committed;
    }
    Matcher total = NMT_TOTAL.matcher(out);
    if (!total.find()) {
      return committed;
    }
    committed.put("Total", Long.parseLong(total.group(1)) * 1024);
    Matcher m = NMT_CATEGORY.matcher(out);
    while (m.find()) {
      committed.put(m.group(1).trim(), Long.parseLong(m.group(2)) * 1024);
    }
    return committed;
  }

  private static String jcmd(long pid, String... command) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    List<String> args = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
    args.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        log.debug("jcmd {} {} failed: {}", pid, command, new String(out, StandardCharsets.UTF_8));
        return null;
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("cannot run {}: {}", jcmd, e.toString());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
