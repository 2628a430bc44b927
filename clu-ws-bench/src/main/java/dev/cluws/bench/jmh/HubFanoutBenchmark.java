package dev.cluws.bench.jmh;

import dev.cluws.bench.jmh.FanoutHarness.CapturingSource;
import dev.cluws.bench.jmh.FanoutHarness.InlineTransport;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Measures the cost of one reply on the reply path, from the message source's hand-off ({@link
 * ReplyListener#onReply}, which is the hub of a real {@link Gateway}) to every client's transport:
 * numbering, the replay ring, each client's filter chain, the one shared encode, and each client's
 * outbox offer and send. Score = time per reply, whatever the number of clients.
 *
 * <p>Why it matters: fan-out runs on the AMQP delivery thread, so its cost per reply bounds the
 * gateway's reply rate, and its cost per client bounds how many clients one gateway can serve. The
 * design promises that a reply is encoded once for all clients: with {@code filter=none} the cost
 * at 1000 clients must be one encode (see {@link FrameEncodingBenchmark}) plus a small per-client
 * cost, far below 1000 encodes. {@code actors-match} ({@code ?actors=lvm*}, sender {@code lvmecp})
 * adds the {@code actors} filter's verdict per client; {@code actors-miss} (sender {@code jaeger})
 * is a reply no client wants: no send. {@code replay=on} is the gateway's default (the hub keeps
 * the last 10,000 frames for {@code since=}, so it encodes every reply up front, wanted or not);
 * {@code replay=off} turns the ring off, so the hub encodes only when a client accepts the reply.
 *
 * <p>The gateway is real (its default mapper, filters from the class path through {@link
 * java.util.ServiceLoader}, default outbox bounds); the source, the sink and the transports are
 * harness. Each transport completes every send before returning, so every outbox stays empty and
 * never sheds; the tear-down checks that, that every frame reached every client that wanted it, and
 * that all clients got the very same frame instance (encode-once).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HubFanoutBenchmark {

  @Param({"1", "10", "100", "1000"})
  int clients;

  @Param({"none", "actors-match", "actors-miss"})
  String filter;

  @Param({"on", "off"})
  String replay;

  private Gateway gateway;
  private ReplyListener hub;
  private Reply reply;
  private InlineTransport[] transports;
  private ClientConnection[] connections;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    GatewaySettings settings = GatewaySettings.named(CluData.GATEWAY);
    if (replay.equals("off")) {
      settings = settings.toBuilder().replay(0, 0).build();
    } else if (!replay.equals("on")) {
      throw new IllegalArgumentException("unknown replay " + replay);
    }
    CapturingSource source = new CapturingSource();
    gateway = FanoutHarness.startGateway(settings, source, List.of("actors"));
    hub = source.listener();

    Map<String, List<String>> query;
    String sender;
    switch (filter) {
      case "none":
        query = Map.of();
        sender = "lvmecp";
        break;
      case "actors-match":
        query = Map.of("actors", List.of("lvm*"));
        sender = "lvmecp";
        break;
      case "actors-miss":
        query = Map.of("actors", List.of("lvm*"));
        sender = "jaeger";
        break;
      default:
        throw new IllegalArgumentException("unknown filter " + filter);
    }
    transports = new InlineTransport[clients];
    connections = new ClientConnection[clients];
    for (int i = 0; i < clients; i++) {
      transports[i] = new InlineTransport(bh, i);
      connections[i] = gateway.connect(gateway.subscribe(query), transports[i]);
    }
    reply = CluData.reply(gateway.codec().mapper(), sender, 200);
  }

  /** One reply fanned out to every client. */
  @Benchmark
  public void onReply() {
    hub.onReply(reply);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      GatewayStats stats = gateway.stats();
      long replies = stats.repliesIn.sum();
      boolean wanted = !filter.equals("actors-miss");
      long expectedPerClient = wanted ? replies : 0;
      check(stats.framesShed.sum() == 0, "frames were shed");
      check(gateway.hub().clientCount() == clients, "clients were dropped");
      check(
          (gateway.hub().replayableCount() > 0) == replay.equals("on"),
          "the replay ring is not as configured");
      for (ClientConnection connection : connections) {
        check(connection.outbox().shedCount() == 0, "an outbox shed frames");
        check(connection.outbox().queued() == 0, "an outbox still holds frames");
        check(
            connection.outbox().sentCount() == expectedPerClient,
            "a client got "
                + connection.outbox().sentCount()
                + " frames, not "
                + expectedPerClient);
      }
      if (wanted) {
        EncodedFrame last = transports[0].last;
        check(last != null && last.sequence() == replies, "the last frame is missing");
        for (InlineTransport transport : transports) {
          check(transport.last == last, "clients got different frame instances (re-encoded)");
        }
      }
    } finally {
      gateway.close();
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("fan-out benchmark invalid: " + what);
    }
  }
}
