package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.history.HistorySettings;
import dev.cluws.amqp.history.StreamHistory;
import dev.cluws.amqp.testing.TcpProxy;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.spi.SourceState;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away and comes back: the real gateway reaches RabbitMQ through a {@link TcpProxy}
 * that cuts and restores its connections (the shared broker itself never restarts), real websocket
 * clients, and CLU test actors connected to the broker directly.
 */
class BrokerOutageIT {
  private static final Duration WAIT = WsClient.WAIT;

  private final TcpProxy proxy = TcpProxy.toTestBroker();
  private final AmqpSettings amqp =
      GatewayFixture.amqpSettings()
          .withPort(proxy.port())
          .withRecoveryInterval(Duration.ofMillis(500));
  private final String name = TestBroker.uniqueName("gw");
  private final WebsocketServer server =
      new WebsocketServer(
              Gateway.builder().gatewaySettings(GatewaySettings.named(name)).settings(amqp).build(),
              ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
          .start();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private String stream;

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    server.close();
    proxy.close();
    if (stream != null) {
      TestBroker.deleteQueue(stream);
    }
  }

  private List<WsClient> clients(int count) {
    List<WsClient> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      WsClient client = WsClient.connect(server.uri());
      resources.add(client);
      clients.add(client);
    }
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == count);
    return clients;
  }

  private CluTestActor actor() {
    CluTestActor actor = CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor"));
    resources.add(actor);
    return actor;
  }

  /** The gateway's own frame saying the broker is {@code disconnected} or {@code connected}. */
  private Predicate<JsonNode> brokerStatus(String broker) {
    return f ->
        name.equals(f.path("headers").path("sender").asText())
            && broker.equals(f.path("body").path("broker").asText());
  }

  private void cutAndAwaitTheLoss(List<WsClient> clients) {
    proxy.cut();
    for (WsClient client : clients) {
      client.awaitFrame(brokerStatus("disconnected"));
    }
  }

  private void restoreAndAwaitTheRecovery(List<WsClient> clients) {
    proxy.restore();
    for (WsClient client : clients) {
      client.awaitFrame(brokerStatus("connected"));
    }
  }

  private static void assertPingIsAnswered(WsClient client, CluTestActor actor, String commandId) {
    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\", \"command_id\": \""
            + commandId
            + "\"}");
    List<JsonNode> replies = client.awaitFinished(commandId);
    JsonNode last = replies.get(replies.size() - 1);
    assertThat(last.path("headers").path("message_code").asText())
        .as("last reply to %s: %s", commandId, last)
        .isEqualTo(":");
    assertThat(last.path("body").path("text").asText()).isEqualTo("Pong.");
  }

  @Test
  void everyClientHearsTheGatewayLoseTheBrokerAndGetItBack() {
    List<WsClient> clients = clients(3);

    cutAndAwaitTheLoss(clients);
    assertThat(server.gateway().sourceState()).isEqualTo(SourceState.RECOVERING);
    for (WsClient client : clients) {
      JsonNode lost = client.awaitFrame(brokerStatus("disconnected"));
      assertThat(lost.path("headers").path("message_code").asText()).isEqualTo("w");
      assertThat(lost.path("body").path("text").asText()).contains("reconnecting");
    }

    restoreAndAwaitTheRecovery(clients);
    await().atMost(WAIT).until(() -> server.gateway().sourceState() == SourceState.UP);
    for (WsClient client : clients) {
      JsonNode back = client.awaitFrame(brokerStatus("connected"));
      assertThat(back.path("headers").path("message_code").asText()).isEqualTo("i");
      assertThat(client.frames().stream().filter(brokerStatus("disconnected"))).hasSize(1);
      assertThat(client.frames().stream().filter(brokerStatus("connected"))).hasSize(1);
    }
  }

  @Test
  void aCommandSentDuringTheCutIsAnsweredAtOnceWithAFailureThatNamesIt() {
    CluTestActor actor = actor();
    List<WsClient> clients = clients(2);
    WsClient sender = clients.get(0);
    cutAndAwaitTheLoss(clients);

    long start = System.nanoTime();
    sender.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\","
            + " \"command_id\": \"during-cut\"}");
    List<JsonNode> replies = sender.awaitFinished("during-cut");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(replies).hasSize(1);
    JsonNode failure = replies.get(0);
    assertThat(failure.path("headers").path("message_code").asText()).isEqualTo("f");
    assertThat(failure.path("headers").path("sender").asText()).isEqualTo(name);
    assertThat(failure.path("body").path("error").asText())
        .isEqualTo(
            "command to '"
                + actor.name()
                + "' was not sent: the broker is unavailable;"
                + " the gateway is reconnecting");
    assertThat(clients.get(1).framesFor("during-cut")).isEmpty();
    assertThat(actor.received()).isEmpty();
  }

  @Test
  void repliesPublishedDuringTheCutArriveAfterRecoveryInOrderAndAPingIsAnswered() {
    CluTestActor actor = actor();
    List<WsClient> clients = clients(2);
    cutAndAwaitTheLoss(clients);
    for (int i = 0; i < 20; i++) {
      actor.broadcast(Map.of("while_cut", i)); // the gateway's queue outlives the cut
    }

    restoreAndAwaitTheRecovery(clients);
    actor.broadcast(Map.of("after_restore", true));

    for (WsClient client : clients) {
      client.awaitFrame(f -> f.path("body").has("after_restore"));
      assertThat(client.frames())
          .filteredOn(f -> f.path("body").has("while_cut") || f.path("body").has("after_restore"))
          .extracting(f -> f.path("body").path("while_cut").asInt(20))
          .containsExactly(
              0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20);
      assertThat(client.frames()).noneMatch(f -> f.path("body").has("outcome"));
    }
    assertPingIsAnswered(clients.get(0), actor, "after-restore");
  }

  @Test
  void anExchangeThatVanishedDuringTheCutIsDeclaredAgainAndEverythingWorks() throws IOException {
    List<WsClient> clients = clients(1);
    cutAndAwaitTheLoss(clients);
    // The broker lost the gateway's replies queue (as in a restart), and with its binding the
    // auto-delete exchange: no actor is bound.
    TestBroker.deleteQueue(name + "_replies");
    await().atMost(WAIT).until(() -> !exchangeExists(amqp.exchange()));

    restoreAndAwaitTheRecovery(clients);

    assertThat(exchangeExists(amqp.exchange())).isTrue();
    CluTestActor actor = actor();
    actor.broadcast(Map.of("hello_again", true));
    clients.get(0).awaitFrame(f -> f.path("body").has("hello_again"));
    assertPingIsAnswered(clients.get(0), actor, "new-exchange");
  }

  @Test
  void aCommandInFlightWhenTheRepliesQueueIsLostIsAnsweredOutcomeUnknownAndEveryClientIsTold() {
    CluTestActor actor = actor();
    List<WsClient> clients = clients(2);
    WsClient sender = clients.get(0);
    sender.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"hold\","
            + " \"command_id\": \"held-1\"}");
    sender.awaitFrame(
        f ->
            "held-1".equals(f.path("headers").path("command_id").asText())
                && ">".equals(f.path("headers").path("message_code").asText()));

    cutAndAwaitTheLoss(clients);
    TestBroker.deleteQueue(name + "_replies"); // as a broker restart would
    restoreAndAwaitTheRecovery(clients);

    JsonNode unknown =
        sender.awaitFrame(
            f ->
                "held-1".equals(f.path("headers").path("command_id").asText())
                    && f.path("body").has("outcome"));
    assertThat(unknown.path("headers").path("message_code").asText()).isEqualTo("f");
    assertThat(unknown.path("headers").path("sender").asText()).isEqualTo(name);
    assertThat(unknown.path("body").path("outcome").asText()).isEqualTo("unknown");
    assertThat(unknown.path("body").path("error").asText())
        .contains("held-1")
        .contains(actor.name())
        .contains("is unknown");
    for (WsClient client : clients) {
      client.awaitFrame(brokerStatus("replies_lost"));
    }
    assertThat(clients.get(1).frames()).noneMatch(f -> f.path("body").has("outcome"));
    assertPingIsAnswered(sender, actor, "after-loss");
  }

  /**
   * A client leaves after a reply, the gateway's replies queue is lost during a cut while the actor
   * goes on publishing, and the client comes back with {@code since=} that reply's message id: the
   * frames it gets, the last one the gateway's replay notice.
   */
  private List<JsonNode> resumeAcrossALostQueue(WebsocketServer gateway, String gatewayName) {
    CluTestActor actor = actor();
    WsClient watcher = WsClient.connect(gateway.uri());
    resources.add(watcher);
    WsClient leaving = WsClient.connect(gateway.uri());
    actor.broadcast(Map.of("before_loss", true));
    String since =
        leaving.awaitFrame(f -> f.path("body").has("before_loss")).path("message_id").asText();
    leaving.close();
    await().atMost(WAIT).until(() -> gateway.gateway().clientCount() == 1);

    proxy.cut();
    watcher.awaitFrame(
        f ->
            gatewayName.equals(f.path("headers").path("sender").asText())
                && "disconnected".equals(f.path("body").path("broker").asText()));
    TestBroker.deleteQueue(gatewayName + "_replies"); // as a broker restart would
    actor.broadcast(Map.of("during_loss", true));
    proxy.restore();
    watcher.awaitFrame(
        f ->
            gatewayName.equals(f.path("headers").path("sender").asText())
                && "replies_lost".equals(f.path("body").path("broker").asText()));
    actor.broadcast(Map.of("after_loss", true));
    watcher.awaitFrame(f -> f.path("body").has("after_loss"));

    WsClient back = WsClient.connect(URI.create(gateway.uri() + "?since=" + since));
    resources.add(back);
    back.awaitFrame(f -> f.path("body").has("replay"));
    return back.frames();
  }

  @Test
  void aClientResumingFromBeforeTheRepliesQueueWasLostIsToldItsReplayMayMissReplies() {
    List<JsonNode> frames = resumeAcrossALostQueue(server, name);

    JsonNode notice = frames.get(frames.size() - 1);
    assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("gap");
    assertThat(notice.path("body").path("text").asText())
        .contains("may be missing")
        .contains(name + "_replies was gone");
    assertThat(frames).anyMatch(f -> f.path("body").has("after_loss"));
    assertThat(frames).noneMatch(f -> f.path("body").has("during_loss"));
  }

  @Test
  void withAHistoryStreamAClientResumingFromBeforeTheRepliesQueueWasLostGetsWhatTheQueueMissed() {
    stream = TestBroker.uniqueName("history");
    String historyName = TestBroker.uniqueName("gw");
    WebsocketServer withHistory =
        new WebsocketServer(
                Gateway.builder()
                    .gatewaySettings(GatewaySettings.named(historyName))
                    .settings(amqp)
                    .history(new StreamHistory(amqp, HistorySettings.named(stream), historyName))
                    .build(),
                ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
            .start();
    resources.add(withHistory);

    List<JsonNode> frames = resumeAcrossALostQueue(withHistory, historyName);

    assertThat(frames)
        .filteredOn(f -> f.path("body").has("during_loss") || f.path("body").has("after_loss"))
        .extracting(f -> f.path("body").has("during_loss") ? "during" : "after")
        .containsExactly("during", "after");
    JsonNode notice = frames.get(frames.size() - 1);
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("from_history").asInt()).isPositive();
    // The current state takes what the lost queue missed from the stream too.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> snapshotHas(withHistory, "during_loss"));
  }

  /** Whether a snapshot asked of this gateway now has an actor with this keyword. */
  private boolean snapshotHas(WebsocketServer gateway, String keyword) {
    try (WsClient client = WsClient.connect(URI.create(gateway.uri() + "?snapshot=true"))) {
      client.awaitFrame(f -> "snapshot".equals(f.path("body").path("control").asText()));
      return client.frames().stream()
          .anyMatch(
              f -> f.path("headers").path("snapshot").asBoolean() && f.path("body").has(keyword));
    }
  }

  @Test
  void theGatewayRidesOutRepeatedCuts() {
    CluTestActor actor = actor();
    List<WsClient> clients = clients(1);

    for (int round = 1; round <= 3; round++) {
      proxy.cut();
      await().atMost(WAIT).until(() -> server.gateway().sourceState() != SourceState.UP);
      proxy.restore();
      // Replies and commands have a connection each; both recover, maybe a moment apart.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  server.gateway().sourceState() == SourceState.UP
                      && server.gateway().commandsConnected());
      assertPingIsAnswered(clients.get(0), actor, "round-" + round);
    }
  }

  private static boolean exchangeExists(String exchange) throws IOException {
    try (Connection connection = TestBroker.connect(TestBroker.uniqueName("probe"))) {
      Channel channel = connection.createChannel();
      try {
        channel.exchangeDeclarePassive(exchange);
        return true;
      } catch (IOException e) {
        return false; // 404: the broker closed the channel
      }
    }
  }
}
