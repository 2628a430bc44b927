package dev.cluws.bench.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the runs of one {@code clu-ws-load} invocation share: the options, the broker, the websocket
 * client, the gateways it starts (one per run, with a fresh exchange and name), and the output (a
 * JSON line per run, a summary table at the end).
 */
final class Bench implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Bench.class);

  private final CommonOptions options;
  private final BrokerSettings broker;
  private final OptionalLong brokerPid;
  private final PrintStream out;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final List<SummaryRow> rows = new ArrayList<>();
  private final List<ObjectNode> records = new ArrayList<>();
  private final List<String> trailers = new ArrayList<>();
  private final String tag;
  private final AtomicInteger runs = new AtomicInteger();
  private static final int PERFTEST_BODY_BYTES = 200;

  private WsClients ws;
  private String perfTestClasspath;
  private Path perfTestBody;

  Bench(CommonOptions options, PrintStream out) {
    options.validate();
    this.options = options;
    this.out = out;
    this.broker =
        new BrokerSettings(
            options.rabbitmqHost, options.rabbitmqPort, options.rabbitmqUser, options.password());
    this.brokerPid = ProcStats.brokerPid();
    String hex = UUID.randomUUID().toString().replace("-", "");
    this.tag = hex.substring(0, 8).toLowerCase(Locale.ROOT);
  }

  CommonOptions options() {
    return options;
  }

  BrokerSettings broker() {
    return broker;
  }

  OptionalLong brokerPid() {
    return brokerPid;
  }

  Duration timeout() {
    return Duration.ofSeconds(options.timeoutSeconds);
  }

  Duration stall() {
    return Duration.ofSeconds(options.stallSeconds);
  }

  /** A unique name for something of this invocation, e.g. {@code clu-ws-load-1a2b3c4d-3-actor}. */
  String uniqueName(String what) {
    return "clu-ws-load-" + tag + "-" + runs.incrementAndGet() + "-" + what;
  }

  /** The class path PerfTest runs on (checked on first use). */
  synchronized String perfTestClasspath() {
    if (perfTestClasspath == null) {
      perfTestClasspath = PerfTestPublisher.classpath(options.perfTestClasspath);
    }
    return perfTestClasspath;
  }

  /** The body file of PerfTest's replies. */
  synchronized Path perfTestBody() {
    if (perfTestBody == null) {
      perfTestBody =
          options.perfTestBody != null
              ? options.perfTestBody
              : PerfTestPublisher.writeBody(PERFTEST_BODY_BYTES);
    }
    return perfTestBody;
  }

  /** The size of PerfTest's body in bytes. */
  long perfTestBodyBytes() {
    try {
      return Files.size(perfTestBody());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The shared websocket client, started on first use. */
  synchronized WsClients ws() {
    if (ws == null) {
      ws = new WsClients();
    }
    return ws;
  }

  /**
   * The gateway for one run: a new child JVM with a fresh exchange and name, or the running gateway
   * given with {@code --gateway-url}.
   */
  GatewayTarget gateway(String run) {
    return gateway(run, List.of());
  }

  /** {@link #gateway(String)} with extra {@code clu-ws} arguments for a gateway the tool starts. */
  GatewayTarget gateway(String run, List<String> extraArgs) {
    if (options.gatewayUrl != null) {
      return GatewayTarget.external(
          options.gatewayUrl,
          options.exchange,
          options.gatewayPid == null ? OptionalLong.empty() : OptionalLong.of(options.gatewayPid));
    }
    String name = uniqueName(run);
    List<String> args = new ArrayList<>(options.gatewayArgList());
    args.addAll(extraArgs);
    GatewayProcess gateway =
        GatewayProcess.start(
            broker,
            options.gatewayJvmOptionList(),
            options.gatewayClasspath,
            args,
            name + "-ex",
            name,
            Duration.ofSeconds(60));
    try {
      // A gateway with a history stream rebuilds its state from it before it is ready, reading
      // the stream: a run starts after that, not beside it (when the gateway serves /readyz).
      GatewayProcess.awaitReady(gateway.uri(), System.nanoTime() + timeout().toNanos());
    } catch (RuntimeException e) {
      gateway.close();
      throw e;
    }
    return gateway;
  }

  /**
   * With {@code --wait-idle}: waits until the whole machine has used less than that many cores over
   * 3 s (at most {@code --wait-idle-max}), so that a run does not share the CPU with other work.
   * Returns the cores the machine used in the last 3 s.
   */
  double awaitIdleMachine() {
    double limit = options.waitIdleCores;
    if (limit <= 0) {
      return -1;
    }
    long deadline =
        System.nanoTime() + Duration.ofSeconds(Math.max(0, options.waitIdleMaxSeconds)).toNanos();
    double busy;
    while (true) {
      long before = ProcStats.machineBusyNanos();
      long start = System.nanoTime();
      FanoutRun.sleep(3_000);
      busy = (ProcStats.machineBusyNanos() - before) / (double) (System.nanoTime() - start);
      if (busy < limit || System.nanoTime() > deadline) {
        break;
      }
      log.info("machine busy ({} cores); waiting for it to be idle", Format.dec(busy, 2));
    }
    if (busy >= limit) {
      log.warn(
          "machine still busy ({} cores) after {} s; running anyway",
          Format.dec(busy, 2),
          options.waitIdleMaxSeconds);
    }
    return busy;
  }

  /** Writes how the run's gateway is started (or which one it drives) into {@code params}. */
  void describeGateway(ObjectNode params, List<String> extraArgs) {
    if (options.gatewayUrl != null) {
      params.put("gateway_url", options.gatewayUrl.toString());
      return;
    }
    params.put("gateway_jvm_opts", options.gatewayJvmOptions);
    if (options.gatewayClasspath != null) {
      params.put("gateway_classpath", options.gatewayClasspath);
    }
    List<String> args = new ArrayList<>(options.gatewayArgList());
    args.addAll(extraArgs);
    params.put("gateway_args", String.join(" ", args));
  }

  /**
   * A new JSON record for a run: scenario, time, machine, empty params and results (with {@code
   * --wait-idle}, once the machine is idle).
   */
  ObjectNode record(String scenario) {
    return record(scenario, true);
  }

  /** A new JSON record; {@code run} false for a record that measures nothing (no idle wait). */
  ObjectNode record(String scenario, boolean run) {
    ObjectNode record = mapper.createObjectNode();
    record.put("scenario", scenario);
    record.put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    double idle = run ? awaitIdleMachine() : -1;
    ObjectNode machine = record.putObject("machine");
    machine.put("cpus", Runtime.getRuntime().availableProcessors());
    machine.put("load_average_1m", loadAverage());
    if (idle >= 0) {
      machine.put("busy_cores_before_run", CpuSnapshot.round(idle, 2));
    }
    machine.put("java", System.getProperty("java.runtime.version"));
    record.putObject("params");
    record.putObject("results");
    return record;
  }

  /** Prints a run's JSON line (and appends it to {@code --json-out}); keeps its summary rows. */
  synchronized void emit(ObjectNode record, List<SummaryRow> summary) {
    String line;
    try {
      line = mapper.writeValueAsString(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    out.println(line);
    out.flush();
    if (options.jsonOut != null) {
      try {
        Files.writeString(
            options.jsonOut,
            line + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + options.jsonOut, e);
      }
    }
    records.add(record);
    rows.addAll(summary);
  }

  List<ObjectNode> records() {
    return List.copyOf(records);
  }

  /** Text printed after the summary table (e.g. the targets table). */
  synchronized void addTrailer(String text) {
    trailers.add(text);
  }

  /** Prints the summary table of every run so far, then the trailers. */
  synchronized void printSummary() {
    if (!rows.isEmpty()) {
      out.println();
      out.print(SummaryRow.table(rows));
    }
    for (String trailer : trailers) {
      out.println();
      out.print(trailer);
    }
    out.flush();
  }

  private static double loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return Double.parseDouble(f[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public synchronized void close() {
    if (ws != null) {
      ws.close();
      ws = null;
    }
    log.debug("bench {} done", tag);
  }
}
