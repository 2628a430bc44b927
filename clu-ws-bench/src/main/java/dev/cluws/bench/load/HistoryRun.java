package dev.cluws.bench.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.history.HistorySettings;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared history's two figures (issue 15): how long a history request of many replies takes,
 * from sending the control frame to the end frame, and how long a gateway takes to rebuild its
 * state from a large stream when it starts, until {@code /readyz} answers 200. Each run uses a
 * stream of its own and deletes it at the end.
 */
final class HistoryRun {
  private static final Logger log = LoggerFactory.getLogger(HistoryRun.class);
  private static final Pattern REBUILT =
      Pattern.compile("state rebuilt from history \\S+: (\\d+) replies read in (\\d+) ms");

  private HistoryRun() {}

  /** What a request run does. */
  record RequestParams(
      int replies,
      int limit,
      double minutes,
      int requests,
      boolean connectFirst,
      boolean restart,
      double rate) {}

  /**
   * Starts a gateway with a new history stream, publishes {@code replies} replies of one actor, and
   * sends {@code requests} history requests for that actor one after the other on one websocket
   * (the first is the gateway's first read of the stream: cold).
   */
  static SummaryRow requests(Bench bench, RequestParams p, ObjectNode params, ObjectNode results) {
    requireOwnGateway(bench);
    params.put("replies", p.replies());
    params.put("limit", p.limit());
    params.put("minutes", p.minutes());
    params.put("requests", p.requests());
    params.put("connect_first", p.connectFirst());
    params.put("restart", p.restart());
    params.put("rate", p.rate() > 0 ? Double.toString(p.rate()) : "max");
    if (p.connectFirst() && p.restart()) {
      throw new IllegalArgumentException("--connect-first and --restart exclude each other");
    }
    String stream = bench.uniqueName("history");
    params.put("stream", stream);
    List<String> extra = List.of("--history-stream", stream);
    bench.describeGateway(params, extra);
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    String frame =
        "{\"control\":\"history\",\"command_id\":\"bench\",\"actors\":[\""
            + BenchMessages.SENDER
            + "\"],\"minutes\":"
            + p.minutes()
            + ",\"limit\":"
            + p.limit()
            + "}";
    params.put("request", frame);
    GatewayTarget first = bench.gateway("history", extra);
    GatewayTarget gateway = first;
    try {
      HistoryClient client = new HistoryClient();
      List<Session> sessions = new ArrayList<>();
      try {
        if (p.connectFirst()) {
          // A client that has received the replies live before it asks for their history.
          sessions.addAll(
              bench.ws().connectAll(gateway.uri(), List.of(client), Duration.ofSeconds(30)));
        }
        try (ReplyPublisher publisher =
            new ReplyPublisher(bench.broker(), gateway.exchange(), bench.options().confirmWindow)) {
          ReplyPublisher.Result published =
              publisher.publish(p.replies(), false, p.rate(), deadline);
          results.put("published", published.published());
          results.put("publish_rate", Format.rate(published.rate()));
          log.info(
              "history: {} replies published at {}/s; requesting",
              published.published(),
              Format.rate(published.rate()));
        }
        // The gateway takes the published replies live too: let it finish them, so that a request
        // is timed alone rather than with the end of that backlog.
        long settled = awaitLiveBacklogTaken(bench, (GatewayProcess) gateway, deadline);
        results.put("live_backlog_wait_ms", settled);
        if (p.restart()) {
          // A new gateway on the same stream and exchange: it rebuilds its state from the stream
          // (reading the replies just published) before it is ready, as after a restart.
          first.close();
          long start = System.nanoTime();
          gateway =
              GatewayProcess.start(
                  bench.broker(),
                  bench.options().gatewayJvmOptionList(),
                  bench.options().gatewayClasspath,
                  withExtra(bench.options().gatewayArgList(), extra),
                  first.exchange(),
                  bench.uniqueName("history-restarted"),
                  Duration.ofSeconds(60));
          awaitReady(gateway.uri(), deadline);
          results.put("restart_ready_ms", (System.nanoTime() - start) / 1_000_000);
          awaitLiveBacklogTaken(bench, (GatewayProcess) gateway, deadline);
        }
        if (!p.connectFirst()) {
          sessions.addAll(
              bench.ws().connectAll(gateway.uri(), List.of(client), Duration.ofSeconds(30)));
        }
        double[] millis = new double[p.requests()];
        double[] gatewayCpu = new double[p.requests()];
        double[] brokerCpu = new double[p.requests()];
        ArrayNode each = results.putArray("request_ms");
        ArrayNode eachGateway = results.putArray("gateway_cpu_ms");
        ArrayNode eachBroker = results.putArray("broker_cpu_ms");
        long frames = -1;
        for (int i = 0; i < p.requests(); i++) {
          long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
          CpuSnapshot before = CpuSnapshot.take(gateway.pid(), bench.brokerPid());
          HistoryClient.Answer answer = client.request(frame, left);
          CpuSnapshot after = CpuSnapshot.take(gateway.pid(), bench.brokerPid());
          millis[i] = answer.millis();
          gatewayCpu[i] = cpuMillis(before.gateway(), after.gateway());
          brokerCpu[i] = cpuMillis(before.broker(), after.broker());
          each.add(CpuSnapshot.round(answer.millis(), 1));
          eachGateway.add(CpuSnapshot.round(gatewayCpu[i], 0));
          eachBroker.add(CpuSnapshot.round(brokerCpu[i], 0));
          frames = answer.historyFrames();
          if (i == 0) {
            results.put("end_frame", answer.endFrame());
          }
          log.info(
              "history request {}: {} replies in {} ms (CPU: gateway {} ms, broker {} ms)",
              i + 1,
              answer.historyFrames(),
              Format.dec(answer.millis(), 1),
              Format.dec(gatewayCpu[i], 0),
              Format.dec(brokerCpu[i], 0));
        }
        results.put("history_frames", frames);
        results.put("cold_ms", CpuSnapshot.round(millis[0], 1));
        double warm = p.requests() > 1 ? median(Arrays.copyOfRange(millis, 1, millis.length)) : -1;
        results.put("warm_median_ms", CpuSnapshot.round(warm, 1));
        double warmGateway =
            p.requests() > 1 ? median(Arrays.copyOfRange(gatewayCpu, 1, gatewayCpu.length)) : -1;
        double warmBroker =
            p.requests() > 1 ? median(Arrays.copyOfRange(brokerCpu, 1, brokerCpu.length)) : -1;
        results.put("cold_gateway_cpu_ms", CpuSnapshot.round(gatewayCpu[0], 0));
        results.put("warm_median_gateway_cpu_ms", CpuSnapshot.round(warmGateway, 0));
        results.put("warm_median_broker_cpu_ms", CpuSnapshot.round(warmBroker, 0));
        // The baseline: a plain AMQP consumer reading as many replies of the same stream from the
        // same time, as often as the gateway was asked.
        double[] plain = new double[p.requests()];
        double[] plainBroker = new double[p.requests()];
        ArrayNode eachPlain = results.putArray("plain_read_ms");
        ArrayNode eachPlainBroker = results.putArray("plain_read_broker_cpu_ms");
        int toRead = (int) Math.max(frames, 0);
        for (int i = 0; i < p.requests() && toRead > 0; i++) {
          CpuSnapshot before = CpuSnapshot.take(gateway.pid(), bench.brokerPid());
          plain[i] =
              BaselineConsumer.readStream(
                  bench.broker(),
                  stream,
                  Instant.now().minusMillis((long) (p.minutes() * 60_000)),
                  toRead,
                  deadline);
          CpuSnapshot after = CpuSnapshot.take(gateway.pid(), bench.brokerPid());
          plainBroker[i] = cpuMillis(before.broker(), after.broker());
          eachPlain.add(CpuSnapshot.round(plain[i], 1));
          eachPlainBroker.add(CpuSnapshot.round(plainBroker[i], 0));
          log.info(
              "plain stream reader {}: {} replies in {} ms (broker CPU {} ms)",
              i + 1,
              toRead,
              Format.dec(plain[i], 1),
              Format.dec(plainBroker[i], 0));
        }
        double plainWarm =
            p.requests() > 1 ? median(Arrays.copyOfRange(plain, 1, plain.length)) : -1;
        double plainWarmBroker =
            p.requests() > 1 ? median(Arrays.copyOfRange(plainBroker, 1, plainBroker.length)) : -1;
        results.put("plain_read_warm_median_ms", CpuSnapshot.round(plainWarm, 1));
        results.put("plain_read_warm_median_broker_cpu_ms", CpuSnapshot.round(plainWarmBroker, 0));
        return new SummaryRow(
            "history request",
            p.replies()
                + " published at "
                + Format.rateOption(p.rate())
                + ", limit "
                + p.limit()
                + ", "
                + p.requests()
                + " requests",
            "-",
            "plain stream reader: warm median " + Format.dec(plainWarm, 0) + " ms",
            frames + " replies per answer",
            "cold " + Format.dec(millis[0], 0) + " ms, warm median " + Format.dec(warm, 0) + " ms",
            "cold "
                + Format.dec(gatewayCpu[0], 0)
                + " ms, warm median "
                + Format.dec(warmGateway, 0)
                + " ms CPU per request",
            "-",
            "from sending the control frame to the end frame; broker CPU per warm request "
                + Format.dec(warmBroker, 0)
                + " ms, per warm plain read "
                + Format.dec(plainWarmBroker, 0)
                + " ms");
      } finally {
        WsClients.closeAll(sessions, Duration.ofSeconds(5));
      }
    } finally {
      gateway.close();
      first.close();
      deleteStream(bench, stream);
    }
  }

  /** What a rebuild run does. */
  record RebuildParams(int replies, int starts, String compareClasspath) {}

  /**
   * Fills a new stream with {@code replies} replies (declared and bound as a gateway does, with the
   * default retention; no gateway consumes them meanwhile), then starts a gateway on it {@code
   * starts} times, each time measuring how long until {@code /readyz} answers 200 and how long the
   * gateway says the rebuild took.
   */
  static SummaryRow rebuild(Bench bench, RebuildParams p, ObjectNode params, ObjectNode results) {
    requireOwnGateway(bench);
    params.put("replies", p.replies());
    params.put("starts", p.starts());
    String stream = bench.uniqueName("rebuild-history");
    String exchange = bench.uniqueName("rebuild-ex");
    params.put("stream", stream);
    params.put("exchange", exchange);
    List<String> extra = List.of("--history-stream", stream);
    bench.describeGateway(params, extra);
    long deadline = System.nanoTime() + bench.timeout().toNanos();
    HistorySettings settings = HistorySettings.named(stream);
    try {
      try (ReplyPublisher publisher =
          new ReplyPublisher(bench.broker(), exchange, bench.options().confirmWindow)) {
        declareStream(bench, settings, exchange);
        ReplyPublisher.Result published = publisher.publish(p.replies(), false, 0, deadline);
        results.put("published", published.published());
        results.put("publish_rate", Format.rate(published.rate()));
        log.info(
            "rebuild: {} replies in stream {} at {}/s",
            published.published(),
            stream,
            Format.rate(published.rate()));
      }
      double[] readyMs = new double[p.starts()];
      double[] rebuildMs = new double[p.starts()];
      ArrayNode each = results.putArray("starts");
      double[] compareMs = new double[p.compareClasspath() == null ? 0 : p.starts()];
      for (int i = 0; i < p.starts() * (p.compareClasspath() == null ? 1 : 2); i++) {
        boolean compared = p.compareClasspath() != null && i % 2 == 1;
        String name = bench.uniqueName("rebuild");
        long start = System.nanoTime();
        try (GatewayProcess gateway =
            GatewayProcess.start(
                bench.broker(),
                bench.options().gatewayJvmOptionList(),
                compared ? p.compareClasspath() : bench.options().gatewayClasspath,
                withExtra(bench.options().gatewayArgList(), extra),
                exchange,
                name,
                Duration.ofSeconds(60))) {
          double listenMs = (System.nanoTime() - start) / 1e6;
          awaitReady(gateway.uri(), deadline);
          double ready = (System.nanoTime() - start) / 1e6;
          Matcher m = REBUILT.matcher(gateway.logText());
          long read = m.find() ? Long.parseLong(m.group(1)) : -1;
          double rebuilt = read >= 0 ? Double.parseDouble(m.group(2)) : -1;
          if (compared) {
            compareMs[i / 2] = rebuilt;
          } else {
            int k = p.compareClasspath() == null ? i : i / 2;
            readyMs[k] = ready;
            rebuildMs[k] = rebuilt;
          }
          ObjectNode one = each.addObject();
          if (compared) {
            one.put("classpath", p.compareClasspath());
          }
          one.put("listening_ms", CpuSnapshot.round(listenMs, 0));
          one.put("ready_ms", CpuSnapshot.round(ready, 0));
          one.put("rebuild_ms_logged", rebuilt);
          one.put("replies_read", read);
          log.info(
              "rebuild {}{}: ready after {} ms (listening after {} ms; the gateway logged {}"
                  + " replies in {} ms)",
              i + 1,
              compared ? " (compared class path)" : "",
              Format.dec(ready, 0),
              Format.dec(listenMs, 0),
              read,
              Format.dec(rebuilt, 0));
        }
      }
      double ready = median(readyMs);
      double rebuilt = median(rebuildMs);
      results.put("ready_median_ms", CpuSnapshot.round(ready, 0));
      results.put("rebuild_median_ms", CpuSnapshot.round(rebuilt, 0));
      if (compareMs.length > 0) {
        results.put("compared_rebuild_median_ms", CpuSnapshot.round(median(compareMs), 0));
      }
      results.put(
          "rebuild_replies_per_second",
          rebuilt > 0 ? Format.rate(p.replies() * 1000 / rebuilt) : -1);
      return new SummaryRow(
          "history rebuild",
          p.replies() + " replies in the stream, " + p.starts() + " starts",
          rebuilt > 0 ? Format.num(p.replies() * 1000 / rebuilt) + " read/s" : "-",
          "-",
          "-",
          "-",
          "-",
          "-",
          "median: /readyz 200 after "
              + Format.dec(ready / 1000, 1)
              + " s from the JVM's start; rebuild "
              + Format.dec(rebuilt / 1000, 1)
              + " s (logged)"
              + (compareMs.length > 0
                  ? "; compared class path: rebuild "
                      + Format.dec(median(compareMs) / 1000, 1)
                      + " s"
                  : ""));
    } finally {
      deleteStream(bench, stream);
      try (Connection connection = bench.broker().connect("clu-ws-load cleanup")) {
        connection.createChannel().exchangeDelete(exchange);
      } catch (IOException | RuntimeException e) {
        log.warn("could not delete exchange {}: {}", exchange, e.toString());
      }
    }
  }

  /**
   * Waits until the gateway's replies queue is empty and the gateway is idle (under a tenth of a
   * core over a quarter second), at most 60 s; returns how long it waited in ms.
   */
  private static long awaitLiveBacklogTaken(Bench bench, GatewayProcess gateway, long deadline) {
    long start = System.nanoTime();
    long until = Math.min(deadline, start + Duration.ofSeconds(60).toNanos());
    String queue = gateway.name() + "_replies";
    try (Connection connection = bench.broker().connect("clu-ws-load history")) {
      Channel channel = connection.createChannel();
      while (System.nanoTime() < until
          && channel.queueDeclarePassive(queue).getMessageCount() > 0) {
        FanoutRun.sleep(50);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot look at the gateway's queue " + queue, e);
    }
    long pid = gateway.pid().orElse(-1);
    while (pid > 0 && System.nanoTime() < until) {
      long cpu = ProcStats.cpuNanos(pid);
      long wall = System.nanoTime();
      FanoutRun.sleep(250);
      double cores = (ProcStats.cpuNanos(pid) - cpu) / (double) (System.nanoTime() - wall);
      if (cores < 0.1) {
        break;
      }
    }
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static List<String> withExtra(List<String> args, List<String> extra) {
    List<String> all = new ArrayList<>(args);
    all.addAll(extra);
    return all;
  }

  private static void requireOwnGateway(Bench bench) {
    if (bench.options().gatewayUrl != null) {
      throw new IllegalArgumentException(
          "history runs start their own gateway with a stream of their own: no --gateway-url");
    }
  }

  /** Declares the stream and binds it to the exchange as a gateway with these settings does. */
  private static void declareStream(Bench bench, HistorySettings settings, String exchange) {
    try (Connection connection = bench.broker().connect("clu-ws-load history")) {
      Channel channel = connection.createChannel();
      channel.queueDeclare(settings.stream(), true, false, false, settings.streamArguments());
      channel.queueBind(settings.stream(), exchange, "reply.#");
    } catch (IOException e) {
      throw new IllegalStateException("cannot declare the stream " + settings.stream(), e);
    }
  }

  private static void deleteStream(Bench bench, String stream) {
    try (Connection connection = bench.broker().connect("clu-ws-load cleanup")) {
      connection.createChannel().queueDelete(stream);
    } catch (IOException | RuntimeException e) {
      log.warn("could not delete the history stream {}: {}", stream, e.toString());
    }
  }

  /** The history runs time the gateway until it is ready: it must serve {@code /readyz}. */
  private static void awaitReady(URI wsUri, long deadline) {
    if (!GatewayProcess.awaitReady(wsUri, deadline)) {
      throw new IllegalArgumentException(
          "the history runs need /readyz on the websocket port (no --no-health or"
              + " --no-public-admin in --gateway-args)");
    }
  }

  private static double cpuMillis(long before, long after) {
    return before < 0 || after < 0 ? -1 : (after - before) / 1e6;
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return -1;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
