package dev.cluws.bench.jmh;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.cluws.amqp.internal.ReplyParser;
import dev.cluws.bench.jmh.FanoutHarness.CapturingSource;
import dev.cluws.bench.jmh.FanoutHarness.InlineTransport;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.ReplyListener;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
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
 * Measures the whole per-frame path of a reply as the gateway's AMQP source runs it on the delivery
 * thread: an AMQP delivery as amqp-client hands it over (envelope, properties with CLU's headers as
 * {@code LongString}s, the body's bytes) checked and turned into a {@code Reply} ({@link
 * ReplyParser}), then the hub of a real {@link Gateway}: numbering, the replay ring, the current
 * state (the body's keywords), each client's filter chain, the one shared encode and each client's
 * outbox offer and (inline) send. Score = time per reply.
 *
 * <p>Why it matters: one delivery thread runs all of this for every reply, so its cost bounds how
 * close one websocket client gets to what a plain AMQP consumer receives from the same broker
 * (target 1 of issue 12). {@code headers=clu} is a CLU actor's broadcast (the same five headers on
 * every reply); {@code headers=perftest} is RabbitMQ PerfTest's message, whose {@code timestamp}
 * header changes with every message. The body is Python-style JSON text ({@code ", "} and {@code ":
 * "} separators) of about 200 bytes, as CLU's actors publish it.
 *
 * <p>The tear-down checks that every client received every reply, all as the same frame instance.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DeliveryPathBenchmark {

  @Param({"1", "100"})
  int clients;

  @Param({"clu", "perftest"})
  String headers;

  private Gateway gateway;
  private ReplyListener hub;
  private ReplyParser parser;
  private InlineTransport[] transports;
  private ClientConnection[] connections;
  private Envelope envelope;
  private AMQP.BasicProperties[] properties;
  private byte[] body;
  private long delivered;

  @Setup(Level.Trial)
  public void setUp(Blackhole bh) {
    CapturingSource source = new CapturingSource();
    gateway = FanoutHarness.startGateway(GatewaySettings.named(CluData.GATEWAY), source, List.of());
    hub = source.listener();
    parser = new ReplyParser(gateway.codec().mapper().reader());
    transports = new InlineTransport[clients];
    connections = new ClientConnection[clients];
    for (int i = 0; i < clients; i++) {
      transports[i] = new InlineTransport(bh, i);
      connections[i] = gateway.connect(gateway.subscribe(Map.of()), transports[i]);
    }
    envelope = new Envelope(1, false, CluData.EXCHANGE, "reply.broadcast");
    // A few property sets in turn, as a broker delivers them: with PerfTest each differs.
    properties = new AMQP.BasicProperties[16];
    for (int i = 0; i < properties.length; i++) {
      Map<String, Object> table = new LinkedHashMap<>();
      table.put("message_code", LongStringHelper.asLongString("i"));
      table.put("sender", LongStringHelper.asLongString("lvmecp"));
      table.put("internal", false);
      if (headers.equals("clu")) {
        table.put("command_id", null);
        table.put("commander_id", null);
      } else if (headers.equals("perftest")) {
        table.put("timestamp", 1_341_925_522_228L + 1_000L * i);
      } else {
        throw new IllegalArgumentException("unknown headers " + headers);
      }
      properties[i] =
          new AMQP.BasicProperties.Builder()
              .contentType("text/json")
              .headers(table)
              .messageId(String.format("%032x", i))
              .timestamp(new Date(1_795_000_000_000L))
              .build();
    }
    StringBuilder text = new StringBuilder("{\"text\": \"");
    text.append("x".repeat(150)).append("\", \"seq\": 1, \"ts\": 0}");
    body = text.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One delivery, from amqp-client's hand-off to every client's transport. */
  @Benchmark
  public void delivery() {
    ReplyParser.Result result = parser.parse(envelope, properties[(int) (delivered++ & 15)], body);
    hub.onReply(result.reply());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      long replies = gateway.stats().repliesIn.sum();
      check(replies == delivered, "replies were lost before the hub");
      EncodedFrame last = transports[0].last;
      check(last != null && last.sequence() == replies, "the last frame is missing");
      for (int i = 0; i < clients; i++) {
        check(connections[i].outbox().sentCount() == replies, "a client missed frames");
        check(transports[i].last == last, "clients got different frame instances");
      }
    } finally {
      gateway.close();
    }
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("delivery path benchmark invalid: " + what);
    }
  }
}
