package dev.cluws.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import dev.cluws.core.spi.CluIds;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A CLU actor for tests, speaking the actor's side of CLU's protocol on its own AMQP connection
 * (written on the RabbitMQ client alone, sharing no code with the gateway): it declares the
 * exchange as CLU does (topic, non-durable, auto-delete), an exclusive {@code <name>_commands}
 * queue bound to {@code command.<name>.#}, and answers each command on {@code
 * reply.<commander_id>}, first with {@code >} marked internal and body {@code {}}, then:
 *
 * <ul>
 *   <li>{@code ping}: {@code :} with {@code {"text": "Pong."}};
 *   <li>{@code status}: {@code i} with {@code {"status_word": 42}}, then {@code :};
 *   <li>{@code hold}: nothing more (the test answers for the actor with {@link #reply(
 *       ReceivedCommand, String, Map)});
 *   <li>anything else: {@code w} with {@code {"help": ["ping", "status"]}}, then {@code f} with
 *       {@code {"error": "Command '<command>' failed."}};
 *   <li>a command whose body is not a JSON object: {@code f} with an {@code error};
 *   <li>a command a test gave a handler ({@link #on}): what the handler answers.
 * </ul>
 *
 * Every reply carries CLU's headers ({@code message_code}, {@code commander_id}, {@code
 * command_id}, {@code sender}, {@code internal}), the command id as correlation id, content type
 * {@code text/json}, a message id and a timestamp. The actor records every command it receives, and
 * {@link #broadcast(Map) broadcasts} replies with any keywords. Closing it closes its connection,
 * which removes its queue.
 *
 * <pre>{@code
 * try (CluTestActor actor = CluTestActor.start(exchange, TestBroker.uniqueName("actor"))) {
 *   actor.broadcast(Map.of("temperature", 12.5));
 * }
 * }</pre>
 */
public final class CluTestActor implements AutoCloseable {
  /** The routing key of replies that answer no command. */
  public static final String BROADCAST = "reply.broadcast";

  /** A command as the actor received it. */
  public record ReceivedCommand(String routingKey, AMQP.BasicProperties properties, JsonNode body) {
    /** One AMQP header, with AMQP long strings as {@link String}s; null if absent. */
    public @Nullable Object header(String name) {
      Map<String, Object> headers = properties.getHeaders();
      Object value = headers == null ? null : headers.get(name);
      return value instanceof LongString ? value.toString() : value;
    }

    /** The command string, e.g. {@code "status"}; empty when the body has none. */
    public String commandString() {
      return body.path("command_string").asText("");
    }

    /** The command id: the correlation id, as CLU replies with it; null when absent. */
    public @Nullable String commandId() {
      return properties.getCorrelationId();
    }

    /** Who sent the command ({@code <client name>.<actor>}), or null when not given. */
    public @Nullable String commanderId() {
      Object value = header(Reply.COMMANDER_ID);
      return value == null ? null : value.toString();
    }

    /** Where replies go: {@code reply.<commander_id>}, or {@link #BROADCAST} without one. */
    public String replyRoutingKey() {
      String commanderId = commanderId();
      return commanderId == null ? BROADCAST : "reply." + commanderId;
    }
  }

  private final Connection connection;
  private final Channel channel;
  private final String exchange;
  private final String name;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final List<ReceivedCommand> received = new CopyOnWriteArrayList<>();
  private final Map<String, Consumer<ReceivedCommand>> handlers = new ConcurrentHashMap<>();
  private final Object lock = new Object();

  private CluTestActor(Connection connection, Channel channel, String exchange, String name) {
    this.connection = connection;
    this.channel = channel;
    this.exchange = exchange;
    this.name = name;
  }

  /** Starts an actor called {@code name} on {@code exchange} of {@link TestBroker}. */
  public static CluTestActor start(String exchange, String name) {
    return start(TestBroker.factory(), exchange, name);
  }

  /**
   * Starts an actor called {@code name} on {@code exchange} of the broker {@code factory} reaches.
   */
  public static CluTestActor start(ConnectionFactory factory, String exchange, String name) {
    Connection connection = TestBroker.connect(factory, name);
    try {
      Channel channel = connection.createChannel();
      channel.confirmSelect(); // for awaitPublished
      TestBroker.declareExchange(channel, exchange);
      String queue = name + "_commands";
      channel.queueDeclare(queue, false, true, true, null);
      channel.queueBind(queue, exchange, "command." + name + ".#");
      CluTestActor actor = new CluTestActor(connection, channel, exchange, name);
      channel.basicConsume(queue, false, actor.new Commands());
      return actor;
    } catch (IOException | RuntimeException e) {
      try {
        connection.abort(2000);
      } catch (RuntimeException ignored) {
        // failing already
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** The actor's name: the {@code sender} of its replies and the consumer of its commands. */
  public String name() {
    return name;
  }

  /** The exchange the actor is on. */
  public String exchange() {
    return exchange;
  }

  /**
   * Answers the commands whose first word is {@code verb} with {@code handler} instead of the
   * actor's own script: after the actor's {@code >}, the handler gets the command on the actor's
   * AMQP thread and answers it with {@link #reply(ReceivedCommand, String, Map)}, at once or later
   * from any thread. A handler that throws fails the command ({@code f} with an {@code error}).
   * Register handlers before the commands are sent.
   *
   * @return this actor
   */
  public CluTestActor on(String verb, Consumer<ReceivedCommand> handler) {
    handlers.put(verb, handler);
    return this;
  }

  /** Every command received so far, in order. */
  public List<ReceivedCommand> received() {
    return List.copyOf(received);
  }

  /** Publishes a broadcast reply (routing key {@code reply.broadcast}, code {@code i}). */
  public void broadcast(Map<String, ?> keywords) {
    broadcast("i", keywords);
  }

  /** Publishes a broadcast reply with this code (e.g. {@code w}, {@code e}) and keywords. */
  public void broadcast(String code, Map<String, ?> keywords) {
    reply(code, null, null, mapper.valueToTree(keywords), false, BROADCAST);
  }

  /** Answers a received command (a {@code hold}, say) as the actor would. */
  public void reply(ReceivedCommand command, String code, Map<String, ?> keywords) {
    reply(
        code,
        command.commandId(),
        command.commanderId(),
        mapper.valueToTree(keywords),
        false,
        command.replyRoutingKey());
  }

  /**
   * Publishes one reply the way a CLU actor does.
   *
   * @param code the message code ({@code >}, {@code :}, {@code f}, {@code i}, ...)
   * @param commandId the command id (also the correlation id), or null
   * @param commanderId the commander id, or null
   * @param body the keywords, a JSON object
   * @param internal whether the reply is internal (CLU marks the first {@code >} so)
   * @param routingKey {@code reply.<commander_id>} or {@code reply.broadcast}
   */
  public void reply(
      String code,
      @Nullable String commandId,
      @Nullable String commanderId,
      JsonNode body,
      boolean internal,
      String routingKey) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.MESSAGE_CODE, code);
    headers.put(Reply.COMMANDER_ID, commanderId);
    headers.put(Reply.COMMAND_ID, commandId);
    headers.put(Reply.SENDER, name);
    headers.put(Reply.INTERNAL, internal);
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId(commandId)
            .messageId(CluIds.newMessageId())
            .timestamp(new Date())
            .headers(headers)
            .build();
    try {
      publishRaw(routingKey, properties, mapper.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits (at most 10 s) until the broker has taken every message this actor published so far: each
   * is in every queue and stream it was routed to.
   */
  public void awaitPublished() {
    try {
      synchronized (lock) {
        channel.waitForConfirmsOrDie(10_000);
      }
    } catch (IOException | TimeoutException e) {
      throw new IllegalStateException(
          "the broker did not take what actor " + name + " published", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Publishes a message as it is on the exchange (a malformed reply, say). */
  public void publishRaw(String routingKey, AMQP.BasicProperties properties, byte[] body) {
    try {
      synchronized (lock) {
        channel.basicPublish(exchange, routingKey, properties, body);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("actor " + name + " cannot publish", e);
    }
  }

  private void answer(ReceivedCommand command) {
    String commandString = command.commandString();
    reply(">", command, mapper.createObjectNode(), true);
    Consumer<ReceivedCommand> handler = handlers.get(commandString.trim().split("\\s+", 2)[0]);
    if (handler != null) {
      try {
        handler.accept(command);
      } catch (RuntimeException e) {
        reply("f", command, mapper.createObjectNode().put("error", e.toString()), false);
      }
      return;
    }
    switch (commandString) {
      case "ping":
        reply(":", command, mapper.createObjectNode().put("text", "Pong."), false);
        break;
      case "status":
        reply("i", command, mapper.createObjectNode().put("status_word", 42), false);
        reply(":", command, mapper.createObjectNode(), false);
        break;
      case "hold":
        break; // running, and never finished: the test answers for the actor
      default:
        ObjectNode help = mapper.createObjectNode();
        help.putArray("help").add("ping").add("status");
        reply("w", command, help, false);
        String error = "Command '" + commandString + "' failed.";
        reply("f", command, mapper.createObjectNode().put("error", error), false);
    }
  }

  private void reply(String code, ReceivedCommand command, JsonNode body, boolean internal) {
    reply(
        code,
        command.commandId(),
        command.commanderId(),
        body,
        internal,
        command.replyRoutingKey());
  }

  @Override
  public void close() {
    try {
      connection.close(2000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }

  private final class Commands extends DefaultConsumer {
    Commands() {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
        throws IOException {
      JsonNode json;
      try {
        json = mapper.readTree(body);
      } catch (IOException e) {
        json = null;
      }
      if (json == null || !json.isObject()) {
        ReceivedCommand bad =
            new ReceivedCommand(envelope.getRoutingKey(), properties, mapper.createObjectNode());
        received.add(bad);
        reply("f", bad, mapper.createObjectNode().put("error", "not a JSON object"), false);
      } else {
        ReceivedCommand command = new ReceivedCommand(envelope.getRoutingKey(), properties, json);
        received.add(command);
        answer(command);
      }
      synchronized (lock) {
        channel.basicAck(envelope.getDeliveryTag(), false);
      }
    }
  }
}
