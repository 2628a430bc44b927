package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.amqp.testing.TcpProxy;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --wait-for-broker}: the command waits for RabbitMQ at start-up, run in-process. */
class WaitForBrokerIT {
  private final StringWriter err = new StringWriter();
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = LogCapture.of(BrokerWait.class.getName());
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private List<String> attemptLines() {
    return log.messages().stream().filter(m -> m.startsWith("start-up attempt ")).toList();
  }

  private static BrokerWait parsed(String... args) {
    CluWsCommand command = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    new CommandLine(command).parseArgs(args);
    return command.broker.waitForBroker;
  }

  @Test
  void theOptionTakesADurationOrNoValueForForeverAndIsOffByDefault() {
    assertThat(parsed()).isSameAs(BrokerWait.NONE);
    assertThat(parsed("--wait-for-broker").limit()).isNull();
    assertThat(parsed("--wait-for-broker", "--port", "1").limit()).isNull();
    assertThat(parsed("--wait-for-broker=60s").limit()).isEqualTo(Duration.ofSeconds(60));
    assertThat(parsed("--wait-for-broker=2m").limit()).isEqualTo(Duration.ofMinutes(2));
    assertThat(parsed("--wait-for-broker=PT1M").limit()).isEqualTo(Duration.ofMinutes(1));
    assertThat(
            new CommandLine(new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0)).getUsageMessage())
        .contains("--wait-for-broker[=<duration>]");
  }

  @Test
  void aValueThatIsNoDurationIsAUsageErrorThatSaysWhatToWrite() {
    int status =
        Main.execute(new String[] {"--wait-for-broker=soon"}, Map.of(), new PrintWriter(err, true));

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("invalid duration 'soon': use e.g. 30s, 2m");
  }

  @Test
  void theGatewayStartsOnceTheBrokerIsReachableAndThenServes() throws Exception {
    String exchange = TestBroker.uniqueName("test-ex");
    String name = TestBroker.uniqueName("gw");
    int port = LoopbackPorts.free();
    try (TcpProxy proxy = TcpProxy.toTestBroker()) {
      proxy.cut();
      CompletableFuture<Integer> status = new CompletableFuture<>();
      Thread main =
          new Thread(
              () ->
                  status.complete(
                      Main.execute(
                          new String[] {
                            "--host",
                            "127.0.0.1",
                            "--port",
                            String.valueOf(port),
                            "-H",
                            "127.0.0.1",
                            "-P",
                            String.valueOf(proxy.port()),
                            "--exchange",
                            exchange,
                            "--name",
                            name,
                            "--wait-for-broker=20s"
                          },
                          Map.of(),
                          new PrintWriter(err, true))),
              "clu-ws-main");
      main.setDaemon(true);
      main.start();
      try {
        // It keeps trying while the broker is away...
        await().atMost(Duration.ofSeconds(10)).until(() -> attemptLines().size() >= 2);
        assertThat(attemptLines().get(0))
            .contains("attempt 1 failed", "RabbitMQ", "trying again in 500ms", "left");
        assertThat(status).isNotDone();
        proxy.restore();

        // ...and serves once it is back: a websocket client commands an actor.
        try (CluTestActor actor = CluTestActor.start(exchange, TestBroker.uniqueName("actor"));
            WsClient client = connectWhenUp(URI.create("ws://127.0.0.1:" + port + "/"))) {
          client.send(
              "{\"consumer\": \""
                  + actor.name()
                  + "\", \"command_string\": \"ping\","
                  + " \"command_id\": \"after-wait\"}");
          List<JsonNode> replies = client.awaitFinished("after-wait");
          assertThat(replies.get(replies.size() - 1).path("body").path("text").asText())
              .isEqualTo("Pong.");
        }
      } finally {
        main.interrupt(); // Main closes the server when its wait is interrupted
        main.join(Duration.ofSeconds(10).toMillis());
      }
      assertThat(main.isAlive()).isFalse();
      assertThat(status).isCompletedWithValue(0);
      assertThat(err.toString()).isEmpty();
    }
  }

  @Test
  void whenTheTimeRunsOutItFailsWithTheUsualOneLine() throws IOException {
    int closedPort = LoopbackPorts.free();
    long start = System.nanoTime();

    int status =
        Main.execute(
            new String[] {
              "--host",
              "127.0.0.1",
              "--port",
              "0",
              "-H",
              "127.0.0.1",
              "-P",
              String.valueOf(closedPort),
              "--wait-for-broker=1s"
            },
            Map.of(),
            new PrintWriter(err, true));

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "clu-ws: cannot connect to RabbitMQ at amqp://guest@127.0.0.1:"
                + closedPort
                + "/: connection refused (is RabbitMQ running?)");
    assertThat(attemptLines()).hasSizeGreaterThanOrEqualTo(2);
    assertThat(took).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(8));
  }

  private static WsClient connectWhenUp(URI uri) {
    AtomicReference<WsClient> client = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              client.set(WsClient.connect(uri));
              return true;
            });
    return client.get();
  }
}
