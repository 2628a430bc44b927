package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slow clients, replay, limits and shutdown, with real RabbitMQ and real websockets. */
class ReliabilityIT {
  private static final Duration WAIT = WsClient.WAIT;
  private GatewayFixture fixture;

  @AfterEach
  void tearDown() {
    if (fixture != null) {
      fixture.close();
    }
  }

  // A never-reading client beside a reader, and its resume: NoSilentLossIT.

  @Test
  void aClientThatReconnectsWithSinceReceivesWhatItMissedBeforeLiveReplies() {
    fixture = GatewayFixture.start();
    CluTestActor actor = fixture.actor();
    WsClient first = fixture.client(fixture.uri("/?seq=true"));
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    for (int i = 0; i < 5; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> first.frames().size() == 5);
    long lastSeen = first.frames().get(2).path("seq").asLong(); // as if it dropped after 3
    first.abort();
    for (int i = 5; i < 8; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> fixture.gateway().stats().repliesIn.sum() == 8);

    WsClient again = fixture.client(fixture.uri("/?seq=true&since=" + lastSeen));
    JsonNode notice = again.awaitFrame(f -> f.path("body").has("replay"));
    actor.broadcast(Map.of("n", 8));

    await().atMost(WAIT).until(() -> again.frames().size() == 7);
    List<Integer> ns =
        again.frames().stream()
            .filter(f -> f.path("body").has("n"))
            .map(f -> f.path("body").path("n").asInt())
            .toList();
    assertThat(ns).containsExactly(3, 4, 5, 6, 7, 8);
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("replayed").asInt()).isEqualTo(5);
    assertThat(again.frames().get(5)).isEqualTo(notice);
  }

  @Test
  void sinceAlsoTakesTheMessageIdACluClientAlreadyHas() {
    fixture = GatewayFixture.start();
    CluTestActor actor = fixture.actor();
    WsClient first = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    for (int i = 0; i < 4; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> first.frames().size() == 4);
    String messageId = first.frames().get(1).path("message_id").asText();

    WsClient again = fixture.client(fixture.uri("/?since=" + messageId));

    again.awaitFrame(f -> f.path("body").has("replay"));
    assertThat(again.frames())
        .filteredOn(f -> f.path("body").has("n"))
        .extracting(f -> f.path("body").path("n").asInt())
        .containsExactly(2, 3);
  }

  @Test
  void commandsBeyondTheRateLimitAreAnsweredWithAnErrorFrame() {
    fixture = GatewayFixture.builder().gatewaySettings(b -> b.commandRate(1, 3)).start();
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    for (int i = 0; i < 5; i++) {
      client.send(
          "{\"consumer\": \""
              + actor.name()
              + "\", \"command_string\": \"ping\","
              + " \"command_id\": \"r"
              + i
              + "\"}");
    }

    for (int i = 0; i < 3; i++) {
      assertThat(CluCompatibilityIT.codes(client.awaitFinished("r" + i))).containsExactly(">", ":");
    }
    for (int i = 3; i < 5; i++) {
      JsonNode refusal = client.awaitFinished("r" + i).get(0);
      assertThat(refusal.path("headers").path("sender").asText()).isEqualTo(fixture.name());
      assertThat(refusal.path("body").path("error").asText()).contains("rate limit exceeded");
    }
    assertThat(actor.received()).hasSize(3);
  }

  @Test
  void aClientBeyondTheConnectionLimitIsRefusedWith503() throws Exception {
    fixture = GatewayFixture.builder().gatewaySettings(b -> b.maxConnections(1)).start();
    fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);

    String response = RawHttp.upgrade(fixture.server().port(), "/");

    assertThat(response).startsWith("HTTP/1.1 503");
    assertThat(response).contains("the gateway serves its maximum of 1 clients");
  }

  @Test
  void shuttingDownDeliversWhatWasQueuedThenClosesWith1001() {
    fixture = GatewayFixture.start();
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    for (int i = 0; i < 2000; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> fixture.gateway().stats().repliesIn.sum() == 2000);

    fixture.server().close();

    assertThat(client.awaitCloseCode()).isEqualTo(1001);
    assertThat(client.frames()).hasSize(2000);
  }

  @Test
  void startingAndStoppingGatewaysInALoopLeavesNoThreadBehind() {
    int before = cluWsThreads();
    for (int i = 0; i < 10; i++) {
      try (GatewayFixture loop = GatewayFixture.start()) {
        loop.client();
      }
    }
    await().atMost(WAIT).until(() -> cluWsThreads() <= before);
  }

  private static int cluWsThreads() {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (thread.isAlive() && (name.startsWith("clu-ws-") || name.startsWith("AMQP Connection"))) {
        count++;
      }
    }
    return count;
  }
}
