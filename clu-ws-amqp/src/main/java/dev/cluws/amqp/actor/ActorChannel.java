package dev.cluws.amqp.actor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluIds;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CLU actor's end of the exchange, on an AMQP channel the caller owns (closing the channel or
 * its connection removes the actor's queue). Speaks the actor side of CLU's protocol:
 *
 * <ul>
 *   <li>{@link #declare} declares the exchange exactly as CLU does (topic, non-durable,
 *       auto-delete) and the actor's exclusive queue {@code <name>_commands}, bound with {@code
 *       command.<name>.#};
 *   <li>{@link #consume} hands each command to a handler as an {@link ActorCommand};
 *   <li>{@link #reply} answers a command on {@code reply.<commander_id>}, {@link #broadcast}
 *       publishes on {@code reply.broadcast}. Every reply has the headers {@code message_code},
 *       {@code commander_id}, {@code command_id}, {@code sender} and {@code internal}, the command
 *       id as correlation id, content type {@code text/json}, a message id and a timestamp.
 * </ul>
 *
 * <p>Publishing and acknowledging are serialised on this object, so any thread may reply.
 */
public final class ActorChannel {
  private static final Logger log = LoggerFactory.getLogger(ActorChannel.class);

  /** The routing key of replies that answer no command. */
  public static final String BROADCAST = "reply.broadcast";

  private final Channel channel;
  private final String exchange;
  private final String name;
  private final JsonMapper mapper = JsonMappers.newMapper();
  private final Object lock = new Object();

  private ActorChannel(Channel channel, String exchange, String name) {
    this.channel = channel;
    this.exchange = exchange;
    this.name = name;
  }

  /**
   * Declares the exchange and the actor's commands queue on {@code channel}.
   *
   * @throws CluWsException when another actor of that name holds the queue on this broker, or the
   *     exchange exists with other flags than CLU's
   * @throws BrokerUnavailableException when the broker cannot be reached
   */
  public static ActorChannel declare(Channel channel, String exchange, String name) {
    String queue = queueName(name);
    try {
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      channel.queueDeclare(queue, false, true, true, null);
      channel.queueBind(queue, exchange, "command." + name + ".#");
    } catch (IOException | ShutdownSignalException e) {
      String reason = Connections.reason(e);
      if (reason.contains("RESOURCE_LOCKED")) {
        throw new CluWsException(
            "the queue "
                + queue
                + " is in use: an actor named '"
                + name
                + "' is already running on this broker");
      }
      if (reason.contains("PRECONDITION_FAILED")) {
        throw new CluWsException(
            "exchange '"
                + exchange
                + "' exists with other flags than CLU's (topic, non-durable, auto-delete): "
                + reason);
      }
      throw new BrokerUnavailableException("cannot declare the queue " + queue + ": " + reason, e);
    }
    return new ActorChannel(channel, exchange, name);
  }

  /** The queue an actor called {@code name} consumes its commands from. */
  public static String queueName(String name) {
    return name + "_commands";
  }

  /** The actor's name: the {@code sender} of its replies. */
  public String name() {
    return name;
  }

  /** The exchange the actor is on. */
  public String exchange() {
    return exchange;
  }

  /**
   * Starts consuming commands. Each command is parsed on the AMQP thread and handed to {@code
   * handler} through {@code executor} ({@code Runnable::run} handles it on the AMQP thread), then
   * acknowledged. With {@code prefetch > 0} the broker delivers at most that many commands before
   * their acknowledgements, which bounds the executor's queue.
   *
   * <p>A command whose body is not JSON, or whose handler throws, is answered with {@code f} and an
   * {@code error} keyword, as CLU does.
   *
   * @throws BrokerUnavailableException when the channel is closed
   */
  public void consume(int prefetch, Executor executor, Consumer<ActorCommand> handler) {
    try {
      if (prefetch > 0) {
        channel.basicQos(prefetch);
      }
      channel.basicConsume(queueName(name), false, new Commands(executor, handler));
    } catch (IOException | ShutdownSignalException e) {
      throw new BrokerUnavailableException(
          "cannot consume " + queueName(name) + ": " + Connections.reason(e), e);
    }
  }

  /** Publishes a reply to {@code command} (not internal) on {@code reply.<commander_id>}. */
  public void reply(ActorCommand command, String code, JsonNode body) {
    reply(command, code, body, false);
  }

  /** Publishes a reply to {@code command} on {@code reply.<commander_id>}. */
  public void reply(ActorCommand command, String code, JsonNode body, boolean internal) {
    publishReply(
        code,
        command.commandId(),
        command.commanderId(),
        body,
        internal,
        command.replyRoutingKey());
  }

  /** Publishes a reply to no command, on {@code reply.broadcast}. */
  public void broadcast(String code, JsonNode body) {
    publishReply(code, null, null, body, false, BROADCAST);
  }

  /**
   * Publishes one reply the way a CLU actor does.
   *
   * @param code the message code ({@code >}, {@code :}, {@code f}, {@code i}, ...)
   * @param commandId the command id (also the correlation id), or {@code null}
   * @param commanderId the commander id, or {@code null}
   * @param body the keywords, a JSON object
   * @param internal whether the reply is internal (CLU marks the first {@code >} so)
   * @param routingKey {@code reply.<commander_id>} or {@code reply.broadcast}
   * @throws BrokerUnavailableException when the channel is closed
   */
  public void publishReply(
      String code,
      String commandId,
      String commanderId,
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
    byte[] bytes;
    try {
      bytes = mapper.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new CluWsException("cannot write reply body: " + e.getMessage(), e);
    }
    publish(routingKey, properties, bytes);
  }

  /**
   * Publishes a message as it is on the actor's exchange (for messages that are not replies, or
   * deliberately malformed ones).
   *
   * @throws BrokerUnavailableException when the channel is closed
   */
  public void publish(String routingKey, AMQP.BasicProperties properties, byte[] body) {
    try {
      synchronized (lock) {
        channel.basicPublish(exchange, routingKey, properties, body);
      }
    } catch (IOException | ShutdownSignalException e) {
      throw new BrokerUnavailableException(
          "actor " + name + " cannot publish: " + Connections.reason(e), e);
    }
  }

  private void ack(long deliveryTag) {
    try {
      synchronized (lock) {
        channel.basicAck(deliveryTag, false);
      }
    } catch (IOException | ShutdownSignalException e) {
      // The channel went away: the broker requeues the command, or drops it with the queue.
      log.debug("actor {} could not acknowledge a command: {}", name, Connections.reason(e));
    }
  }

  private void fail(ActorCommand command, String error) {
    try {
      reply(command, "f", mapper.createObjectNode().put("error", error));
    } catch (CluWsException e) {
      log.debug("actor {} could not report a failed command: {}", name, e.getMessage());
    }
  }

  private final class Commands extends DefaultConsumer {
    private final Executor executor;
    private final Consumer<ActorCommand> handler;

    Commands(Executor executor, Consumer<ActorCommand> handler) {
      super(channel);
      this.executor = executor;
      this.handler = handler;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      long tag = envelope.getDeliveryTag();
      JsonNode json;
      try {
        json = mapper.readTree(body);
      } catch (IOException e) {
        json = null;
      }
      if (json == null || !json.isObject()) {
        ActorCommand bad =
            new ActorCommand(envelope.getRoutingKey(), properties, mapper.createObjectNode());
        log.warn("actor {} received a command whose body is not a JSON object", name);
        fail(bad, "the command body is not a JSON object");
        ack(tag);
        return;
      }
      ActorCommand command = new ActorCommand(envelope.getRoutingKey(), properties, json);
      try {
        executor.execute(() -> handle(command, tag));
      } catch (RejectedExecutionException e) {
        log.debug(
            "actor {} is stopping; command {} not handled",
            name,
            LogText.field(command.commandId()));
      }
    }

    private void handle(ActorCommand command, long tag) {
      try {
        handler.accept(command);
      } catch (RuntimeException e) {
        log.warn(
            "actor {} failed on command {} ({}): {}",
            name,
            LogText.field(command.commandId()),
            LogText.quoted(command.commandString()),
            LogText.of(e.toString()));
        fail(command, "command '" + command.commandString() + "' failed: " + e.getMessage());
      } finally {
        ack(tag);
      }
    }
  }
}
