package dev.cluws.amqp.actor;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import dev.cluws.core.spi.Reply;
import java.util.Map;

/**
 * A command as an actor receives it on {@code command.<actor>}: the routing key, the AMQP
 * properties (correlation id = command id, headers {@code command_id}, {@code commander_id}, ...)
 * and the parsed JSON body ({@code {"command_string": "..."}}).
 *
 * @param routingKey the routing key as delivered, e.g. {@code command.demo}
 * @param properties the AMQP properties of the message
 * @param body the parsed JSON body
 */
public record ActorCommand(String routingKey, AMQP.BasicProperties properties, JsonNode body) {

  /** The command string, e.g. {@code "status"}; empty when the body has none. */
  public String commandString() {
    return body.path("command_string").asText("");
  }

  /** The command id: the correlation id, as CLU replies with it; {@code null} when absent. */
  public String commandId() {
    return properties.getCorrelationId();
  }

  /** Who sent the command ({@code <client name>.<actor>}), or {@code null} when not given. */
  public String commanderId() {
    Object value = header(Reply.COMMANDER_ID);
    return value == null ? null : value.toString();
  }

  /**
   * Where replies to this command go: {@code reply.<commander_id>}, or {@code reply.broadcast} for
   * a command without a commander.
   */
  public String replyRoutingKey() {
    String commanderId = commanderId();
    return commanderId == null ? ActorChannel.BROADCAST : "reply." + commanderId;
  }

  /** One AMQP header of the command, with AMQP long strings as {@link String}s. */
  public Object header(String name) {
    return header(properties, name);
  }

  /** One AMQP header of a message, with AMQP long strings as {@link String}s; null if absent. */
  public static Object header(AMQP.BasicProperties properties, String name) {
    Map<String, Object> headers = properties.getHeaders();
    Object value = headers == null ? null : headers.get(name);
    return value instanceof LongString ? value.toString() : value;
  }
}
