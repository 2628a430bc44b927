package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle connections: opens {@code connections} websockets that do nothing, proves the gateway has
 * registered every one (a broadcast reaches each), and measures the gateway's memory per
 * connection: resident set size and heap after a full GC, before and after.
 */
final class IdleRun {
  private static final Logger log = LoggerFactory.getLogger(IdleRun.class);

  private IdleRun() {}

  static SummaryRow run(
      Bench bench, int connections, boolean deflate, ObjectNode params, ObjectNode results) {
    params.put("connections", connections);
    params.put("permessage_deflate_offered", deflate);
    bench.describeGateway(params, List.of());
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    try (GatewayTarget gateway = bench.gateway("idle");
        ReplyPublisher publisher = new ReplyPublisher(bench.broker(), gateway.exchange(), 16)) {
      OptionalLong pid = gateway.pid();
      // One reply through the gateway first, so that its reply path is loaded before "before".
      publisher.publish(1, true, 0, deadline);
      long heapBefore = pid.isPresent() ? ProcStats.heapUsedAfterGc(pid.getAsLong()) : -1;
      long rssBefore = pid.isPresent() ? ProcStats.statusBytes(pid.getAsLong(), "VmRSS") : -1;
      long threadsBefore = pid.isPresent() ? ProcStats.statusValue(pid.getAsLong(), "Threads") : -1;
      Map<String, Long> nativeBefore =
          pid.isPresent() ? ProcStats.nativeMemory(pid.getAsLong()) : Map.of();

      List<IdleClient> clients = new ArrayList<>(connections);
      for (int i = 0; i < connections; i++) {
        clients.add(new IdleClient());
      }
      long openStart = System.nanoTime();
      List<Session> sessions =
          bench.ws().connectAll(gateway.uri(), clients, bench.timeout().dividedBy(2), deflate);
      double openSeconds = (System.nanoTime() - openStart) / 1e9;
      try {
        log.info(
            "idle: {} websockets open in {} s; probing", connections, Format.dec(openSeconds, 1));
        int registered = probe(bench, clients, publisher, deadline);
        long heapAfter = pid.isPresent() ? ProcStats.heapUsedAfterGc(pid.getAsLong()) : -1;
        long rssAfter = pid.isPresent() ? ProcStats.statusBytes(pid.getAsLong(), "VmRSS") : -1;
        long threadsAfter =
            pid.isPresent() ? ProcStats.statusValue(pid.getAsLong(), "Threads") : -1;
        long stillOpen = sessions.stream().filter(Session::isOpen).count();
        Map<String, Long> nativeAfter =
            pid.isPresent() ? ProcStats.nativeMemory(pid.getAsLong()) : Map.of();

        results.put("opened", sessions.size());
        results.put(
            "permessage_deflate_negotiated",
            sessions.stream()
                .filter(
                    s ->
                        s.getUpgradeResponse().getExtensions().stream()
                            .anyMatch(e -> e.getName().equals("permessage-deflate")))
                .count());
        results.put("registered", registered);
        results.put("open_after_measurement", stillOpen);
        results.put("open_seconds", CpuSnapshot.round(openSeconds, 2));
        ObjectNode memory = results.putObject("gateway_memory");
        memory.put("rss_before_mib", Format.mib(rssBefore));
        memory.put("rss_after_mib", Format.mib(rssAfter));
        memory.put("heap_after_gc_before_mib", Format.mib(heapBefore));
        memory.put("heap_after_gc_after_mib", Format.mib(heapAfter));
        memory.put("threads_before", threadsBefore);
        memory.put("threads_after", threadsAfter);
        long rssPer = rssBefore >= 0 && rssAfter >= 0 ? (rssAfter - rssBefore) / connections : -1;
        long heapPer =
            heapBefore >= 0 && heapAfter >= 0 ? (heapAfter - heapBefore) / connections : -1;
        memory.put("rss_bytes_per_connection", rssPer);
        if (!nativeAfter.isEmpty()) {
          // -XX:NativeMemoryTracking=summary: where the JVM's committed memory grew, per
          // connection.
          ObjectNode nmt = memory.putObject("nmt_committed_bytes_per_connection");
          nativeAfter.forEach(
              (category, bytes) ->
                  nmt.put(
                      category, (bytes - nativeBefore.getOrDefault(category, 0L)) / connections));
        }
        memory.put("heap_bytes_per_connection", heapPer);
        return new SummaryRow(
            "idle",
            "N=" + connections,
            "-",
            "-",
            (connections - registered) + " not registered",
            "-",
            "-",
            rssPer >= 0
                ? Format.dec(rssPer / 1024.0, 1)
                    + " KiB RSS, "
                    + Format.dec(heapPer / 1024.0, 1)
                    + " KiB heap per connection"
                : "-",
            "opened in "
                + Format.dec(openSeconds, 1)
                + " s; gateway threads "
                + threadsBefore
                + " -> "
                + threadsAfter);
      } finally {
        WsClients.closeAll(sessions, Duration.ofSeconds(10));
      }
    }
  }

  /**
   * Publishes a broadcast every second until every client has received one (each registered with
   * the gateway's hub) or the bound passes; returns how many did.
   */
  private static int probe(
      Bench bench, List<IdleClient> clients, ReplyPublisher publisher, long deadline) {
    long probeDeadline = Math.min(deadline, System.nanoTime() + bench.stall().toNanos() * 3);
    while (true) {
      publisher.publish(1, true, 0, deadline);
      long until = System.nanoTime() + 1_000_000_000L;
      int registered = 0;
      while (System.nanoTime() < until) {
        registered = (int) clients.stream().filter(c -> c.frames() > 0).count();
        if (registered == clients.size()) {
          return registered;
        }
        FanoutRun.sleep(50);
      }
      if (System.nanoTime() > probeDeadline) {
        return registered;
      }
    }
  }
}
