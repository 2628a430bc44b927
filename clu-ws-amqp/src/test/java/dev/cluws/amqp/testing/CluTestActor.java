package dev.cluws.amqp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A CLU actor for tests, speaking the protocol the way a real CLU actor does: it declares the
 * exchange like CLU, an exclusive {@code <name>_commands} queue bound to {@code command.<name>.#},
 * and answers on {@code reply.<commander_id>}:
 *
 * <ul>
 *   <li>{@code ping}: {@code >} with {@code internal: true} and body {@code {}}, then {@code :} with
 *       {@code {"text": "Pong."}};
 *   <li>{@code status}: {@code >}, {@code i} with {@code {"status_word": 42}}, then {@code :};
 *   <li>anything else: {@code >}, {@code w} with {@code {"help": [...]}}, then {@code f} with an
 *       error.
 * </ul>
 *
 * It records every command it receives, and can publish broadcasts and raw messages.
 */
public final class CluTestActor implements AutoCloseable {

  /** A command as the actor received it. */
  public record ReceivedCommand(String routingKey, AMQP.BasicProperties properties, JsonNode body) {
    public Object header(String name) {
      Map<String, Object> headers = properties.getHeaders();
      Object value = headers == null ? null : headers.get(name);
      return value instanceof com.rabbitmq.client.LongString ? value.toString() : value;
    }
  }

  private final String name;
  private final String exchange;
  private final Connection connection;
  private final Channel channel;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final List<ReceivedCommand> received = new CopyOnWriteArrayList<>();

  private CluTestActor(String name, String exchange, Connection connection, Channel channel) {
    this.name = name;
    this.exchange = exchange;
    this.connection = connection;
    this.channel = channel;
  }

  /** Starts an actor called {@code name} on {@code exchange}. */
  public static CluTestActor start(String exchange, String name) {
    Connection connection = TestBroker.connect(name);
    try {
      Channel channel = connection.createChannel();
      TestBroker.declareExchange(channel, exchange);
      String queue = name + "_commands";
      channel.queueDeclare(queue, false, true, true, null);
      channel.queueBind(queue, exchange, "command." + name + ".#");
      CluTestActor actor = new CluTestActor(name, exchange, connection, channel);
      channel.basicConsume(queue, true, actor.new Commands(channel));
      return actor;
    } catch (IOException e) {
      try {
        connection.close();
      } catch (IOException ignored) {
        // failing already
      }
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public List<ReceivedCommand> received() {
    return List.copyOf(received);
  }

  /** Publishes a broadcast reply (routing key {@code reply.broadcast}, code {@code i}). */
  public void broadcast(Map<String, ?> keywords) {
    reply("i", null, null, mapper.valueToTree(keywords), false, "reply.broadcast");
  }

  /** Publishes a raw message on the exchange, for invalid-reply tests. */
  public void publishRaw(String routingKey, AMQP.BasicProperties props, byte[] body) {
    try {
      synchronized (channel) {
        channel.basicPublish(exchange, routingKey, props, body);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Publishes one reply the way a CLU actor does. */
  public void reply(
      String code,
      String commandId,
      String commanderId,
      JsonNode body,
      boolean internal,
      String routingKey) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("message_code", code);
    headers.put("commander_id", commanderId);
    headers.put("command_id", commandId);
    headers.put("sender", name);
    headers.put("internal", internal);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId(commandId)
            .messageId(UUID.randomUUID().toString().replace("-", ""))
            .timestamp(new Date())
            .headers(headers)
            .build();
    try {
      publishRaw(routingKey, props, mapper.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private final class Commands extends DefaultConsumer {
    Commands(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
      JsonNode json;
      try {
        json = mapper.readTree(new String(body, StandardCharsets.UTF_8));
      } catch (IOException e) {
        return;
      }
      ReceivedCommand command = new ReceivedCommand(envelope.getRoutingKey(), props, json);
      received.add(command);
      String commandId = props.getCorrelationId();
      String commanderId = String.valueOf(command.header("commander_id"));
      String routingKey = "reply." + commanderId;
      String commandString = json.path("command_string").asText();
      reply(">", commandId, commanderId, mapper.createObjectNode(), true, routingKey);
      switch (commandString) {
        case "ping":
          reply(":", commandId, commanderId, text("Pong."), false, routingKey);
          break;
        case "status":
          ObjectNode status = mapper.createObjectNode().put("status_word", 42);
          reply("i", commandId, commanderId, status, false, routingKey);
          reply(":", commandId, commanderId, mapper.createObjectNode(), false, routingKey);
          break;
        default:
          ObjectNode help = mapper.createObjectNode();
          help.putArray("help").add("ping").add("status");
          reply("w", commandId, commanderId, help, false, routingKey);
          ObjectNode error =
              mapper.createObjectNode().put("error", "Command '" + commandString + "' failed.");
          reply("f", commandId, commanderId, error, false, routingKey);
      }
    }

    private ObjectNode text(String text) {
      return mapper.createObjectNode().put("text", text);
    }
  }

  @Override
  public void close() {
    try {
      connection.close(2000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
