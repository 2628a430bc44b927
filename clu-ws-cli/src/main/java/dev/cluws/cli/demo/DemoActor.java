package dev.cluws.cli.demo;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.actor.ActorChannel;
import dev.cluws.amqp.actor.ActorCommand;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.internal.Threads;
import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.JsonMappers;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small CLU actor for trying clu-ws without an observatory. It is an ordinary actor on the
 * exchange (its own connection, queue {@code <name>_commands}), so the gateway reaches it exactly
 * as it reaches a real one. It understands:
 *
 * <ul>
 *   <li>{@code ping}: {@code >} (internal) then {@code :} with {@code {"text": "Pong."}};
 *   <li>{@code status}: {@code >}, {@code i} with its status keywords, then {@code :};
 *   <li>{@code help}: {@code >}, {@code i} with {@code {"help": [...]}} listing the commands, then
 *       {@code :};
 *   <li>anything else: {@code >}, {@code w} with the help, then {@code f} with an {@code error}, as
 *       a CLU actor answers a command it does not know.
 * </ul>
 *
 * <p>Every few seconds it broadcasts its status keywords ({@code enclosure_status}, {@code
 * enclosure_position}, {@code temperature}: a simulated enclosure that keeps opening and closing)
 * with code {@code i} on {@code reply.broadcast}. Commands and broadcasts run on one thread of its
 * own, never on an AMQP thread; at most {@value #PREFETCH} commands wait for it.
 */
public final class DemoActor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DemoActor.class);

  /** Commands the broker hands over before the actor has answered them. */
  static final int PREFETCH = 16;

  private static final Map<String, String> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("help", "Shows the commands this actor understands.");
    COMMANDS.put("ping", "Replies Pong.");
    COMMANDS.put("status", "Outputs the enclosure and temperature keywords.");
  }

  private final AmqpSettings amqp;
  private final DemoSettings settings;
  private final JsonMapper mapper = JsonMappers.newMapper();
  private final Enclosure enclosure = new Enclosure();
  private final Object lifecycle = new Object();
  private Connection connection;
  private ScheduledExecutorService thread;
  private boolean closed;

  /** An actor that connects with {@code amqp} when started; opens nothing yet. */
  public DemoActor(AmqpSettings amqp, DemoSettings settings) {
    this.amqp = amqp;
    this.settings = settings;
  }

  /** The actor's name. */
  public String name() {
    return settings.actorName();
  }

  /**
   * Connects, declares the actor's queue on the exchange, starts answering and broadcasting.
   *
   * @return this actor
   * @throws CluWsException when the broker cannot be reached, or an actor of the same name is
   *     already running on it
   */
  public DemoActor start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("the demo actor was stopped");
      }
      if (thread != null) {
        return this;
      }
      String name = settings.actorName();
      Connection conn =
          Connections.open(Connections.factory(amqp), amqp, name + " (clu-ws demo actor)");
      ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(Threads.daemon("clu-ws-demo-" + name));
      try {
        ActorChannel actor = ActorChannel.declare(conn.createChannel(), amqp.exchange(), name);
        actor.consume(PREFETCH, executor, command -> answer(actor, command));
        long interval = settings.broadcastInterval().toMillis();
        // broadcast() catches what publishing throws, so a failure never cancels the schedule.
        var unused =
            executor.scheduleAtFixedRate(
                () -> broadcast(actor), interval, interval, TimeUnit.MILLISECONDS);
        this.connection = conn;
        this.thread = executor;
      } catch (IOException | RuntimeException e) {
        executor.shutdownNow();
        Connections.closeQuietly(conn);
        if (e instanceof CluWsException cluWs) {
          throw new CluWsException("cannot start the demo actor: " + cluWs.getMessage(), e);
        }
        throw new CluWsException("cannot start the demo actor: " + Connections.reason(e), e);
      }
      log.info(
          "demo actor '{}' is running on exchange '{}': send it ping, status or help",
          name,
          amqp.exchange());
      return this;
    }
  }

  /** Stops broadcasting and answering, and closes its connection (its queue goes with it). */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      if (thread == null) {
        return;
      }
      Threads.stop(thread);
      Connections.closeQuietly(connection);
      log.info("demo actor '{}' stopped", settings.actorName());
    }
  }

  private void answer(ActorChannel channel, ActorCommand command) {
    String[] words = command.commandString().strip().split("\\s+");
    String verb = words[0];
    if (log.isDebugEnabled()) {
      log.debug(
          "demo actor '{}' received {} ({})",
          name(),
          LogText.quoted(verb),
          LogText.field(command.commandId()));
    }
    channel.reply(command, ">", mapper.createObjectNode(), true);
    if (!COMMANDS.containsKey(verb)) {
      channel.reply(command, "w", help());
      String error =
          verb.isEmpty()
              ? "Empty command. Try 'help'."
              : "No such command '" + verb + "'. Try 'help'.";
      channel.reply(command, "f", mapper.createObjectNode().put("error", error));
      return;
    }
    if (words.length > 1) {
      String extra = String.join(" ", Arrays.copyOfRange(words, 1, words.length));
      channel.reply(
          command,
          "f",
          mapper
              .createObjectNode()
              .put("error", "'" + verb + "' takes no arguments (got '" + extra + "')."));
      return;
    }
    switch (verb) {
      case "ping" -> channel.reply(command, ":", mapper.createObjectNode().put("text", "Pong."));
      case "status" -> {
        channel.reply(command, "i", enclosure.keywords(mapper.createObjectNode()));
        channel.reply(command, ":", mapper.createObjectNode());
      }
      case "help" -> {
        channel.reply(command, "i", help());
        channel.reply(command, ":", mapper.createObjectNode());
      }
      default -> throw new IllegalStateException("no answer for '" + verb + "'");
    }
  }

  private ObjectNode help() {
    ObjectNode body = mapper.createObjectNode();
    ArrayNode lines = body.putArray("help");
    COMMANDS.forEach((verb, text) -> lines.add(verb + ": " + text));
    return body;
  }

  /** Runs on the actor's thread; never throws, so the schedule goes on after a failure. */
  private void broadcast(ActorChannel channel) {
    try {
      enclosure.advance();
      channel.broadcast("i", enclosure.keywords(mapper.createObjectNode()));
    } catch (RuntimeException e) {
      // The broker is away: the gateway says so; the next broadcast tries again.
      log.debug("demo actor '{}' could not broadcast: {}", name(), e.getMessage());
    }
  }
}
