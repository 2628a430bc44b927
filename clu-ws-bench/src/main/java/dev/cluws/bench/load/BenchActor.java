package dev.cluws.bench.load;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * A minimal CLU actor for round trips: it declares the exchange as CLU does (topic, non-durable,
 * auto-delete) and an exclusive {@code <name>_commands} queue bound to {@code command.<name>.#},
 * and answers every command at once as a CLU actor answers {@code ping}: a {@code >} reply with
 * header {@code internal} true and body {@code {}}, then a {@code :} reply with body {@code
 * {"text": "Pong."}}, both on {@code reply.<commander_id>}, correlation id = command id, with CLU's
 * headers. It measures its own time per command (delivery to publish done), so a round trip can be
 * split into actor and transport.
 */
final class BenchActor implements AutoCloseable {
  private static final byte[] EMPTY_BODY = "{}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] PONG_BODY = "{\"text\": \"Pong.\"}".getBytes(StandardCharsets.UTF_8);

  private final String name;
  private final Connection connection;
  private final LongAdder commands = new LongAdder();
  private final LongAdder unanswerable = new LongAdder();
  private final Object timesLock = new Object();
  private Histogram nanos = new Histogram();

  private BenchActor(String name, Connection connection) {
    this.name = name;
    this.connection = connection;
  }

  static BenchActor start(BrokerSettings broker, String exchange, String name) {
    Connection connection = broker.connect(name + " (bench actor)");
    BenchActor actor = new BenchActor(name, connection);
    try {
      Channel channel = connection.createChannel();
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      String queue = name + "_commands";
      channel.queueDeclare(queue, false, true, true, null);
      channel.queueBind(queue, exchange, "command." + name + ".#");
      channel.basicConsume(queue, true, actor.new Commands(channel, exchange));
    } catch (IOException e) {
      actor.close();
      throw new UncheckedIOException(e);
    }
    return actor;
  }

  String name() {
    return name;
  }

  long commands() {
    return commands.sum();
  }

  /** Commands without a commander id or command id (not answered). */
  long unanswerable() {
    return unanswerable.sum();
  }

  /** The actor's own time per command since the last call, in nanoseconds; starts a new record. */
  Histogram takeTimes() {
    synchronized (timesLock) {
      Histogram taken = nanos;
      nanos = new Histogram();
      return taken;
    }
  }

  private final class Commands extends DefaultConsumer {
    private final String exchange;
    private final long idPrefix = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private long replies;

    Commands(Channel channel, String exchange) {
      super(channel);
      this.exchange = exchange;
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      long start = System.nanoTime();
      commands.increment();
      Map<String, Object> in = props.getHeaders() == null ? new HashMap<>() : props.getHeaders();
      Object commanderId = in.get("commander_id");
      String commandId = props.getCorrelationId();
      if (commanderId == null || commandId == null) {
        unanswerable.increment();
        return;
      }
      try {
        // As a CLU actor answers ping: ">" (internal) with {}, then ":" with the answer.
        reply(commanderId.toString(), commandId, ">", true, EMPTY_BODY);
        reply(commanderId.toString(), commandId, ":", false, PONG_BODY);
      } catch (IOException | RuntimeException e) {
        unanswerable.increment();
        return;
      }
      long took = System.nanoTime() - start;
      synchronized (timesLock) {
        nanos.record(took);
      }
    }

    private void reply(
        String commanderId, String commandId, String code, boolean internal, byte[] body)
        throws IOException {
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put("message_code", code);
      headers.put("commander_id", commanderId);
      headers.put("command_id", commandId);
      headers.put("sender", name);
      headers.put("internal", internal);
      getChannel()
          .basicPublish(
              exchange,
              "reply." + commanderId,
              BenchMessages.replyProperties(
                  headers, BenchMessages.messageId(idPrefix, replies++), commandId),
              body);
    }
  }

  @Override
  public void close() {
    try {
      connection.close(2_000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
