package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets of issue 12, each measured side by side with its ceiling in one invocation ({@code
 * clu-ws-load targets}): every scenario runs once, prints its JSON line and summary row, and the
 * invocation ends with one table of targets (ceiling, clu-ws, target, verdict), also as a JSON line
 * with scenario {@code targets}.
 *
 * <ol>
 *   <li>one client under a PerfTest flood vs the plain no-ack consumer fed by the same PerfTest
 *       run;
 *   <li>100 clients under a PerfTest flood: aggregate vs 5 x target 1's ceiling, min vs median;
 *   <li>latency at 10 x 500/s and 100 x 200/s (the tool's paced publisher: it carries send times);
 *   <li>commands to an actor answering like CLU ({@code >} internal, then {@code :}), 1 and 10
 *       clients, against CLU's own figures;
 *   <li>peak RSS during target 2's flood, and RSS per idle connection with 10,000 of them;
 *   <li>1,000 clients at full speed (the tool's publisher, as the figures compared with).
 * </ol>
 */
final class TargetsRun {
  private static final Logger log = LoggerFactory.getLogger(TargetsRun.class);

  /** CLU's own figures (issue 12, measured on the 2-core machine of docs/benchmarks.md). */
  static final double CLU_ONE_CLIENT_RATE_BEST = 212;

  static final double CLU_ONE_CLIENT_RATE_WORST = 183;
  static final double CLU_ONE_CLIENT_P50_BEST_MS = 4.5;
  static final double CLU_ONE_CLIENT_P50_WORST_MS = 5.1;
  static final double CLU_ONE_CLIENT_P99_BEST_MS = 8.8;
  static final double CLU_ONE_CLIENT_P99_WORST_MS = 12.4;
  static final double CLU_TEN_CLIENTS_RATE = 289;

  /** 1,000 clients at full speed before issue 12 (docs/benchmarks.md, commit 1d5cbec). */
  static final double K1000_BEFORE_RATE = 332_066;

  static final double K1000_BEFORE_P50_MS = 3_268.61;

  static final double RSS_LIMIT_MIB = 128;
  static final double IDLE_LIMIT_KIB = 10;

  /** One row of the targets table. */
  record Verdict(String target, String ceiling, String cluWs, String goal, String verdict) {
    static final List<String> HEADERS =
        List.of("target", "ceiling (same run)", "clu-ws", "target", "verdict");

    List<String> cells() {
      return List.of(target, ceiling, cluWs, goal, verdict);
    }
  }

  private TargetsRun() {}

  /** Runs every target's scenarios; returns false if a run failed. */
  static boolean run(Bench bench, double scale) {
    log.info("targets of issue 12, counts x {}", scale);
    List<Verdict> verdicts = new ArrayList<>();
    boolean ok = true;
    int gw = n(FanoutRun.Params.DEFAULT_GATEWAY_WARMUP, scale);

    // 1. One client under a PerfTest flood.
    FanoutRun.Outcome t1 =
        fanout(
            bench,
            "target1-flood",
            new FanoutRun.Params(1, 0, n(200_000, scale), 0, gw, n(5_000, scale), false, true));
    ok &= t1 != null;
    double ceiling = -1;
    if (t1 != null) {
      ceiling = t1.baselineRate();
      double ratio = ceiling > 0 ? t1.clientRate() / ceiling : 0;
      verdicts.add(
          new Verdict(
              "1. one client, PerfTest flood (" + t1.params().path("replies").asInt() + " replies)",
              rate(ceiling) + " replies/s (publisher " + rate(t1.publishRate()) + "/s)",
              rate(t1.clientRate()) + " replies/s = " + dec(ratio, 2) + " of the ceiling",
              ">= 0.90 of the ceiling",
              !t1.publisherOutran()
                  ? "invalid: the publisher did not outrun both consumers"
                  : complete(t1) && ratio >= 0.90 ? "met" : "not met"));
    } else {
      verdicts.add(failedRow("1. one client, PerfTest flood"));
    }

    // 2. 100 clients under a PerfTest flood (and 5a: the gateway's peak RSS meanwhile).
    FanoutRun.Outcome t2 =
        fanout(
            bench,
            "target2-flood",
            new FanoutRun.Params(
                100,
                0,
                n(20_000, scale),
                0,
                gw,
                n(FanoutRun.Params.defaultWarmup(100), scale),
                false,
                true));
    ok &= t2 != null;
    if (t2 != null) {
      JsonNode perClient = t2.results().path("clients").path("rate_per_client");
      double min = perClient.path("min").asDouble();
      double median = perClient.path("median").asDouble();
      double reference = ceiling > 0 ? ceiling : t2.baselineRate();
      double times = reference > 0 ? t2.deliveredRate() / reference : 0;
      double minRatio = median > 0 ? min / median : 0;
      verdicts.add(
          new Verdict(
              "2. 100 clients, PerfTest flood ("
                  + t2.params().path("replies").asInt()
                  + " replies)",
              rate(reference)
                  + " replies/s ("
                  + (ceiling > 0 ? "target 1's" : "this run's")
                  + " plain consumer; in this run: "
                  + rate(t2.baselineRate())
                  + "/s; publisher "
                  + rate(t2.publishRate())
                  + "/s)",
              rate(t2.deliveredRate())
                  + " frames/s in all = "
                  + dec(times, 2)
                  + " x; client min / median "
                  + rate(min)
                  + " / "
                  + rate(median)
                  + " = "
                  + dec(minRatio, 2),
              ">= 5 x the ceiling; min >= 0.9 x median",
              complete(t2) && times >= 5 && minRatio >= 0.9
                  ? "met"
                  : "not met"
                      + (times >= 5 ? "" : " (aggregate)")
                      + (minRatio >= 0.9 ? "" : " (min client)")
                      + (complete(t2) ? "" : " (" + lossNote(t2) + ")")));
    } else {
      verdicts.add(failedRow("2. 100 clients, PerfTest flood"));
    }

    // 3. Latency below saturation, the tool's paced publisher (its replies carry their send time).
    ok &= latency(bench, verdicts, 10, 500, n(10_000, scale), gw, n(1_000, scale));
    ok &= latency(bench, verdicts, 100, 200, n(6_000, scale), gw, n(400, scale));

    // 4. Commands, after 15,000 warm-up commands through the same gateway: past the point where
    // every JIT compiles the path (C1, bin/clu-ws's, after ~1,500 calls; C2 after ~10,000 calls,
    // for gateways run with --gateway-jvm-opts that use it), so no run measures the interpreter.
    ok &= commands(bench, verdicts, 1, n(3_000, scale), n(15_000, scale));
    ok &= commands(bench, verdicts, 10, n(1_000, scale), n(1_500, scale));

    // 5. Memory.
    if (t2 != null) {
      double peak = Format.mib(t2.peakRss());
      verdicts.add(
          new Verdict(
              "5a. peak RSS during target 2's flood",
              "-",
              dec(peak, 0) + " MiB",
              "<= " + dec(RSS_LIMIT_MIB, 0) + " MiB",
              peak > 0 && peak <= RSS_LIMIT_MIB ? "met" : "not met"));
    } else {
      verdicts.add(failedRow("5a. peak RSS during target 2's flood"));
    }
    ok &= idle(bench, verdicts, n(10_000, scale));

    // 6. 1,000 clients at full speed, as measured before issue 12.
    FanoutRun.Outcome t6 =
        fanout(
            bench,
            "target6-flood",
            new FanoutRun.Params(
                1000,
                0,
                n(2_000, scale),
                0,
                gw,
                n(FanoutRun.Params.defaultWarmup(1000), scale),
                false));
    ok &= t6 != null;
    if (t6 != null) {
      double p50 = t6.latency().percentile(50) / 1000.0;
      double ratio = t6.deliveredRate() / K1000_BEFORE_RATE;
      verdicts.add(
          new Verdict(
              "6. 1,000 clients, full speed (" + t6.params().path("replies").asInt() + " replies)",
              rate(t6.baselineRate()) + " replies/s (plain consumer, this run)",
              rate(t6.deliveredRate())
                  + " frames/s in all = "
                  + dec(ratio, 2)
                  + " x before; p50 "
                  + dec(p50, 0)
                  + " ms; lost "
                  + t6.lost(),
              "no regression from "
                  + rate(K1000_BEFORE_RATE)
                  + " frames/s, p50 "
                  + dec(K1000_BEFORE_P50_MS, 0)
                  + " ms (>= 0.9 x, no loss)",
              complete(t6) && ratio >= 0.9 ? "met" : "not met"));
    } else {
      verdicts.add(failedRow("6. 1,000 clients, full speed"));
    }

    ObjectNode record = bench.record("targets", false);
    record.put("rabbitmq_version", brokerVersion(bench));
    ArrayNode rows = record.putArray("targets");
    for (Verdict v : verdicts) {
      ObjectNode row = rows.addObject();
      row.put("target", v.target());
      row.put("ceiling", v.ceiling());
      row.put("clu_ws", v.cluWs());
      row.put("goal", v.goal());
      row.put("verdict", v.verdict());
    }
    String load = machineLoad(bench.records());
    record.put("machine_load", load);
    bench.emit(record, List.of());
    bench.addTrailer(table(verdicts) + "\n" + load + "\n");
    return ok;
  }

  private static boolean latency(
      Bench bench,
      List<Verdict> verdicts,
      int clients,
      double rate,
      int replies,
      int gatewayWarmup,
      int warmup) {
    String name = "3. latency, " + clients + " clients at " + Format.num(rate) + "/s";
    FanoutRun.Outcome o =
        fanout(
            bench,
            "target3-latency",
            new FanoutRun.Params(clients, 0, replies, rate, gatewayWarmup, warmup, false));
    if (o == null) {
      verdicts.add(failedRow(name));
      return false;
    }
    JsonNode base = o.results().path("baseline").path("latency");
    JsonNode gw = o.results().path("clients").path("latency");
    double baseP99 = base.path("p99_ms").asDouble();
    double gwP99 = gw.path("p99_ms").asDouble();
    verdicts.add(
        new Verdict(
            name,
            "p50 / p99 " + dec(base.path("p50_ms").asDouble(), 2) + " / " + dec(baseP99, 2) + " ms",
            "p50 / p99 "
                + dec(gw.path("p50_ms").asDouble(), 2)
                + " / "
                + dec(gwP99, 2)
                + " ms (p99 "
                + (gwP99 >= baseP99 ? "+" : "")
                + dec(gwP99 - baseP99, 2)
                + " ms)",
            "p99 <= ceiling's p99 + 1 ms",
            complete(o) && gwP99 <= baseP99 + 1 ? "met" : "not met"));
    if (clients > 1) {
      plainFanout(bench, verdicts, clients, rate, replies, warmup, o);
    }
    return true;
  }

  /**
   * The same replies to as many plain AMQP consumers as the gateway had clients, each on its own
   * queue (the broker fans out): the ceiling issue 12's own table gives for 100 clients. Run after
   * the gateway's run, with no gateway, so that neither shares the broker with the other.
   */
  private static void plainFanout(
      Bench bench,
      List<Verdict> verdicts,
      int clients,
      double rate,
      int replies,
      int warmup,
      FanoutRun.Outcome gateway) {
    String name =
        "3. latency, "
            + clients
            + " clients at "
            + Format.num(rate)
            + "/s, against "
            + clients
            + " plain consumers";
    PlainFanoutRun.Outcome plain =
        PlainFanoutRun.runAndEmit(bench, "target3-plain-fanout", clients, replies, rate, warmup);
    if (plain == null) {
      verdicts.add(failedRow(name));
      return;
    }
    double plainP99 = plain.latency().percentile(99) / 1000.0;
    double gwP99 = gateway.results().path("clients").path("latency").path("p99_ms").asDouble();
    boolean plainComplete = plain.end() == FanoutRun.End.COMPLETE && plain.lost() == 0;
    verdicts.add(
        new Verdict(
            name,
            "p50 / p99 "
                + dec(plain.latency().percentile(50) / 1000.0, 2)
                + " / "
                + dec(plainP99, 2)
                + " ms ("
                + clients
                + " queues; run after the gateway's)",
            "p99 " + dec(gwP99, 2) + " ms (the run above)",
            "p99 <= ceiling's p99 + 1 ms",
            !plainComplete
                ? "invalid: the plain consumers lost replies"
                : complete(gateway) && gwP99 <= plainP99 + 1 ? "met" : "not met"));
  }

  private static boolean commands(
      Bench bench, List<Verdict> verdicts, int clients, int commands, int warmup) {
    String name =
        "4. commands, "
            + clients
            + (clients == 1 ? " client" : " clients")
            + " back to back ("
            + commands
            + " each, after "
            + warmup
            + " unrecorded)";
    ObjectNode record = bench.record("target4-commands");
    if (!LoadTool.Suite.emitted(
        bench,
        record,
        (params, out) -> RoundtripRun.run(bench, clients, commands, warmup, params, out))) {
      verdicts.add(failedRow(name));
      return false;
    }
    JsonNode results = record.get("results");
    JsonNode gw = results.path("gateway");
    JsonNode direct = results.path("direct_amqp");
    double rate = gw.path("commands_per_second").asDouble();
    double p50 = gw.path("latency").path("p50_ms").asDouble();
    double p99 = gw.path("latency").path("p99_ms").asDouble();
    boolean complete = gw.path("unanswered").asLong() == 0 && gw.path("failed").asLong() == 0;
    String goal;
    String verdict;
    if (clients == 1) {
      goal =
          "CLU: "
              + dec(CLU_ONE_CLIENT_RATE_WORST, 0)
              + "-"
              + dec(CLU_ONE_CLIENT_RATE_BEST, 0)
              + " commands/s, p50 "
              + dec(CLU_ONE_CLIENT_P50_BEST_MS, 1)
              + "-"
              + dec(CLU_ONE_CLIENT_P50_WORST_MS, 1)
              + " ms, p99 "
              + dec(CLU_ONE_CLIENT_P99_BEST_MS, 1)
              + "-"
              + dec(CLU_ONE_CLIENT_P99_WORST_MS, 1)
              + " ms";
      boolean best =
          rate >= CLU_ONE_CLIENT_RATE_BEST
              && p50 <= CLU_ONE_CLIENT_P50_BEST_MS
              && p99 <= CLU_ONE_CLIENT_P99_BEST_MS;
      boolean worst =
          rate >= CLU_ONE_CLIENT_RATE_WORST
              && p50 <= CLU_ONE_CLIENT_P50_WORST_MS
              && p99 <= CLU_ONE_CLIENT_P99_WORST_MS;
      verdict =
          !complete
              ? "not met (unanswered commands)"
              : best
                  ? "met (beats CLU's best figures)"
                  : worst
                      ? "met against CLU's worst figures only"
                      : "not met" + misses(rate, p50, p99);
    } else {
      goal = "CLU: " + dec(CLU_TEN_CLIENTS_RATE, 0) + " commands/s";
      verdict = complete && rate >= CLU_TEN_CLIENTS_RATE ? "met" : "not met";
    }
    verdicts.add(
        new Verdict(
            name,
            "direct AMQP: "
                + rate(direct.path("commands_per_second").asDouble())
                + " commands/s, p50 / p99 "
                + dec(direct.path("latency").path("p50_ms").asDouble(), 2)
                + " / "
                + dec(direct.path("latency").path("p99_ms").asDouble(), 2)
                + " ms",
            rate(rate) + " commands/s, p50 / p99 " + dec(p50, 2) + " / " + dec(p99, 2) + " ms",
            goal,
            verdict));
    return true;
  }

  private static String misses(double rate, double p50, double p99) {
    List<String> missed = new ArrayList<>();
    if (rate < CLU_ONE_CLIENT_RATE_WORST) {
      missed.add("rate");
    }
    if (p50 > CLU_ONE_CLIENT_P50_WORST_MS) {
      missed.add("p50");
    }
    if (p99 > CLU_ONE_CLIENT_P99_WORST_MS) {
      missed.add("p99");
    }
    return missed.isEmpty() ? "" : " (" + String.join(", ", missed) + ")";
  }

  private static boolean idle(Bench bench, List<Verdict> verdicts, int connections) {
    String name = "5b. memory per idle connection (" + Format.num(connections) + ")";
    ObjectNode record = bench.record("target5-idle");
    if (!LoadTool.Suite.emitted(
        bench,
        record,
        (params, results) -> IdleRun.run(bench, connections, false, params, results))) {
      verdicts.add(failedRow(name));
      return false;
    }
    JsonNode results = record.path("results");
    double perKib =
        results.path("gateway_memory").path("rss_bytes_per_connection").asDouble() / 1024.0;
    boolean registered = results.path("registered").asInt() == connections;
    verdicts.add(
        new Verdict(
            name,
            "-",
            dec(perKib, 1) + " KiB RSS per connection",
            "<= " + dec(IDLE_LIMIT_KIB, 0) + " KiB (11.6 before issue 12)",
            registered && perKib > 0 && perKib <= IDLE_LIMIT_KIB
                ? "met"
                : registered ? "not met" : "not met (not every connection registered)"));
    return true;
  }

  private static FanoutRun.Outcome fanout(Bench bench, String scenario, FanoutRun.Params p) {
    ObjectNode record = bench.record(scenario);
    try {
      FanoutRun.Outcome o =
          FanoutRun.run(
              bench,
              scenario + "-k" + p.readers(),
              p,
              (ObjectNode) record.get("params"),
              (ObjectNode) record.get("results"));
      bench.emit(record, List.of(FanoutRun.row(scenario, p, o)));
      return o;
    } catch (RuntimeException e) {
      LoadTool.Suite.failed(bench, record, e);
      return null;
    }
  }

  private static boolean complete(FanoutRun.Outcome o) {
    return o.end() == FanoutRun.End.COMPLETE && o.lost() == 0;
  }

  private static String lossNote(FanoutRun.Outcome o) {
    return o.end().name().toLowerCase(Locale.ROOT) + ", " + o.lost() + " frames lost";
  }

  /** How busy the machine was with other work while the runs measured. */
  static String machineLoad(List<ObjectNode> records) {
    double other = 0;
    double load = 0;
    for (ObjectNode r : records) {
      load = Math.max(load, r.path("machine").path("load_average_1m").asDouble());
      for (JsonNode cpu : r.findValues("cpu")) {
        other = Math.max(other, cpu.path("other_processes_cores").asDouble());
      }
    }
    return "Other processes used at most "
        + dec(other, 2)
        + " cores during any measured window; 1-minute load average at most "
        + dec(load, 1)
        + " when a run started.";
  }

  private static Verdict failedRow(String target) {
    return new Verdict(target, "-", "-", "-", "run failed (see its JSON line)");
  }

  private static String brokerVersion(Bench bench) {
    try (Connection c = bench.broker().connect("clu-ws-load version probe")) {
      Map<String, Object> props = c.getServerProperties();
      return String.valueOf(props.get("product")) + " " + props.get("version");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The targets as a Markdown table. */
  static String table(List<Verdict> verdicts) {
    StringBuilder sb = new StringBuilder();
    sb.append("| ").append(String.join(" | ", Verdict.HEADERS)).append(" |\n");
    sb.append("|").append(" --- |".repeat(Verdict.HEADERS.size())).append('\n');
    for (Verdict v : verdicts) {
      sb.append("| ").append(String.join(" | ", v.cells())).append(" |\n");
    }
    return sb.toString();
  }

  private static int n(int count, double scale) {
    return Math.max(1, (int) Math.round(count * scale));
  }

  private static String rate(double v) {
    return Format.num(v);
  }

  private static String dec(double v, int digits) {
    return Format.dec(v, digits);
  }
}
