package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.amqp.testing.CluTestActor;
import dev.cluws.core.client.ClientConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

  /** Opens a websocket that never reads a frame, like a frozen browser tab. */
  private static WebSocket neverReading(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .newWebSocketBuilder()
        .buildAsync(
            uri,
            new WebSocket.Listener() {
              @Override
              public void onOpen(WebSocket webSocket) {
                // never request a message: the socket is not read and TCP backs up
              }
            })
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void aNeverReadingClientStaysWithinItsBoundIsClosedAndDoesNotSlowAReader() throws Exception {
    int maxFrames = 1024;
    long maxBytes = 1024 * 1024;
    fixture =
        new GatewayFixture(
            b -> b.outbox(maxFrames, maxBytes).slowClientTimeout(Duration.ofSeconds(2)));
    CluTestActor actor = fixture.actor();
    WebSocket frozen = neverReading(fixture.uri());
    // The client side sees the upgrade before the server registers it: wait for the registration
    // before the reader connects, so that the one registered client is the frozen one.
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 1);
    ClientConnection frozenClient = fixture.gateway().hub().clients().get(0);
    WsClient reader = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 2);

    String pad = "x".repeat(2000);
    int replies = 12_000; // about 24 MB: far more than the socket buffers and the bound hold
    AtomicLong maxQueuedBytes = new AtomicLong();
    long start = System.nanoTime();
    for (int i = 0; i < replies; i++) {
      actor.broadcast(Map.of("seq", i, "pad", pad));
      if (i % 100 == 0) {
        maxQueuedBytes.accumulateAndGet(frozenClient.outbox().queuedBytes(), Math::max);
        // about 4,000 replies per second
        long due = start + i * 250_000L;
        java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
      }
    }

    await().atMost(Duration.ofSeconds(30)).until(() -> reader.frames().size() == replies);
    assertThat(maxQueuedBytes.get()).isLessThanOrEqualTo(maxBytes);
    assertThat(frozenClient.outbox().queued()).isLessThanOrEqualTo(maxFrames);
    assertThat(frozenClient.outbox().shedCount()).isPositive();
    await().atMost(WAIT).until(frozenClient::isClosed);
    assertThat(fixture.gateway().stats().slowClientsClosed.sum()).isEqualTo(1);
    assertThat(fixture.gateway().hub().clientCount()).isEqualTo(1);
    List<Integer> seqs =
        reader.frames().stream().map(f -> f.path("body").path("seq").asInt()).toList();
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
    frozen.abort();
  }

  @Test
  void aClientThatReconnectsWithSinceReceivesWhatItMissedBeforeLiveReplies() {
    fixture = new GatewayFixture(b -> b);
    CluTestActor actor = fixture.actor();
    WsClient first = fixture.client(fixture.uri("/?seq=true"));
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 1);
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
    fixture = new GatewayFixture(b -> b);
    CluTestActor actor = fixture.actor();
    WsClient first = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 1);
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
    fixture = new GatewayFixture(b -> b.commandRate(1, 3));
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    for (int i = 0; i < 5; i++) {
      client.send(
          "{\"consumer\": \"" + actor.name() + "\", \"command_string\": \"ping\","
              + " \"command_id\": \"r" + i + "\"}");
    }

    for (int i = 0; i < 3; i++) {
      assertThat(CluCompatibilityIT.codes(client.awaitFinished("r" + i))).containsExactly(">", ":");
    }
    for (int i = 3; i < 5; i++) {
      JsonNode refusal = client.awaitFinished("r" + i).get(0);
      assertThat(refusal.path("headers").path("sender").asText()).isEqualTo(fixture.name);
      assertThat(refusal.path("body").path("error").asText()).contains("rate limit exceeded");
    }
    assertThat(actor.received()).hasSize(3);
  }

  @Test
  void aClientBeyondTheConnectionLimitIsRefusedWith503() throws Exception {
    fixture = new GatewayFixture(b -> b.maxConnections(1));
    fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 1);

    String response = RawHttp.upgrade(fixture.server.port(), "/");

    assertThat(response).startsWith("HTTP/1.1 503");
    assertThat(response).contains("the gateway serves its maximum of 1 clients");
  }

  @Test
  void shuttingDownDeliversWhatWasQueuedThenClosesWith1001() {
    fixture = new GatewayFixture(b -> b);
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();
    await().atMost(WAIT).until(() -> fixture.gateway().hub().clientCount() == 1);
    for (int i = 0; i < 2000; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> fixture.gateway().stats().repliesIn.sum() == 2000);

    fixture.server.close();

    assertThat(client.awaitCloseCode()).isEqualTo(1001);
    assertThat(client.frames()).hasSize(2000);
  }

  @Test
  void startingAndStoppingGatewaysInALoopLeavesNoThreadBehind() {
    int before = cluWsThreads();
    for (int i = 0; i < 10; i++) {
      try (GatewayFixture loop = new GatewayFixture(b -> b)) {
        loop.client();
      }
    }
    await().atMost(WAIT).until(() -> cluWsThreads() <= before);
  }

  private static int cluWsThreads() {
    int count = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      String name = thread.getName();
      if (thread.isAlive()
          && (name.startsWith("clu-ws-") || name.startsWith("AMQP Connection"))) {
        count++;
      }
    }
    return count;
  }
}
