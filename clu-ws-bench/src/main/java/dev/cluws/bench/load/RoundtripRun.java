package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Round trips: {@code clients} websocket clients each send {@code commands} commands to the tool's
 * own CLU actor through the gateway, one at a time, each waiting for its {@code :}. Measured
 * against the actor's own time per command and against the same round trip made by a plain AMQP
 * client (no gateway), so that the gateway's share of the latency is visible.
 */
final class RoundtripRun {
  private static final Logger log = LoggerFactory.getLogger(RoundtripRun.class);

  /**
   * A round trip chain sends its next command the moment the previous one is done, far above the
   * gateway's default per-client command rate (50/s, burst 100): the gateways this run starts lift
   * that limit, which would otherwise answer most commands with "rate limit exceeded".
   */
  static final List<String> UNLIMITED_COMMANDS =
      List.of("--command-rate", "1000000", "--command-burst", "1000000");

  private RoundtripRun() {}

  static SummaryRow run(
      Bench bench, int clients, int commands, int warmup, ObjectNode params, ObjectNode results) {
    params.put("clients", clients);
    params.put("commands_per_client", commands);
    params.put("warmup_commands", warmup);
    bench.describeGateway(params, UNLIMITED_COMMANDS);
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    try (GatewayTarget gateway = bench.gateway("roundtrip", UNLIMITED_COMMANDS);
        BenchActor actor =
            BenchActor.start(bench.broker(), gateway.exchange(), bench.uniqueName("actor"))) {
      OptionalLong pid = gateway.pid();
      log.info("roundtrip: direct AMQP baseline, {} commands", commands);
      DirectCommander.Result direct =
          DirectCommander.run(
              bench.broker(),
              gateway.exchange(),
              actor.name(),
              bench.uniqueName("direct"),
              warmup,
              commands,
              bench.timeout().dividedBy(3));
      Histogram actorDirect = actor.takeTimes();

      List<CommandClient> commanders = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        commanders.add(new CommandClient(actor.name(), "ws" + i + "-", warmup, commands));
      }
      List<Session> sessions =
          bench.ws().connectAll(gateway.uri(), commanders, Duration.ofSeconds(60));
      try {
        log.info("roundtrip: {} websocket clients x {} commands", clients, commands);
        CpuSnapshot start = CpuSnapshot.take(pid, bench.brokerPid());
        ThreadCpu threadsStart = ThreadCpu.take(pid);
        commanders.forEach(CommandClient::start);
        CompletableFuture<?> all =
            CompletableFuture.allOf(
                commanders.stream().map(CommandClient::done).toArray(CompletableFuture<?>[]::new));
        String end = "complete";
        try {
          all.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          end = "timeout";
        } catch (java.util.concurrent.ExecutionException e) {
          end = "failed: " + e.getCause();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        CpuSnapshot stop = CpuSnapshot.take(pid, bench.brokerPid());
        ThreadCpu threadsStop = ThreadCpu.take(pid);
        Histogram actorGateway = actor.takeTimes();

        Histogram latency = new Histogram();
        long answered = 0;
        long failed = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (CommandClient c : commanders) {
          latency.add(c.latency());
          answered += c.answered();
          failed += c.failed();
          if (c.answered() > 0) {
            first = Math.min(first, c.firstSentNanos());
            last = Math.max(last, c.lastAnsweredNanos());
          }
        }
        long expected = (long) clients * commands;
        double rate = last > first ? answered * 1e9 / (last - first) : 0;
        results.put("end", end);
        ObjectNode gw = results.putObject("gateway");
        gw.put("answered", answered);
        gw.put("unanswered", expected - answered);
        gw.put("failed", failed);
        gw.put("commands_per_second", Format.rate(rate));
        Format.latency(gw.putObject("latency"), latency);
        ObjectNode dir = results.putObject("direct_amqp");
        dir.put("answered", direct.answered());
        dir.put("unanswered", direct.unanswered());
        dir.put("commands_per_second", Format.rate(direct.commandsPerSecond()));
        Format.latency(dir.putObject("latency"), direct.latencyMicros());
        ObjectNode act = results.putObject("actor_time");
        act.put("commands", actor.commands());
        act.put("p50_ms", CpuSnapshot.round(actorGateway.percentile(50) / 1e6, 4));
        act.put("p99_ms", CpuSnapshot.round(actorGateway.percentile(99) / 1e6, 4));
        act.put("direct_run_p50_ms", CpuSnapshot.round(actorDirect.percentile(50) / 1e6, 4));
        double gwP50 = latency.percentile(50) / 1000.0;
        double directP50 = direct.latencyMicros().percentile(50) / 1000.0;
        double actorP50 = actorGateway.percentile(50) / 1e6;
        results.put("gateway_overhead_p50_ms", CpuSnapshot.round(gwP50 - directP50, 3));
        results.put("beyond_actor_p50_ms", CpuSnapshot.round(gwP50 - actorP50, 3));
        ObjectNode cpu = results.putObject("cpu");
        start.writeCores(stop, cpu);
        long window = stop.wallNanos() - start.wallNanos();
        cpu.put("gateway_cores_without_jit", threadsStart.coresWithoutJit(threadsStop, window));
        threadsStart.writeCores(threadsStop, window, 6, cpu.putObject("gateway_threads"));
        return new SummaryRow(
            "roundtrip",
            "C=" + clients + " N=" + commands,
            Format.num(rate) + " commands/s",
            "direct AMQP p50 " + Format.dec(directP50, 2) + " ms",
            (expected - answered) + " unanswered",
            Format.latency(latency),
            Format.dec(start.gatewayCores(stop), 2),
            "-",
            "actor p50 "
                + Format.dec(actorP50, 3)
                + " ms; gateway adds "
                + Format.dec(gwP50 - directP50, 2)
                + " ms to p50; p50 beyond actor "
                + Format.dec(gwP50 - actorP50, 2)
                + " ms");
      } finally {
        WsClients.closeAll(sessions, Duration.ofSeconds(2));
      }
    }
  }
}
