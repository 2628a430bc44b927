package dev.cluws.bench.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.bench.jmh.FanoutHarness.CapturingSource;
import dev.cluws.bench.jmh.FanoutHarness.InlineTransport;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * Measures the cost of one reply fanned out by the hub to 100 clients that each hold a distinct
 * subscription, against the same 100 clients without any filter. Score = time per reply, averaged
 * over a mix of twelve replies (several actors, codes, routing keys, bodies; one internal; replies
 * to a command some clients sent), delivered in turn.
 *
 * <p>{@code subscriptions=none}: every client takes every reply unchanged (CLU's behaviour), so the
 * hub encodes each reply once and offers the same frame 100 times. {@code subscriptions=distinct}:
 * client {@code i} combines one of five {@code actors} choices, one of five {@code codes} choices
 * and one of four {@code routing}/{@code keywords} choices (5 × 5 × 4 = 100 distinct subscriptions,
 * from {@code ?routing=reply.#} to {@code ?actors=jaeger,archon&codes=iw&keywords=text}); every
 * seventh client adds {@code own=true} (half of those with {@code own.broadcasts=true}) and every
 * ninth {@code internal=false}. So each reply meets about 285 real filters (from the class path
 * through {@link java.util.ServiceLoader}), {@code keywords} trims bodies (the hub encodes each
 * distinct trimmed body once), and most clients drop most replies.
 *
 * <p>Why it matters: fan-out runs on the AMQP delivery thread, so this cost bounds the reply rate
 * of a gateway whose web pages each follow their own part of the observatory. The design promises
 * filters never re-parse a body per client: the cost per filtered client must stay in the tens of
 * nanoseconds, like the {@code actors} filter's in {@link HubFanoutBenchmark}.
 *
 * <p>The gateway is real (default settings: the replay ring is on, and keeps each reply with the
 * frame the clients that take it unchanged share); the source, the sink and the transports are
 * harness, as in {@link HubFanoutBenchmark}: each transport completes every send at once ({@link
 * Outbox#DIRECT}). Set-up delivers each reply of the mix once and records which clients receive it;
 * the tear-down checks that every client then received exactly the frames that record predicts for
 * the whole run, that nothing was shed or dropped, and (for {@code distinct}) that the
 * subscriptions really differ in what they let through.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SubscriptionFanoutBenchmark {
  /** The command id the {@code own} clients sent (each client tracks its own copy of it). */
  static final String OWN_COMMAND = "0d4c6c1e-8f5b-4f0e-b1a4-7f3e2b9c5a10";

  private static final List<String> ACTORS =
      List.of("", "lvmecp", "lvm*", "jaeger,archon", "*ecp,lvmnps");
  private static final List<String> CODES = List.of("", ":f", "i", ">:fewi!d", "iw");
  private static final List<String[]> THIRD =
      List.of(
          new String[] {"routing", "reply.#"},
          new String[] {"keywords", "text"},
          new String[] {"keywords", "dome_status,status_word"},
          new String[] {"routing", "reply.broadcast,reply.*.lvmecp"});

  @Param({"100"})
  int clients;

  @Param({"none", "distinct"})
  String subscriptions;

  private Gateway gateway;
  private ReplyListener hub;
  private Reply[] mix;
  private long next;
  private ClientConnection[] connections;

  /** {@code accepts[c][r]}: whether client {@code c} receives reply {@code r} of the mix. */
  private boolean[][] accepts;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    CapturingSource source = new CapturingSource();
    gateway =
        FanoutHarness.startGateway(
            GatewaySettings.named(CluData.GATEWAY),
            source,
            List.of("actors", "codes", "own", "internal", "keywords", "routing"));
    hub = source.listener();

    connections = new ClientConnection[clients];
    Set<Map<String, List<String>>> distinct = new HashSet<>();
    for (int i = 0; i < clients; i++) {
      Map<String, List<String>> query = query(i);
      distinct.add(query);
      connections[i] = gateway.connect(gateway.subscribe(query), new InlineTransport(bh, i));
      if (query.containsKey("own") || query.containsKey("own.broadcasts")) {
        connections[i].onText(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"dome move 90\", \"command_id\": \""
                + OWN_COMMAND
                + "\"}");
        check(connections[i].trackedCommands() == 1, "an own client's command is not tracked");
      }
    }
    check(
        subscriptions.equals("none") || distinct.size() == clients,
        "the subscriptions are not distinct");

    mix = mix(gateway.codec().mapper());
    accepts = new boolean[clients][mix.length];
    for (int r = 0; r < mix.length; r++) {
      long[] before = sentCounts();
      onReply();
      long[] after = sentCounts();
      for (int c = 0; c < clients; c++) {
        check(after[c] - before[c] <= 1, "a client got more than one frame for one reply");
        accepts[c][r] = after[c] > before[c];
      }
    }
    checkTheMix();
  }

  /** One reply of the mix (the next in turn) fanned out to every client. */
  @Benchmark
  public void onReply() {
    hub.onReply(mix[(int) (next++ % mix.length)]);
  }

  /** Client {@code i}'s query parameters. */
  private Map<String, List<String>> query(int i) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    if (subscriptions.equals("none")) {
      return query;
    }
    if (!subscriptions.equals("distinct")) {
      throw new IllegalArgumentException("unknown subscriptions " + subscriptions);
    }
    String actors = ACTORS.get(i % ACTORS.size());
    String codes = CODES.get(i / ACTORS.size() % CODES.size());
    String[] third = THIRD.get(i / (ACTORS.size() * CODES.size()) % THIRD.size());
    if (!actors.isEmpty()) {
      query.put("actors", List.of(actors));
    }
    if (!codes.isEmpty()) {
      query.put("codes", List.of(codes));
    }
    query.put(third[0], List.of(third[1]));
    if (i % 7 == 3) {
      query.put("own", List.of("true"));
      if (i % 14 == 3) {
        query.put("own.broadcasts", List.of("true"));
      }
    }
    if (i % 9 == 4) {
      query.put("internal", List.of("false"));
    }
    return query;
  }

  /** Replies as CLU actors publish them, to commands and as broadcasts. */
  private static Reply[] mix(JsonMapper mapper) {
    String own = OWN_COMMAND;
    String other = CluData.COMMAND_ID;
    return new Reply[] {
      reply(mapper, "lvmecp", ">", own, true, "{}"),
      reply(
          mapper,
          "lvmecp",
          "i",
          own,
          false,
          "{\"dome_status\": \"0x10\", \"dome_status_labels\": \"POSITION_UNKNOWN\","
              + " \"moving\": true, \"text\": \"Moving the dome to 90.0 degrees.\"}"),
      reply(
          mapper,
          "lvmnps",
          "i",
          null,
          false,
          "{\"status_word\": 42, \"outlets\": [true, true, false, true, false, false, true, true],"
              + " \"temperature\": 21.5}"),
      reply(
          mapper,
          "jaeger",
          "w",
          other,
          false,
          "{\"text\": \"Robot 512 is disabled.\", \"help\": [\"status\", \"talk\", \"ping\"]}"),
      reply(
          mapper,
          "archon",
          "i",
          null,
          false,
          "{\"dome_status\": \"0x21\", \"status_word\": 7, \"text\": \"Exposing.\","
              + " \"exposure_time\": 900.0}"),
      reply(mapper, "jaeger", ":", other, false, "{\"text\": \"Pong.\"}"),
      reply(
          mapper,
          "lvmnps",
          "f",
          other,
          false,
          "{\"error\": \"Outlet 9 does not exist.\", \"text\": \"Failed.\"}"),
      reply(
          mapper,
          "lvmscp",
          "d",
          other,
          false,
          "{\"controller\": \"sp1\", \"state\": \"IDLE\", \"temperature\": -110.2}"),
      reply(
          mapper,
          "lvmecp",
          "i",
          null,
          false,
          "{\"dome_status\": \"0x10\", \"dome_status_labels\": \"POSITION_UNKNOWN\","
              + " \"status_word\": 16}"),
      reply(
          mapper,
          "jaeger",
          "i",
          null,
          false,
          "{\"text\": \"Positioners folded.\", \"status_word\": 3, \"n_robots\": 500}"),
      reply(
          mapper,
          "lvmecp",
          ":",
          other,
          false,
          "{\"dome_status\": \"0x10\", \"text\": \"Dome at 90.0 degrees.\"}"),
      reply(
          mapper,
          "archon",
          ":",
          other,
          false,
          "{\"status_word\": 8, \"text\": \"Exposure done.\","
              + " \"filename\": \"sdR-0042.fits\"}"),
    };
  }

  private static Reply reply(
      JsonMapper mapper,
      String sender,
      String code,
      String commandId,
      boolean internal,
      String body) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, commandId);
    headers.put(Reply.COMMANDER_ID, commandId == null ? null : CluData.COMMANDER + "." + sender);
    headers.put(Reply.INTERNAL, internal);
    headers.put(Reply.MESSAGE_CODE, code);
    headers.put(Reply.SENDER, sender);
    String routingKey =
        commandId == null ? "reply.broadcast" : "reply." + CluData.COMMANDER + "." + sender;
    try {
      return new Reply(
          headers,
          CluData.EXCHANGE,
          routingKey,
          "2fd4ae6ca62b462585b873ba35ba2d18",
          commandId,
          Instant.parse("2026-11-24T01:26:43Z"),
          mapper.readTree(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** With filters, the subscriptions must differ in what they let through, and all let some. */
  private void checkTheMix() {
    int receiving = 0;
    Set<String> patterns = new HashSet<>();
    List<Map<String, List<String>>> silent = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      boolean[] row = accepts[c];
      StringBuilder pattern = new StringBuilder();
      boolean any = false;
      for (boolean accepted : row) {
        pattern.append(accepted ? '1' : '0');
        any |= accepted;
      }
      patterns.add(pattern.toString());
      receiving += any ? 1 : 0;
      if (!any) {
        silent.add(query(c));
      }
    }
    if (subscriptions.equals("none")) {
      check(
          patterns.equals(Set.of("1".repeat(mix.length))),
          "a client without filters missed a reply");
    } else {
      check(patterns.size() >= 20, "only " + patterns.size() + " distinct delivery patterns");
      check(
          receiving >= clients * 9 / 10,
          "only " + receiving + " clients receive anything: " + silent);
    }
  }

  private long[] sentCounts() {
    long[] counts = new long[connections.length];
    for (int c = 0; c < connections.length; c++) {
      counts[c] = connections[c].outbox().sentCount();
    }
    return counts;
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      GatewayStats stats = gateway.stats();
      check(stats.repliesIn.sum() == next, "the hub did not get every reply");
      check(stats.framesShed.sum() == 0, "frames were shed");
      check(stats.filterErrors.sum() == 0, "a filter failed");
      check(gateway.hub().clientCount() == clients, "clients were dropped");
      long[] counts = sentCounts();
      for (int c = 0; c < clients; c++) {
        long expected = 0;
        for (int r = 0; r < mix.length; r++) {
          long times = next / mix.length + (r < next % mix.length ? 1 : 0);
          expected += accepts[c][r] ? times : 0;
        }
        check(connections[c].outbox().shedCount() == 0, "an outbox shed frames");
        check(connections[c].outbox().queued() == 0, "an outbox still holds frames");
        check(
            counts[c] == expected,
            "client " + c + " got " + counts[c] + " frames, not " + expected);
      }
    } finally {
      gateway.close();
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("subscription fan-out benchmark invalid: " + what);
    }
  }
}
