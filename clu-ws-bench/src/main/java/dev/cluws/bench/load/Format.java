package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/** Number formatting shared by the JSON records and the summary table. */
final class Format {
  private Format() {}

  /** The summary table's note on who used the CPU, from a record's {@code cpu} object. */
  static String cpuNote(JsonNode cpu) {
    return "load tool "
        + cpu.path("load_tool_cores").asDouble()
        + ", broker "
        + cpu.path("broker_cores").asDouble()
        + ", other processes "
        + cpu.path("other_processes_cores").asDouble()
        + " cores";
  }

  static double ms(long micros) {
    return CpuSnapshot.round(micros / 1000.0, 3);
  }

  static double mib(long bytes) {
    return bytes < 0 ? -1 : CpuSnapshot.round(bytes / (1024.0 * 1024.0), 1);
  }

  static long rate(double perSecond) {
    return Math.round(perSecond);
  }

  /** {@code p50 / p99 / max} of a histogram in microseconds, as milliseconds. */
  static String latency(Histogram micros) {
    return String.format(
        Locale.ROOT,
        "%.2f / %.2f / %.1f",
        micros.percentile(50) / 1000.0,
        micros.percentile(99) / 1000.0,
        micros.max() / 1000.0);
  }

  /**
   * Writes {@code p50_ms}, {@code p99_ms}, {@code max_ms} and {@code count} of a histogram in µs.
   */
  static ObjectNode latency(ObjectNode out, Histogram micros) {
    out.put("p50_ms", ms(micros.percentile(50)));
    out.put("p99_ms", ms(micros.percentile(99)));
    out.put("max_ms", ms(micros.max()));
    out.put("count", micros.count());
    return out;
  }

  static String num(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String dec(double v, int digits) {
    return String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  static String rateOption(double rate) {
    return rate > 0 ? num(rate) + "/s" : "max";
  }
}
