package dev.cluws.amqp.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.actor.ActorChannel;
import dev.cluws.amqp.actor.ActorCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A CLU actor for tests, speaking the protocol the way a real CLU actor does (through {@link
 * ActorChannel}): it declares the exchange like CLU, an exclusive {@code <name>_commands} queue
 * bound to {@code command.<name>.#}, and answers on {@code reply.<commander_id>}:
 *
 * <ul>
 *   <li>{@code ping}: {@code >} with {@code internal: true} and body {@code {}}, then {@code :}
 *       with {@code {"text": "Pong."}};
 *   <li>{@code status}: {@code >}, {@code i} with {@code {"status_word": 42}}, then {@code :};
 *   <li>{@code hold}: {@code >} and nothing more (a test answers for the actor with {@link
 *       #reply});
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
      return ActorCommand.header(properties, name);
    }
  }

  private final Connection connection;
  private final ActorChannel actor;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final List<ReceivedCommand> received = new CopyOnWriteArrayList<>();

  private CluTestActor(Connection connection, ActorChannel actor) {
    this.connection = connection;
    this.actor = actor;
  }

  /** Starts an actor called {@code name} on {@code exchange}. */
  public static CluTestActor start(String exchange, String name) {
    Connection connection = TestBroker.connect(name);
    try {
      ActorChannel channel = ActorChannel.declare(connection.createChannel(), exchange, name);
      CluTestActor actor = new CluTestActor(connection, channel);
      channel.consume(0, Runnable::run, actor::answer);
      return actor;
    } catch (IOException | RuntimeException e) {
      try {
        connection.close();
      } catch (IOException | RuntimeException ignored) {
        // failing already
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  public String name() {
    return actor.name();
  }

  public List<ReceivedCommand> received() {
    return List.copyOf(received);
  }

  /** Publishes a broadcast reply (routing key {@code reply.broadcast}, code {@code i}). */
  public void broadcast(Map<String, ?> keywords) {
    actor.broadcast("i", mapper.valueToTree(keywords));
  }

  /** Publishes a raw message on the exchange, for invalid-reply tests. */
  public void publishRaw(String routingKey, AMQP.BasicProperties props, byte[] body) {
    actor.publish(routingKey, props, body);
  }

  /** Publishes one reply the way a CLU actor does. */
  public void reply(
      String code,
      String commandId,
      String commanderId,
      JsonNode body,
      boolean internal,
      String routingKey) {
    actor.publishReply(code, commandId, commanderId, body, internal, routingKey);
  }

  private void answer(ActorCommand command) {
    received.add(new ReceivedCommand(command.routingKey(), command.properties(), command.body()));
    String commandString = command.commandString();
    actor.reply(command, ">", mapper.createObjectNode(), true);
    switch (commandString) {
      case "ping":
        actor.reply(command, ":", mapper.createObjectNode().put("text", "Pong."));
        break;
      case "status":
        actor.reply(command, "i", mapper.createObjectNode().put("status_word", 42));
        actor.reply(command, ":", mapper.createObjectNode());
        break;
      case "hold":
        break; // running, and never finished: the test answers for the actor with reply()
      default:
        ObjectNode help = mapper.createObjectNode();
        help.putArray("help").add("ping").add("status");
        actor.reply(command, "w", help);
        String error = "Command '" + commandString + "' failed.";
        actor.reply(command, "f", mapper.createObjectNode().put("error", error));
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
