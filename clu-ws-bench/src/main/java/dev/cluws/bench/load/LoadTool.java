package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code clu-ws-load}: drives a real gateway and the real RabbitMQ, all on 127.0.0.1, and reports
 * what the gateway delivers. One JSON line per run on standard output (and appended to {@code
 * --json-out}), then a summary table; progress on standard error.
 */
@Command(
    name = "clu-ws-load",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Load tool of clu-ws: starts the gateway (a child JVM, one per run) on 127.0.0.1, drives it",
      "with websocket clients and CLU replies on the local RabbitMQ, and reports one JSON line per",
      "run and a summary table. See docs/benchmarks.md."
    },
    subcommands = {
      LoadTool.Fanout.class,
      LoadTool.Slow.class,
      LoadTool.Roundtrip.class,
      LoadTool.Idle.class,
      LoadTool.All.class,
      LoadTool.Targets.class,
      LoadTool.History.class,
      LoadTool.StreamCost.class
    })
public final class LoadTool implements Callable<Integer> {
  /** Exit status when a run failed (not when a target was missed: that is for people to judge). */
  static final int RUN_FAILED = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Where results go (JSON lines, then the summary table). */
  private final PrintStream out;

  private LoadTool(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "clu-ws-load-logback.xml");
    }
    System.exit(execute(args, System.out));
  }

  /** Parses and runs; returns the exit status. */
  static int execute(String[] args, PrintStream out) {
    CommandLine cl = new CommandLine(new LoadTool(out));
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("clu-ws-load: " + e.getMessage());
          return e instanceof IllegalArgumentException ? 1 : RUN_FAILED;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 1;
  }

  /** Runs one scenario inside a {@link Bench}, emits it, and prints the summary at the end. */
  abstract static class Base implements Callable<Integer> {
    @Mixin CommonOptions common;
    @ParentCommand LoadTool tool;

    @Override
    public Integer call() {
      try (Bench bench = new Bench(common, tool.out)) {
        boolean ok = run(bench);
        bench.printSummary();
        return ok ? 0 : RUN_FAILED;
      }
    }

    abstract boolean run(Bench bench);
  }

  @Command(
      name = "fanout",
      description =
          "K websocket clients and a plain AMQP consumer receive M replies on reply.broadcast.")
  static final class Fanout extends Base {
    @Option(
        names = "--clients",
        split = ",",
        defaultValue = "1,10,100",
        description = "Client counts K, one run each (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(
        names = "--replies",
        defaultValue = "100000",
        description = "Replies M per run (default: ${DEFAULT-VALUE}).")
    int replies;

    @Mixin PublishOptions publish = new PublishOptions();

    @Option(
        names = "--plain-fanout",
        description = {
          "After each run, the same replies to K plain AMQP consumers, each on its own",
          "connection and queue, with no gateway running (the broker fans out)."
        })
    boolean plainFanout;

    @Override
    boolean run(Bench bench) {
      if (plainFanout && publish.perfTest) {
        throw new IllegalArgumentException("--plain-fanout runs with the tool's publisher only");
      }
      boolean ok = true;
      for (int k : clients) {
        ok &=
            Suite.fanout(
                bench,
                "fanout",
                k,
                replies,
                publish.rate,
                publish.gatewayWarmup,
                publish.warmup,
                publish.perfTest);
        if (plainFanout) {
          int warmup = FanoutRun.Params.warmupOrDefault(publish.warmup, k);
          ok &=
              PlainFanoutRun.runAndEmit(bench, "plain-fanout", k, replies, publish.rate, warmup)
                  != null;
        }
      }
      return ok;
    }
  }

  @Command(
      name = "slow",
      description = {
        "One never-reading client among K: the K-1 others' rate and the gateway's memory,",
        "compared with a run of the K-1 alone."
      })
  static final class Slow extends Base {
    @Option(
        names = "--clients",
        defaultValue = "10",
        description = "Clients K in all, one of which never reads (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
        names = "--replies",
        defaultValue = "50000",
        description = "Replies M (default: ${DEFAULT-VALUE}).")
    int replies;

    @Mixin PublishOptions publish = new PublishOptions();

    @Override
    boolean run(Bench bench) {
      if (publish.perfTest) {
        throw new IllegalArgumentException("slow runs with the tool's own publisher only");
      }
      return Suite.slow(
          bench, clients, replies, publish.rate, publish.gatewayWarmup, publish.warmup);
    }
  }

  @Command(
      name = "roundtrip",
      description = "C clients each send N commands to a test actor and wait for ':'.")
  static final class Roundtrip extends Base {
    @Option(
        names = "--clients",
        defaultValue = "1",
        description = "Clients C (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(
        names = "--commands",
        defaultValue = "5000",
        description = "Commands N per client (default: ${DEFAULT-VALUE}).")
    int commands;

    @Option(
        names = "--warmup",
        defaultValue = "1000",
        description = "Unrecorded commands before (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    boolean run(Bench bench) {
      return Suite.roundtrip(bench, clients, commands, warmup);
    }
  }

  @Command(name = "idle", description = "N idle websockets: the gateway's memory per connection.")
  static final class Idle extends Base {
    @Option(
        names = "--connections",
        defaultValue = "10000",
        description = "Idle websockets N (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
        names = "--deflate",
        description = "Each websocket offers permessage-deflate, as browsers do.")
    boolean deflate;

    @Override
    boolean run(Bench bench) {
      return Suite.idle(bench, connections, deflate);
    }
  }

  @Command(
      name = "all",
      description = {
        "The documented suite (docs/benchmarks.md): fanout K=1,10,100,1000 at full speed,",
        "K=1 at 2,500 and K=100 at 2,000 replies/s, slow K=10, roundtrip 1x5000, idle 10,000."
      })
  static final class All extends Base {
    @Option(
        names = "--scale",
        defaultValue = "1",
        description =
            "Multiplies every count (replies, commands, connections), e.g. 0.1 for a quick look.")
    double scale;

    @Override
    boolean run(Bench bench) {
      return Suite.all(bench, scale);
    }
  }

  @Command(
      name = "targets",
      description = {
        "The targets of issue 12 side by side with their ceilings (docs/benchmarks.md): one and",
        "100 clients under a RabbitMQ PerfTest flood, latency at 10 x 500/s and 100 x 200/s,",
        "commands (1 and 10 clients), memory (flood, 10,000 idle), 1,000 clients; ends with a",
        "table of verdicts."
      })
  static final class Targets extends Base {
    @Option(
        names = "--scale",
        defaultValue = "1",
        description =
            "Multiplies every count (replies, commands, connections), e.g. 0.1 for a quick look.")
    double scale;

    @Override
    boolean run(Bench bench) {
      return TargetsRun.run(bench, scale);
    }
  }

  @Command(
      name = "history",
      description = {
        "The shared history stream (issue 15, docs/benchmarks.md): a gateway with a stream of its",
        "own, R history requests of up to L replies of one actor after M were published, timed",
        "from the control frame to the end frame (the first is cold); with --rebuild-replies, a",
        "stream of N replies and S gateway starts on it, timed until /readyz answers 200. Every",
        "stream is deleted at the end."
      })
  static final class History extends Base {
    @Option(
        names = "--replies",
        defaultValue = "20000",
        description = "Replies M published before the requests (default: ${DEFAULT-VALUE}).")
    int replies;

    @Option(
        names = "--rate",
        defaultValue = "0",
        description =
            "Replies per second at which the M replies are published; 0 = as fast as the publisher"
                + " goes (default). RabbitMQ appends what reaches a stream together as one chunk,"
                + " so the rate sets the chunks a request reads, as CLU actors' pace would.")
    double rate;

    @Option(
        names = "--limit",
        defaultValue = "10000",
        description = "The requests' limit L (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = "--minutes",
        defaultValue = "5",
        description = "The requests' minutes (default: ${DEFAULT-VALUE}).")
    double minutes;

    @Option(
        names = "--requests",
        defaultValue = "5",
        description =
            "Requests R on one websocket; 0 = no request run (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(
        names = "--connect-first",
        description =
            "Connect the requesting client before the replies are published (it receives them live"
                + " first, as a page would), instead of after.")
    boolean connectFirst;

    @Option(
        names = "--restart",
        description =
            "Before the requests, replace the gateway by a new one on the same stream, which"
                + " rebuilds its state from the replies published (as after a restart).")
    boolean restart;

    @Option(
        names = "--rebuild-replies",
        defaultValue = "0",
        description = "Replies N in the rebuild run's stream; 0 = no rebuild run (default).")
    int rebuildReplies;

    @Option(
        names = "--rebuild-starts",
        defaultValue = "3",
        description = "Gateway starts S on the rebuild run's stream (default: ${DEFAULT-VALUE}).")
    int rebuildStarts;

    @Option(
        names = "--rebuild-compare-classpath",
        paramLabel = "<classpath>",
        description =
            "Also start a gateway of this class path (another build of clu-ws) after each start,"
                + " on the same stream, and report both medians.")
    String rebuildCompareClasspath;

    @Override
    boolean run(Bench bench) {
      if (requests < 0
          || rebuildReplies < 0
          || rebuildStarts < 1
          || replies < 1
          || limit < 1
          || rate < 0) {
        throw new IllegalArgumentException(
            "--replies, --limit and --rebuild-starts must be positive, --requests,"
                + " --rebuild-replies and --rate at least 0");
      }
      boolean ok = true;
      if (requests > 0) {
        HistoryRun.RequestParams p =
            new HistoryRun.RequestParams(
                replies, limit, minutes, requests, connectFirst, restart, rate);
        ok &=
            Suite.emitted(
                bench,
                bench.record("history-request"),
                (params, results) -> HistoryRun.requests(bench, p, params, results));
      }
      if (rebuildReplies > 0) {
        HistoryRun.RebuildParams p =
            new HistoryRun.RebuildParams(rebuildReplies, rebuildStarts, rebuildCompareClasspath);
        ok &=
            Suite.emitted(
                bench,
                bench.record("history-rebuild"),
                (params, results) -> HistoryRun.rebuild(bench, p, params, results));
      }
      return ok;
    }
  }

  @Command(
      name = "stream-cost",
      description = {
        "What a history stream costs the broker, without a gateway (docs/benchmarks.md): a",
        "PerfTest flood of M replies received by two plain AMQP consumers, with two queues, with",
        "two queues and a stream bound as --history-stream binds it, and with one queue and the",
        "second consumer reading the stream live; R rounds, the layouts interleaved. Every stream",
        "is deleted at the end of its run."
      })
  static final class StreamCost extends Base {
    @Option(
        names = "--replies",
        defaultValue = "100000",
        description = "Replies M per run (default: ${DEFAULT-VALUE}).")
    int replies;

    @Option(
        names = "--rounds",
        defaultValue = "2",
        description = "Rounds R of the three layouts (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    boolean run(Bench bench) {
      if (replies < 1 || rounds < 1) {
        throw new IllegalArgumentException("--replies and --rounds must be positive");
      }
      boolean ok = true;
      for (int round = 1; round <= rounds; round++) {
        for (StreamCostRun.Layout layout : StreamCostRun.Layout.values()) {
          ObjectNode record = bench.record("stream-cost");
          ((ObjectNode) record.get("params")).put("round", round);
          ok &=
              Suite.emitted(
                  bench,
                  record,
                  (params, results) -> StreamCostRun.run(bench, layout, replies, params, results));
        }
      }
      return ok;
    }
  }

  /** The scenarios, each guarded so that one failed run does not stop the others. */
  static final class Suite {
    private Suite() {}

    static boolean all(Bench bench, double scale) {
      boolean ok = true;
      int gw = n(FanoutRun.Params.DEFAULT_GATEWAY_WARMUP, scale);
      ok &= fanout(bench, "fanout", 1, n(200_000, scale), 0, gw, 0);
      ok &= fanout(bench, "fanout", 1, n(100_000, scale), 2_500, gw, 0);
      ok &= fanout(bench, "fanout", 10, n(100_000, scale), 0, gw, 0);
      ok &= fanout(bench, "fanout", 100, n(20_000, scale), 0, gw, 0);
      ok &= fanout(bench, "fanout", 1000, n(2_000, scale), 0, gw, 0);
      ok &= fanout(bench, "fanout", 100, n(20_000, scale), 2_000, gw, 0);
      ok &= slow(bench, 10, n(50_000, scale), 0, gw, 0);
      ok &= roundtrip(bench, 1, n(5_000, scale), n(1_000, scale));
      ok &= idle(bench, n(10_000, scale), false);
      return ok;
    }

    private static int n(int count, double scale) {
      return Math.max(1, (int) Math.round(count * scale));
    }

    static boolean fanout(
        Bench bench,
        String scenario,
        int k,
        int replies,
        double rate,
        int gatewayWarmup,
        int warmup) {
      return fanout(bench, scenario, k, replies, rate, gatewayWarmup, warmup, false);
    }

    static boolean fanout(
        Bench bench,
        String scenario,
        int k,
        int replies,
        double rate,
        int gatewayWarmup,
        int warmup,
        boolean perfTest) {
      FanoutRun.Params p =
          new FanoutRun.Params(
              k,
              0,
              replies,
              rate,
              gatewayWarmup,
              FanoutRun.Params.warmupOrDefault(warmup, k),
              false,
              perfTest);
      return emitted(
          bench,
          bench.record(scenario),
          (params, results) ->
              FanoutRun.row(scenario, p, FanoutRun.run(bench, "fanout-k" + k, p, params, results)));
    }

    static boolean slow(
        Bench bench, int clients, int replies, double rate, int gatewayWarmup, int warmupReplies) {
      ObjectNode record = bench.record("slow");
      try {
        if (clients < 2) {
          throw new IllegalArgumentException("slow needs at least 2 clients");
        }
        int readers = clients - 1;
        int warmup = FanoutRun.Params.warmupOrDefault(warmupReplies, clients);
        ObjectNode params = (ObjectNode) record.get("params");
        ObjectNode results = (ObjectNode) record.get("results");
        params.put("clients", clients);
        params.put("replies", replies);
        params.put("rate", rate > 0 ? Double.toString(rate) : "max");
        FanoutRun.Params without =
            new FanoutRun.Params(readers, 0, replies, rate, gatewayWarmup, warmup, true);
        FanoutRun.Params with =
            new FanoutRun.Params(readers, 1, replies, rate, gatewayWarmup, warmup, true);
        FanoutRun.Outcome a =
            FanoutRun.run(
                bench,
                "slow-without",
                without,
                params.putObject("without"),
                results.putObject("without"));
        FanoutRun.Outcome b =
            FanoutRun.run(
                bench, "slow-with", with, params.putObject("with"), results.putObject("with"));
        double ratio = a.clientRate() > 0 ? b.clientRate() / a.clientRate() : -1;
        results.put("readers_rate_ratio_with_vs_without", CpuSnapshot.round(ratio, 3));
        // The broker's pace varies from run to run on a shared machine; the baseline consumer of
        // each run shows it, so the readers' rate relative to their own run's baseline compares
        // the gateway alone.
        double normalized =
            a.baselineRate() > 0 && b.baselineRate() > 0 && a.clientRate() > 0
                ? (b.clientRate() / b.baselineRate()) / (a.clientRate() / a.baselineRate())
                : -1;
        results.put(
            "readers_rate_ratio_vs_baseline_with_vs_without", CpuSnapshot.round(normalized, 3));
        ObjectNode memWith = (ObjectNode) b.results().get("gateway_memory");
        double heapGrowth =
            memWith.path("heap_after_gc_after_mib").asDouble()
                - memWith.path("heap_after_gc_before_mib").asDouble();
        results.put("heap_growth_with_silent_client_mib", CpuSnapshot.round(heapGrowth, 1));
        List<SummaryRow> rows = new ArrayList<>();
        rows.add(FanoutRun.row("slow (without)", without, a));
        SummaryRow withRow = FanoutRun.row("slow (with)", with, b);
        rows.add(
            new SummaryRow(
                withRow.scenario(),
                withRow.params(),
                withRow.rate(),
                withRow.vsBaseline(),
                withRow.errors(),
                withRow.latency(),
                withRow.gatewayCpu(),
                withRow.gatewayMemory() + "; heap after GC +" + Format.dec(heapGrowth, 1) + " MiB",
                "readers' rate "
                    + Format.dec(100 * ratio, 1)
                    + " % of the run without ("
                    + Format.dec(100 * normalized, 1)
                    + " % relative to each run's baseline); "
                    + withRow.note()));
        bench.emit(record, rows);
        return true;
      } catch (RuntimeException e) {
        return failed(bench, record, e);
      }
    }

    static boolean roundtrip(Bench bench, int clients, int commands, int warmup) {
      return emitted(
          bench,
          bench.record("roundtrip"),
          (params, results) -> RoundtripRun.run(bench, clients, commands, warmup, params, results));
    }

    static boolean idle(Bench bench, int connections, boolean deflate) {
      return emitted(
          bench,
          bench.record("idle"),
          (params, results) -> IdleRun.run(bench, connections, deflate, params, results));
    }

    /** What one run measures: fills its record's params and results, returns its summary row. */
    interface Measure {
      SummaryRow run(ObjectNode params, ObjectNode results);
    }

    /**
     * Runs {@code measure} into {@code record}: emits the record with its row and returns true, or,
     * when the run fails, emits the failure and returns false.
     */
    static boolean emitted(Bench bench, ObjectNode record, Measure measure) {
      try {
        SummaryRow row =
            measure.run((ObjectNode) record.get("params"), (ObjectNode) record.get("results"));
        bench.emit(record, List.of(row));
        return true;
      } catch (RuntimeException e) {
        return failed(bench, record, e);
      }
    }

    static boolean failed(Bench bench, ObjectNode record, RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      org.slf4j.LoggerFactory.getLogger(LoadTool.class)
          .error("{} run failed: {}", record.path("scenario").asText(), e.toString(), e);
      record.put("error", String.valueOf(e.getMessage()));
      bench.emit(record, List.of());
      return false;
    }
  }

  /** How the replies of a fanout or slow run are published. */
  static final class PublishOptions {
    @Option(
        names = "--perftest",
        description =
            "Publish the measured replies with RabbitMQ PerfTest (issue 12's command; full speed"
                + " only, rates but no latency: its bodies carry no send time).")
    boolean perfTest;

    @Option(
        names = "--rate",
        defaultValue = "0",
        description = "Replies per second; 0 = as fast as publisher confirms allow (default).")
    double rate;

    @Option(
        names = "--warmup",
        defaultValue = "0",
        description = "Warm-up replies before each run; 0 = about 200,000 frames in all (default).")
    int warmup;

    @Option(
        names = "--gateway-warmup",
        defaultValue = "" + FanoutRun.Params.DEFAULT_GATEWAY_WARMUP,
        description =
            "Replies sent to the first client alone before the others connect, to compile the"
                + " gateway's per-reply path (default: ${DEFAULT-VALUE}; 0 = none).")
    int gatewayWarmup;
  }
}
