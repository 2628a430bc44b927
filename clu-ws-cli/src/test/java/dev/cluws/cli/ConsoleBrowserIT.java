package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.amqp.testing.CluTestActor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium}, driven by {@code
 * playwright-core} from {@code clients/js/node_modules}; never a downloaded browser) against a real
 * gateway and CLU test actor. The Node script {@code clients/js/test-browser/console.test.js} opens
 * the console, waits for the actor's broadcast, sends {@code ping} and a command to an actor that
 * is not running, and saves a screenshot to {@code target/console.png}.
 */
class ConsoleBrowserIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CLU_WS_CHROMIUM", "/usr/bin/chromium"));

  @Test
  void theConsoleShowsBroadcastsAndCommandCardsInARealBrowser() throws Exception {
    List<String> node = NodeTests.node();
    NodeTests.need(
        Files.isExecutable(CHROMIUM),
        "no Chromium at " + CHROMIUM + " (apt-get install chromium, or set CLU_WS_CHROMIUM)");
    NodeTests.need(
        Files.isRegularFile(
            NodeTests.CLIENT_DIR.resolve("node_modules/playwright-core/package.json")),
        "playwright-core is not installed: run 'npm ci' in " + NodeTests.CLIENT_DIR);
    Path screenshot = Path.of("target", "console.png").toAbsolutePath();
    Files.deleteIfExists(screenshot);

    try (GatewayFixture fixture = new GatewayFixture()) {
      CluTestActor actor = fixture.actor();
      try (AutoCloseable heartbeat = NodeTests.heartbeat(actor)) {
        List<String> command = new ArrayList<>(node);
        command.addAll(List.of("--test", "--test-reporter=spec"));
        command.addAll(NodeTests.testFiles("test-browser"));
        String page = fixture.uri().toString().replaceFirst("^ws", "http");

        NodeTests.Run run =
            NodeTests.run(
                command,
                Map.of(
                    "CLU_WS_HTTP_URL", page,
                    "CLU_WS_ACTOR", actor.name(),
                    "CLU_WS_CHROMIUM", CHROMIUM.toString(),
                    "CLU_WS_SCREENSHOT", screenshot.toString()),
                TIMEOUT,
                Path.of("target", "console-browser-tests.log").toAbsolutePath());

        assertThat(run.exitCode())
            .withFailMessage("the browser test failed (exit %d):%n%s", run.exitCode(), run.output())
            .isZero();
        assertThat(run.output())
            .withFailMessage("the browser test skipped or ran no test:%n%s", run.output())
            .containsPattern("(?m)^\u2139 fail 0$")
            .containsPattern("(?m)^\u2139 skipped 0$")
            .doesNotContainPattern("(?m)^\u2139 pass 0$");
        assertThat(screenshot).isNotEmptyFile();
      }
    }
  }
}
