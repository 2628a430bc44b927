package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code clu-ws --demo}: the gateway and the demo actor in one process, started by the command's
 * own code, commanded by a websocket client as a newcomer would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoActorIT {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private Cli cli;

  @BeforeAll
  void startTheGatewayWithTheDemoActor() throws IOException {
    cli = Cli.start(TestBroker.uniqueName("test-ex"), TestBroker.uniqueName("demo"));
  }

  @AfterAll
  void stop() {
    cli.stop();
  }

  @Test
  void pingIsAnsweredFirstWithAnInternalRunningReplyThenWithPong() {
    try (WsClient client = cli.client()) {
      List<JsonNode> replies = command(client, "ping", "ping-1");

      assertThat(codes(replies)).containsExactly(">", ":");
      assertThat(replies.get(0).path("headers").path("internal").asBoolean()).isTrue();
      assertThat(replies.get(1).path("body").path("text").asText()).isEqualTo("Pong.");
      assertThat(replies)
          .allSatisfy(
              r -> {
                assertThat(r.path("headers").path("sender").asText()).isEqualTo(cli.actor);
                assertThat(r.path("routing_key").asText())
                    .isEqualTo("reply." + cli.gateway + "." + cli.actor);
              });
    }
  }

  @Test
  void statusOutputsTheActorsKeywordsThenFinishes() {
    try (WsClient client = cli.client()) {
      List<JsonNode> replies = command(client, "status", "status-1");

      assertThat(codes(replies)).containsExactly(">", "i", ":");
      JsonNode keywords = replies.get(1).path("body");
      assertThat(keywords.path("enclosure_status").asText())
          .isIn("CLOSED", "OPENING", "OPEN", "CLOSING");
      assertThat(keywords.path("enclosure_position").isInt()).isTrue();
      assertThat(keywords.path("temperature").isNumber()).isTrue();
    }
  }

  @Test
  void helpListsTheCommandsTheActorUnderstands() {
    try (WsClient client = cli.client()) {
      List<JsonNode> replies = command(client, "help", "help-1");

      assertThat(codes(replies)).containsExactly(">", "i", ":");
      List<String> lines = new ArrayList<>();
      replies.get(1).path("body").path("help").forEach(line -> lines.add(line.asText()));
      assertThat(lines).anyMatch(l -> l.startsWith("ping")).anyMatch(l -> l.startsWith("status"));
      assertThat(lines).anyMatch(l -> l.startsWith("help"));
    }
  }

  @Test
  void anUnknownCommandFailsWithAnErrorNamingItAsCluDoes() {
    try (WsClient client = cli.client()) {
      List<JsonNode> replies = command(client, "dance", "dance-1");

      assertThat(codes(replies)).containsExactly(">", "w", "f");
      assertThat(replies.get(1).path("body").path("help").isArray()).isTrue();
      assertThat(replies.get(2).path("body").path("error").asText())
          .isEqualTo("No such command 'dance'. Try 'help'.");
    }
  }

  @Test
  void aCommandWithArgumentsItDoesNotTakeFails() {
    try (WsClient client = cli.client()) {
      List<JsonNode> replies = command(client, "ping twice", "ping-2");

      assertThat(codes(replies)).containsExactly(">", "f");
      assertThat(replies.get(1).path("body").path("error").asText())
          .isEqualTo("'ping' takes no arguments (got 'twice').");
    }
  }

  @Test
  void theActorBroadcastsAChangingStatusEveryFewSeconds() {
    try (WsClient client = cli.client()) {
      await().atMost(WAIT).until(() -> broadcasts(client).size() >= 2);

      List<JsonNode> broadcasts = broadcasts(client);
      assertThat(broadcasts.get(0).path("headers").path("message_code").asText()).isEqualTo("i");
      assertThat(broadcasts.get(0).path("headers").path("command_id").isNull()).isTrue();
      assertThat(broadcasts.get(0).path("body").has("enclosure_status")).isTrue();
      assertThat(broadcasts.get(1).path("body")).isNotEqualTo(broadcasts.get(0).path("body"));
    }
  }

  @Test
  void stoppingTheCommandStopsTheDemoActorAndLeavesNothingOnTheBroker() throws IOException {
    Cli other = Cli.start(TestBroker.uniqueName("test-ex"), TestBroker.uniqueName("demo"));
    assertThat(queueExists(other.actor + "_commands")).isTrue();

    assertThat(other.stop()).isZero();

    assertThat(queueExists(other.actor + "_commands")).isFalse();
    assertThat(other.err.toString()).isEmpty();
  }

  @Test
  void aSecondDemoActorOfTheSameNameIsOneClearLineAndANonZeroExit() throws IOException {
    StringWriter err = new StringWriter();
    int status =
        Main.execute(
            Cli.args(cli.exchange, TestBroker.uniqueName("gw"), LoopbackPorts.free(), cli.actor),
            Map.of(),
            new PrintWriter(err, true));

    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "clu-ws: cannot start the demo actor: the queue "
                + cli.actor
                + "_commands is in use: an actor named '"
                + cli.actor
                + "' is already running on this broker");
  }

  private List<JsonNode> command(WsClient client, String commandString, String commandId) {
    client.send(
        "{\"consumer\": \""
            + cli.actor
            + "\", \"command_string\": \""
            + commandString
            + "\", \"command_id\": \""
            + commandId
            + "\"}");
    return client.awaitFinished(commandId);
  }

  private List<JsonNode> broadcasts(WsClient client) {
    return client.frames().stream()
        .filter(f -> f.path("routing_key").asText().equals("reply.broadcast"))
        .filter(f -> f.path("headers").path("sender").asText().equals(cli.actor))
        .toList();
  }

  private static List<String> codes(List<JsonNode> replies) {
    return replies.stream().map(r -> r.path("headers").path("message_code").asText()).toList();
  }

  /**
   * Whether the queue exists (an exclusive queue of another connection answers RESOURCE_LOCKED).
   */
  private static boolean queueExists(String queue) throws IOException {
    try (Connection connection = TestBroker.connect(TestBroker.uniqueName("probe"))) {
      Channel channel = connection.createChannel();
      try {
        channel.queueDeclarePassive(queue);
        return true;
      } catch (IOException e) {
        if (e.getCause() instanceof ShutdownSignalException signal
            && signal.getReason() instanceof AMQP.Channel.Close close) {
          return close.getReplyCode() == AMQP.RESOURCE_LOCKED;
        }
        throw e;
      }
    }
  }

  /** {@code clu-ws --demo} run in-process by {@link Main#execute}, stopped by an interrupt. */
  private static final class Cli {
    final String exchange;
    final String actor;
    final String gateway = TestBroker.uniqueName("gw");
    final StringWriter err = new StringWriter();
    final int port;
    private final CompletableFuture<Integer> status = new CompletableFuture<>();
    private final Thread main;

    private Cli(String exchange, String actor) throws IOException {
      this.exchange = exchange;
      this.actor = actor;
      this.port = LoopbackPorts.free();
      String[] args = args(exchange, gateway, port, actor);
      main =
          new Thread(
              () -> status.complete(Main.execute(args, Map.of(), new PrintWriter(err, true))),
              "clu-ws-main");
      main.setDaemon(true);
    }

    static String[] args(String exchange, String gateway, int port, String actor) {
      return GatewayArgs.onTestBroker(port, exchange, gateway, "--demo", "--demo-actor-name", actor)
          .toArray(new String[0]);
    }

    /** Starts the command and waits until the gateway listens and the demo actor consumes. */
    static Cli start(String exchange, String actor) throws IOException {
      Cli cli = new Cli(exchange, actor);
      cli.main.start();
      await().atMost(WAIT).until(() -> cli.status.isDone() || queueExists(actor + "_commands"));
      assertThat(cli.status).as("clu-ws exited: " + cli.err).isNotDone();
      return cli;
    }

    WsClient client() {
      return WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/"));
    }

    /** Interrupts the command's wait, as a signal would end it; returns its exit status. */
    int stop() {
      main.interrupt();
      try {
        return status.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("clu-ws did not stop", e);
      }
    }
  }
}
