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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The round-trip baseline: a plain AMQP client commanding the actor the way a CLU client does
 * (exclusive {@code <name>_replies} queue bound to {@code reply.#}; commands on {@code
 * command.<actor>} with CLU's properties and headers, {@code mandatory}, on a confirm channel), one
 * command at a time, the next sent from the delivery of the previous one's {@code :}.
 */
final class DirectCommander {

  /** What the direct round trips measured. */
  record Result(
      Histogram latencyMicros, long answered, long unanswered, double commandsPerSecond) {}

  private DirectCommander() {}

  static Result run(
      BrokerSettings broker,
      String exchange,
      String actor,
      String name,
      int warmup,
      int measured,
      Duration timeout) {
    Connection connection = broker.connect(name + " (direct commander)");
    try {
      Channel consume = connection.createChannel();
      Channel publish = connection.createChannel();
      publish.confirmSelect();
      consume.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      String queue = name + "_replies";
      consume.queueDeclare(queue, false, true, true, null);
      consume.queueBind(queue, exchange, "reply.#");
      Chain chain = new Chain(consume, publish, exchange, actor, name, warmup, measured);
      consume.basicConsume(queue, true, chain);
      chain.sendNext();
      try {
        chain.done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // counted as unanswered below
      }
      long answered = chain.answered;
      double seconds = (chain.lastNanos - chain.firstNanos) / 1e9;
      return new Result(
          chain.latency, answered, measured - answered, seconds > 0 ? answered / seconds : 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("direct round trips failed", e.getCause());
    } finally {
      try {
        connection.close(2_000);
      } catch (IOException | RuntimeException e) {
        // already closed
      }
    }
  }

  private static final class Chain extends DefaultConsumer {
    private static final byte[] PING =
        "{\"command_string\": \"ping\"}".getBytes(StandardCharsets.UTF_8);
    private final Channel publish;
    private final String exchange;
    private final String actor;
    private final String name;
    private final int warmup;
    private final int measured;
    private final Histogram latency = new Histogram();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile String currentId;
    private volatile long answered;
    private int next;
    private long sentNanos;
    private volatile long firstNanos;
    private volatile long lastNanos;

    Chain(
        Channel consume,
        Channel publish,
        String exchange,
        String actor,
        String name,
        int warmup,
        int measured) {
      super(consume);
      this.publish = publish;
      this.exchange = exchange;
      this.actor = actor;
      this.name = name;
      this.warmup = warmup;
      this.measured = measured;
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      String id = currentId;
      Object code = props.getHeaders() == null ? null : props.getHeaders().get("message_code");
      if (id == null || !id.equals(props.getCorrelationId()) || code == null) {
        return;
      }
      String c = code.toString();
      if (!c.equals(":") && !c.equals("f")) {
        return;
      }
      long now = System.nanoTime();
      if (next - 1 >= warmup && c.equals(":")) {
        latency.record((now - sentNanos) / 1_000);
        lastNanos = now;
        answered = answered + 1;
      }
      sendNext();
    }

    synchronized void sendNext() {
      int index = next;
      if (index >= warmup + measured) {
        currentId = null;
        done.complete(null);
        return;
      }
      String id = name + "-" + index;
      currentId = id;
      next = index + 1;
      Map<String, Object> headers = new LinkedHashMap<>();
      headers.put("command_id", id);
      headers.put("commander_id", name + "." + actor);
      headers.put("internal", false);
      headers.put("write_to_log", true);
      AMQP.BasicProperties props =
          new AMQP.BasicProperties.Builder()
              .contentType("text/json")
              .correlationId(id)
              .replyTo(name + "_replies")
              .headers(headers)
              .build();
      sentNanos = System.nanoTime();
      if (index == warmup) {
        firstNanos = sentNanos;
      }
      try {
        publish.basicPublish(exchange, "command." + actor, true, props, PING);
      } catch (IOException | RuntimeException e) {
        done.completeExceptionally(e);
      }
    }
  }
}
