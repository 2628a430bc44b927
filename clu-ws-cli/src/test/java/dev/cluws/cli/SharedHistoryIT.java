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
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways on one broker sharing one history stream ({@code --history-stream}), behind a real
 * nginx load balancer (Debian's package, as this test's child process on loopback, round robin over
 * both). Without nginx the test is skipped with a message, or fails with {@code
 * CLU_WS_REQUIRE_NGINX=1} (set by {@code .ci/run}). The stream is deleted after each test.
 */
class SharedHistoryIT {
  private static final Duration WAIT = WsClient.WAIT;

  @TempDir Path dir;

  private final AmqpSettings amqp = GatewayFixture.amqpSettings();
  private final String stream = TestBroker.uniqueName("history");
  private final String nameA = TestBroker.uniqueName("gw-a");
  private final String nameB = TestBroker.uniqueName("gw-b");
  private final List<AutoCloseable> resources = new ArrayList<>();
  private WebsocketServer gatewayA;
  private WebsocketServer gatewayB;
  private CluTestActor actor;
  private LoopbackNginx nginx;
  private int nginxPort;

  @BeforeEach
  void startTwoGatewaysAndNginxInFront() throws Exception {
    LoopbackNginx.requireInstalled("SharedHistoryIT");
    gatewayA = start(nameA, 0);
    gatewayB = start(nameB, 0);
    actor = keep(CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor")));
    nginxPort = LoopbackPorts.free();
    nginx = LoopbackNginx.start(dir, nginxPort, balancer(gatewayA.port(), gatewayB.port()));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (nginx != null) {
      nginx.close();
    }
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    if (gatewayA != null) {
      TestBroker.deleteQueue(stream); // durable: each test deletes its own
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource); // closed in reverse order: clients, then servers
    return resource;
  }

  private WebsocketServer start(String name, int port) {
    return keep(
        new WebsocketServer(
                Gateway.builder()
                    // A small replay ring: a client that moved finds its resume point only in
                    // the shared stream.
                    .gatewaySettings(
                        GatewaySettings.named(name).toBuilder().replay(5, 1 << 20).build())
                    .settings(amqp)
                    .history(new StreamHistory(amqp, HistorySettings.named(stream), name))
                    .build(),
                ServerSettings.defaults().withHost("127.0.0.1").withPort(port))
            .start());
  }

  /** A client through nginx; returns it once one of the gateways has registered it. */
  private WsClient throughNginx(String query) {
    int before = clients();
    WsClient client =
        keep(WsClient.connect(URI.create("ws://127.0.0.1:" + nginxPort + "/?" + query)));
    await().atMost(WAIT).until(() -> clients() == before + 1);
    return client;
  }

  private int clients() {
    return count(gatewayA) + count(gatewayB);
  }

  private static int count(WebsocketServer server) {
    return server == null ? 0 : server.gateway().hub().clientCount();
  }

  private static List<Integer> numbers(List<JsonNode> frames) {
    return frames.stream()
        .filter(f -> f.path("body").has("n"))
        .map(f -> f.path("body").path("n").asInt())
        .toList();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void aClientMovedToTheOtherInstanceResumesWithoutLossOrDuplicates() {
    WsClient first = throughNginx("actors=" + actor.name());
    WebsocketServer servedBy = count(gatewayA) == 1 ? gatewayA : gatewayB;
    for (int i = 1; i <= 20; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await().atMost(WAIT).until(() -> numbers(first.frames()).size() == 20);
    String lastSeen = first.frames().get(19).path("message_id").asText();

    // The instance it was on goes away (an upgrade, a crash); replies go on meanwhile, more than
    // the other instance's replay ring keeps.
    servedBy.close();
    for (int i = 21; i <= 40; i++) {
      actor.broadcast(Map.of("n", i));
    }
    WsClient moved = throughNginx("actors=" + actor.name() + "&since=" + lastSeen);
    for (int i = 41; i <= 50; i++) {
      actor.broadcast(Map.of("n", i));
    }

    await().atMost(WAIT).until(() -> numbers(moved.frames()).size() >= 30);
    assertThat(numbers(moved.frames())).isEqualTo(range(21, 50));
    JsonNode notice = moved.awaitFrame(f -> f.path("body").has("replay"));
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("from_history").asInt()).isPositive();
    assertThat(notice.path("headers").path("sender").asText())
        .isNotEqualTo(servedBy.gateway().name());
  }

  @Test
  void aCommandSentThroughOneInstanceIsAnsweredToThatClientOnly() {
    WsClient one = throughNginx("own=true");
    WsClient other = throughNginx("own=true");
    assertThat(count(gatewayA)).isEqualTo(1); // nginx's round robin: one client on each
    assertThat(count(gatewayB)).isEqualTo(1);

    one.send(ping("mine-1"));
    assertThat(one.awaitFinished("mine-1")).last().satisfies(f -> text(f, "Pong."));
    other.send(ping("theirs-1"));
    assertThat(other.awaitFinished("theirs-1")).last().satisfies(f -> text(f, "Pong."));

    assertThat(one.frames())
        .allSatisfy(
            f -> assertThat(f.path("headers").path("command_id").asText()).isEqualTo("mine-1"));
    assertThat(other.frames())
        .allSatisfy(
            f -> assertThat(f.path("headers").path("command_id").asText()).isEqualTo("theirs-1"));
  }

  @Test
  void aRestartedInstanceServesTheStateFromBeforeItsRestartAtOnce() throws Exception {
    WsClient watcher = throughNginx("actors=" + actor.name());
    actor.broadcast(Map.of("dome", "open", "lights", 3));
    actor.broadcast(Map.of("lights", 4));
    await().atMost(WAIT).until(() -> watcher.frames().size() == 2);

    int port = gatewayB.port();
    gatewayB.close();
    gatewayB = start(nameB, port);
    await().atMost(WAIT).until(() -> readyz(gatewayB).statusCode() == 200);

    WsClient client =
        keep(WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?snapshot=true")));
    JsonNode snapshot = client.awaitFrame(f -> f.path("headers").path("snapshot").asBoolean());
    assertThat(snapshot.path("headers").path("sender").asText()).isEqualTo(actor.name());
    assertThat(snapshot.path("body").path("dome").asText()).isEqualTo("open");
    assertThat(snapshot.path("body").path("lights").asInt()).isEqualTo(4);
  }

  @Test
  void aHistoryRequestThroughTheLoadBalancerIsAnsweredFromTheSharedStream() {
    for (int i = 1; i <= 30; i++) {
      actor.broadcast(Map.of("n", i));
    }
    WsClient client = throughNginx("");
    java.util.concurrent.atomic.AtomicInteger attempt =
        new java.util.concurrent.atomic.AtomicInteger();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              // Until the stream has all 30 (it is fed beside the gateways' own queues).
              String id = "h" + attempt.incrementAndGet();
              client.send(
                  "{\"control\": \"history\", \"command_id\": \""
                      + id
                      + "\", \"actors\": [\""
                      + actor.name()
                      + "\"], \"minutes\": 10}");
              JsonNode end =
                  client.awaitFrame(
                      f ->
                          id.equals(f.path("headers").path("command_id").asText())
                              && f.path("body").has("replies"));
              return end.path("body").path("replies").asInt() == 30;
            });
    String last = "h" + attempt.get();
    List<JsonNode> frames = client.frames();
    int end = frames.size() - 1;
    while (!last.equals(frames.get(end).path("headers").path("command_id").asText())) {
      end--;
    }
    assertThat(frames.get(end).path("body").path("complete").asBoolean()).isTrue();
    List<JsonNode> history =
        frames.subList(end - 30, end).stream()
            .filter(f -> f.path("headers").path("history").asBoolean())
            .toList();
    assertThat(numbers(history)).isEqualTo(range(1, 30));
  }

  private String ping(String commandId) {
    return "{\"consumer\": \""
        + actor.name()
        + "\", \"command_string\": \"ping\", \"command_id\": \""
        + commandId
        + "\"}";
  }

  private static void text(JsonNode frame, String text) {
    assertThat(frame.path("body").path("text").asText()).isEqualTo(text);
  }

  private static HttpResponse<String> readyz(WebsocketServer server) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/readyz"))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /** nginx's round robin over the two gateways, websockets passed through. */
  private String balancer(int portA, int portB) {
    return String.join(
        "\n",
        "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
        "  upstream clu_ws {",
        "    server 127.0.0.1:" + portA + " max_fails=1 fail_timeout=60s;",
        "    server 127.0.0.1:" + portB + " max_fails=1 fail_timeout=60s;",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + nginxPort + ";",
        "    location / {",
        "      proxy_pass http://clu_ws;",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Upgrade $http_upgrade;",
        "      proxy_set_header Connection $connection_upgrade;",
        "      proxy_read_timeout 1h;",
        "      proxy_next_upstream error timeout;",
        "    }",
        "  }");
  }
}
