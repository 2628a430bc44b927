package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client ({@code clients/js}): its Node tests ({@code node --test}) against a real
 * gateway (its URL and a CLU test actor's name in the environment; a second gateway requires a
 * token), and its unit tests, which need no gateway.
 */
class JsClientIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void theJavaScriptClientPassesItsTestsAgainstARealGateway() throws Exception {
    List<String> node = NodeTests.node();
    String token = "js-token-" + UUID.randomUUID();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (GatewayFixture fixture = GatewayFixture.start();
        GatewayFixture secured = GatewayFixture.builder().token(token, "js", "operator").start()) {
      CluTestActor slow = slowActor(fixture.actor(TestBroker.uniqueName("slow")), timer);
      CluTestActor actor = fixture.actor();
      CluTestActor securedActor = secured.actor();
      try (AutoCloseable heartbeat = NodeTests.heartbeat(actor)) {
        List<String> command = new ArrayList<>(node);
        command.addAll(List.of("--test", "--test-reporter=spec"));
        command.addAll(NodeTests.testFiles("test"));

        NodeTests.Run run =
            NodeTests.run(
                command,
                Map.of(
                    "CLU_WS_URL", fixture.uri().toString(),
                    "CLU_WS_ACTOR", actor.name(),
                    "CLU_WS_SLOW_ACTOR", slow.name(),
                    "CLU_WS_AUTH_URL", secured.uri().toString(),
                    "CLU_WS_AUTH_ACTOR", securedActor.name(),
                    "CLU_WS_TOKEN", token),
                TIMEOUT,
                Path.of("target", "js-client-tests.log").toAbsolutePath());

        assertPassedAll(run);
      }
    } finally {
      timer.shutdownNow();
    }
  }

  /**
   * The client's unit tests: a fake WebSocket instead of a gateway, the TypeScript declarations
   * compiled with {@code tsc --strict} (TypeScript from {@code npm ci}) and the {@code npm pack}
   * content.
   */
  @Test
  void theJavaScriptClientPassesItsUnitTestsWithoutAGateway() throws Exception {
    List<String> node = NodeTests.node();
    NodeTests.need(
        Files.isDirectory(NodeTests.CLIENT_DIR.resolve("node_modules/typescript")),
        "TypeScript is not installed in clients/js: run 'npm ci' there");
    List<String> command = new ArrayList<>(node);
    command.addAll(List.of("--test", "--test-reporter=spec"));
    command.addAll(NodeTests.testFiles("test-unit"));

    NodeTests.Run run =
        NodeTests.run(
            command,
            Map.of(),
            TIMEOUT,
            Path.of("target", "js-client-unit-tests.log").toAbsolutePath());

    assertPassedAll(run);
  }

  private static void assertPassedAll(NodeTests.Run run) {
    assertThat(run.exitCode())
        .withFailMessage("node --test failed (exit %d):%n%s", run.exitCode(), run.output())
        .isZero();
    assertThat(run.output())
        .withFailMessage("node --test skipped or ran no test:%n%s", run.output())
        .containsPattern("(?m)^\u2139 fail 0$")
        .containsPattern("(?m)^\u2139 skipped 0$")
        .doesNotContainPattern("(?m)^\u2139 pass 0$");
  }

  /**
   * A CLU actor whose {@code wait <ms>} command answers {@code >} at once and {@code :} with {@code
   * {"text": "waited <ms> ms"}} that much later (at most 5 s), so a test can drop a socket while a
   * command is still running; {@code wait} with anything else fails.
   */
  private static CluTestActor slowActor(CluTestActor actor, ScheduledExecutorService timer) {
    return actor.on(
        "wait",
        command -> {
          String[] words = command.commandString().trim().split("\\s+");
          if (words.length == 2 && words[1].matches("\\d{1,4}")) {
            long ms = Math.min(5000, Long.parseLong(words[1]));
            Map<String, String> done = Map.of("text", "waited " + ms + " ms");
            // A reply after the test closed the connection fails, and is dropped with its task.
            var unused =
                timer.schedule(() -> actor.reply(command, ":", done), ms, TimeUnit.MILLISECONDS);
          } else {
            actor.reply(command, "f", Map.of("error", "usage: wait <ms>"));
          }
        });
  }
}
