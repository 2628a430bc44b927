package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.history.HistorySettings;
import dev.cluws.amqp.history.StreamHistory;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One gateway with a history stream on the real RabbitMQ, through a real websocket: resuming from a
 * time, the exact gap when retention dropped the resume point, and the bounds of a history request.
 * The stream is deleted after each test.
 */
class HistoryStreamIT {
  private static final Duration WAIT = WsClient.WAIT;

  private final AmqpSettings amqp = GatewayFixture.amqpSettings();
  private final String stream = TestBroker.uniqueName("history");
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final CluTestActor actor =
      keep(CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor")));

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    TestBroker.deleteQueue(stream);
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource);
    return resource;
  }

  private WebsocketServer start(HistorySettings history) {
    String name = TestBroker.uniqueName("gw");
    return keep(
        new WebsocketServer(
                Gateway.builder()
                    .gatewaySettings(GatewaySettings.named(name))
                    .settings(amqp)
                    .history(new StreamHistory(amqp, history, name))
                    .build(),
                ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
            .start());
  }

  private WsClient connect(WebsocketServer server, String query) {
    int before = server.gateway().hub().clientCount();
    WsClient client = keep(WsClient.connect(URI.create(server.uri() + "?" + query)));
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == before + 1);
    return client;
  }

  private static List<Integer> numbers(List<JsonNode> frames) {
    return frames.stream()
        .filter(f -> f.path("body").has("n"))
        .map(f -> f.path("body").path("n").asInt())
        .toList();
  }

  /** Publishes replies 1..count and waits until a watcher of the gateway has them all. */
  private void publish(WebsocketServer server, int from, int to) {
    WsClient watcher = connect(server, "actors=" + actor.name());
    for (int i = from; i <= to; i++) {
      actor.broadcast(Map.of("n", i, "padding", "x".repeat(100)));
    }
    await().atMost(WAIT).until(() -> numbers(watcher.frames()).size() == to - from + 1);
    int others = server.gateway().hub().clientCount() - 1;
    watcher.close();
    await().atMost(WAIT).until(() -> server.gateway().hub().clientCount() == others);
  }

  @Test
  void aClientResumingFromATimeGetsEveryReplyFromThatTimeOnFromTheStream() {
    WebsocketServer server = start(HistorySettings.named(stream));
    Instant before = Instant.now().minusSeconds(2);
    publish(server, 1, 25);

    WsClient client = connect(server, "actors=" + actor.name() + "&since=" + before);
    JsonNode notice = client.awaitFrame(f -> f.path("body").has("replay"));
    actor.broadcast(Map.of("n", 26));

    await().atMost(WAIT).until(() -> numbers(client.frames()).size() == 26);
    assertThat(numbers(client.frames())).isEqualTo(IntStream.rangeClosed(1, 26).boxed().toList());
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("from_history").asInt()).isEqualTo(25);
  }

  @Test
  void aResumePointRetentionDroppedIsAnsweredWithAnExactGap() {
    // 20 kB kept in segments of 2 kB: the first replies roll out of the stream.
    WebsocketServer server =
        start(HistorySettings.named(stream).withRetention(Duration.ofHours(1), 20_000));
    WsClient first = connect(server, "actors=" + actor.name());
    actor.broadcast(Map.of("n", 1));
    JsonNode one = first.awaitFrame(f -> f.path("body").path("n").asInt() == 1);
    String dropped = one.path("message_id").asText();
    first.close();
    String padding = "x".repeat(200);
    int n = 1;
    WsClient probe = null;
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 100; i++) {
        actor.broadcast(Map.of("n", ++n, "padding", padding));
      }
      // Asked of a fresh gateway, whose replay ring does not have it: only the stream could.
      WebsocketServer fresh =
          start(HistorySettings.named(stream).withRetention(Duration.ofHours(1), 20_000));
      probe = connect(fresh, "actors=" + actor.name() + "&since=" + dropped);
      JsonNode notice = probe.awaitFrame(f -> f.path("body").has("replay"));
      if (notice.path("body").path("replay").asText().equals("gap")) {
        assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
        assertThat(notice.path("body").path("text").asText())
            .startsWith("message_id '" + dropped + "' is neither among the replies this gateway")
            .contains("shared history " + stream);
        return;
      }
      probe.close();
      fresh.close();
    }
    throw new AssertionError("retention never dropped the first reply");
  }

  @Test
  void aHistoryRequestStopsAtItsLimitAndTheRestComesWhenAskedAgain() {
    WebsocketServer server = start(HistorySettings.named(stream));
    publish(server, 1, 40);
    WsClient client = connect(server, "");

    client.send(
        "{\"control\": \"history\", \"command_id\": \"p1\", \"actors\": [\""
            + actor.name()
            + "\"], \"minutes\": 5, \"limit\": 25}");
    JsonNode end =
        client.awaitFrame(
            f ->
                "p1".equals(f.path("headers").path("command_id").asText())
                    && f.path("body").has("replies"));

    assertThat(end.path("body").path("replies").asInt()).isEqualTo(25);
    assertThat(end.path("body").path("complete").asBoolean()).isFalse();
    assertThat(end.path("body").path("limit").asText()).isEqualTo("replies");
    assertThat(numbers(client.frames())).isEqualTo(IntStream.rangeClosed(1, 25).boxed().toList());
    assertThat(client.frames())
        .filteredOn(f -> f.path("body").has("n"))
        .allSatisfy(f -> assertThat(f.path("headers").path("history").asBoolean()).isTrue());
  }
}
