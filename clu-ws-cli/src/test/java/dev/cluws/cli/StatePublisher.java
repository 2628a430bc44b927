package dev.cluws.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.actor.ActorChannel;
import dev.cluws.amqp.actor.ActorCommand;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.core.spi.CluIds;
import dev.cluws.core.spi.Reply;
import dev.cluws.testkit.TestBroker;
import java.io.IOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A CLU actor for the console's browser tests that publishes, on command, replies on behalf of many
 * actors (the {@code sender} header of each reply names one of them: {@code <prefix>-000}, {@code
 * <prefix>-001}, …), as an observatory's actors broadcast their status:
 *
 * <ul>
 *   <li>{@code fill <actors> <keywords>}: one reply per actor with all its keywords, then {@code :}
 *       with {@code {"published": n}};
 *   <li>{@code set <actor> <keyword> <value>}: one reply of that actor with that keyword;
 *   <li>{@code flood <per-second> <seconds>}: replies of random actors (of the last {@code fill}),
 *       each changing three keywords, at that rate for that long (at most 2000/s for 60 s), then
 *       {@code :} with {@code {"published": n}};
 *   <li>{@code close-gateway}: answers {@code >}, then runs the action given at start (the test
 *       closes its gateway there).
 * </ul>
 */
final class StatePublisher implements AutoCloseable {
  private static final String[] KINDS = {
    "temperature", "pressure", "status", "position", "voltage",
    "current", "mode", "humidity", "error_count", "label"
  };
  private static final String[] WORDS = {"OPEN", "CLOSED", "MOVING", "IDLE", "FAULT", "PARKED"};

  private final Connection connection;
  private final ActorChannel channel;
  private final String prefix;
  private final Runnable closeGateway;
  private final JsonMapper mapper = JsonMapper.builder().build();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "state-publisher");
            thread.setDaemon(true);
            return thread;
          });
  private volatile int actors;
  private volatile int keywords;

  private StatePublisher(
      Connection connection, ActorChannel channel, String prefix, Runnable closeGateway) {
    this.connection = connection;
    this.channel = channel;
    this.prefix = prefix;
    this.closeGateway = closeGateway;
  }

  /**
   * Starts the actor {@code name} on {@code exchange}; its actors are called {@code <prefix>-NNN}.
   */
  static StatePublisher start(String exchange, String name, String prefix, Runnable closeGateway)
      throws IOException {
    Connection connection = TestBroker.connect(name);
    try {
      StatePublisher publisher =
          new StatePublisher(
              connection,
              ActorChannel.declare(connection.createChannel(), exchange, name),
              prefix,
              closeGateway);
      publisher.channel.consume(0, Runnable::run, publisher::handle);
      return publisher;
    } catch (IOException | RuntimeException e) {
      Connections.closeQuietly(connection);
      throw e;
    }
  }

  String name() {
    return channel.name();
  }

  /** The name of actor {@code i}. */
  String actor(int i) {
    return String.format("%s-%03d", prefix, i);
  }

  /**
   * The name of keyword {@code k}: {@code temperature_0}, {@code pressure_0}, …, {@code label_4}.
   */
  static String keyword(int k) {
    return KINDS[k % KINDS.length] + "_" + k / KINDS.length;
  }

  private void handle(ActorCommand command) {
    channel.reply(command, ">", mapper.createObjectNode());
    String[] words = command.commandString().trim().split("\\s+");
    try {
      switch (words[0]) {
        case "fill" -> fill(command, Integer.parseInt(words[1]), Integer.parseInt(words[2]));
        case "set" -> {
          ObjectNode body = mapper.createObjectNode().put(words[2], words[3]);
          publish(words[1], body);
          channel.reply(command, ":", mapper.createObjectNode());
        }
        case "flood" -> flood(command, Integer.parseInt(words[1]), Integer.parseInt(words[2]));
        case "close-gateway" -> {
          Thread closer = new Thread(closeGateway, "close-gateway");
          closer.setDaemon(true);
          closer.start();
        }
        default -> fail(command, "unknown command");
      }
    } catch (RuntimeException e) {
      fail(command, e.toString());
    }
  }

  private void fail(ActorCommand command, String why) {
    channel.reply(
        command,
        "f",
        mapper
            .createObjectNode()
            .put(
                "error",
                why
                    + "; usage: fill <actors> <keywords> | set <actor> <keyword> <value> | flood"
                    + " <per-second> <seconds> | close-gateway"));
  }

  private void fill(ActorCommand command, int actorCount, int keywordCount) {
    if (actorCount < 1 || actorCount > 1000 || keywordCount < 1 || keywordCount > 1000) {
      throw new IllegalArgumentException("at most 1000 actors and 1000 keywords");
    }
    for (int a = 0; a < actorCount; a++) {
      ObjectNode body = mapper.createObjectNode();
      for (int k = 0; k < keywordCount; k++) {
        put(body, k);
      }
      publish(actor(a), body);
    }
    actors = actorCount;
    keywords = keywordCount;
    channel.reply(command, ":", mapper.createObjectNode().put("published", actorCount));
  }

  private void flood(ActorCommand command, int perSecond, int seconds) {
    if (actors == 0) {
      throw new IllegalStateException("fill first");
    }
    if (perSecond < 1 || perSecond > 2000 || seconds < 1 || seconds > 60) {
      throw new IllegalArgumentException("at most 2000 per second for 60 s");
    }
    // Every 10 ms, the replies due by then: the rate holds even when a tick comes late.
    int total = perSecond * seconds;
    long start = System.nanoTime();
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
    Runnable tick =
        () -> {
          if (done.get()) {
            return;
          }
          long due = Math.min(total, (System.nanoTime() - start) * perSecond / 1_000_000_000L);
          ThreadLocalRandom random = ThreadLocalRandom.current();
          while (sent.get() < due) {
            ObjectNode body = mapper.createObjectNode();
            for (int i = 0; i < 3; i++) {
              put(body, random.nextInt(keywords));
            }
            publish(actor(random.nextInt(actors)), body);
            sent.incrementAndGet();
          }
          if (sent.get() >= total && done.compareAndSet(false, true)) {
            channel.reply(command, ":", mapper.createObjectNode().put("published", total));
            ScheduledFuture<?> self = task.get();
            if (self != null) {
              self.cancel(false);
            }
          }
        };
    task.set(timer.scheduleAtFixedRate(tick, 10, 10, TimeUnit.MILLISECONDS));
  }

  private void put(ObjectNode body, int k) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String name = keyword(k);
    switch (KINDS[k % KINDS.length]) {
      case "status", "mode" -> body.put(name, WORDS[random.nextInt(WORDS.length)]);
      case "error_count" -> body.put(name, random.nextInt(100));
      case "label" -> body.put(name, "unit " + random.nextInt(1000) + " of bay " + k);
      case "position" -> body.putArray(name).add(random.nextInt(360)).add(random.nextInt(90));
      default -> body.put(name, Math.round(random.nextDouble(-20, 40) * 100) / 100.0);
    }
  }

  private void publish(String sender, ObjectNode body) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.MESSAGE_CODE, "i");
    headers.put(Reply.COMMANDER_ID, null);
    headers.put(Reply.COMMAND_ID, null);
    headers.put(Reply.SENDER, sender);
    headers.put(Reply.INTERNAL, false);
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .messageId(CluIds.newMessageId())
            .timestamp(new Date())
            .headers(headers)
            .build();
    try {
      channel.publish(ActorChannel.BROADCAST, properties, mapper.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    Connections.closeQuietly(connection);
  }
}
