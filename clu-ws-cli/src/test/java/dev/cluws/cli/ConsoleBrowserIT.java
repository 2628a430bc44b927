package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium}, driven by {@code
 * playwright-core} from {@code clients/js/node_modules}; never a downloaded browser) against a real
 * gateway on the real broker. Each test runs one Node script of {@code clients/js/test-browser}
 * with its own gateway; the scripts save screenshots to {@code target/screenshots/} and the state
 * view's measurements to {@code target/state-view-bench.json}.
 */
class ConsoleBrowserIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(240);
  private static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CLU_WS_CHROMIUM", "/usr/bin/chromium"));
  private static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

  private List<String> node;

  @BeforeEach
  void needNodeAndChromium() throws IOException {
    node = NodeTests.node();
    NodeTests.need(
        Files.isExecutable(CHROMIUM),
        "no Chromium at " + CHROMIUM + " (apt-get install chromium, or set CLU_WS_CHROMIUM)");
    for (String module : List.of("playwright-core", "axe-core")) {
      NodeTests.need(
          Files.isRegularFile(
              NodeTests.CLIENT_DIR.resolve("node_modules/" + module + "/package.json")),
          module + " is not installed: run 'npm ci' in " + NodeTests.CLIENT_DIR);
    }
    Files.createDirectories(SCREENSHOTS);
  }

  @Test
  void theConsoleShowsBroadcastsAndCommandCardsAccessiblyInARealBrowser() throws Exception {
    try (GatewayFixture fixture = GatewayFixture.start()) {
      CluTestActor actor = fixture.actor();
      try (AutoCloseable heartbeat = NodeTests.heartbeat(actor)) {
        run(fixture, "console.test.js", Map.of("CLU_WS_ACTOR", actor.name()));
      }
    }
    assertThat(SCREENSHOTS.resolve("stream-wide-light.png")).isNotEmptyFile();
    assertThat(SCREENSHOTS.resolve("command-card.png")).isNotEmptyFile();
  }

  @Test
  void theStateViewShowsTwoHundredActorsFromTheSnapshotAndKeepsUpWithLiveReplies()
      throws Exception {
    Path bench = Path.of("target", "state-view-bench.json").toAbsolutePath();
    Files.deleteIfExists(bench);
    try (GatewayFixture fixture = GatewayFixture.start();
        StatePublisher publisher =
            StatePublisher.start(
                fixture.amqp().exchange(), TestBroker.uniqueName("publisher"), "st", () -> {})) {
      run(
          fixture,
          "state.test.js",
          Map.of("CLU_WS_PUBLISHER", publisher.name(), "CLU_WS_BENCH_OUT", bench.toString()));
    }
    assertThat(bench).isNotEmptyFile();
    for (String shot :
        List.of("state-wide-light", "state-wide-dark", "state-narrow-light", "state-narrow-dark")) {
      assertThat(SCREENSHOTS.resolve(shot + ".png")).isNotEmptyFile();
    }
  }

  @Test
  void theConsoleSaysInWordsThatTheGatewayClosedTheConnectionAndWhy() throws Exception {
    try (GatewayFixture fixture = GatewayFixture.start()) {
      try (StatePublisher publisher =
          StatePublisher.start(
              fixture.amqp().exchange(),
              TestBroker.uniqueName("publisher"),
              "st",
              fixture.server()::close)) {
        run(fixture, "connection.test.js", Map.of("CLU_WS_PUBLISHER", publisher.name()));
      }
    }
  }

  @Test
  void theStateViewSaysSoWhenTheGatewayKeepsNoStateAndFillsFromLiveReplies() throws Exception {
    try (GatewayFixture fixture =
        GatewayFixture.builder().gatewaySettings(b -> b.state(0, 1, 1)).start()) {
      CluTestActor actor = fixture.actor();
      try (AutoCloseable heartbeat = NodeTests.heartbeat(actor)) {
        run(fixture, "no-state.test.js", Map.of("CLU_WS_ACTOR", actor.name()));
      }
    }
  }

  /** Runs one browser test script against {@code fixture} and asserts that all of it passed. */
  private void run(GatewayFixture fixture, String script, Map<String, String> env)
      throws Exception {
    List<String> command = new ArrayList<>(node);
    command.addAll(List.of("--test", "--test-reporter=spec", "test-browser/" + script));
    Map<String, String> environment = new HashMap<>(env);
    environment.put("CLU_WS_HTTP_URL", fixture.uri().toString().replaceFirst("^ws", "http"));
    environment.put("CLU_WS_CHROMIUM", CHROMIUM.toString());
    environment.put("CLU_WS_SCREENSHOTS", SCREENSHOTS.toString());
    String log = script.replace(".test.js", "") + "-browser-tests.log";
    NodeTests.Run run =
        NodeTests.run(command, environment, TIMEOUT, Path.of("target", log).toAbsolutePath());

    assertThat(run.exitCode())
        .withFailMessage("the browser test failed (exit %d):%n%s", run.exitCode(), run.output())
        .isZero();
    assertThat(run.output())
        .withFailMessage("the browser test skipped or ran no test:%n%s", run.output())
        .containsPattern("(?m)^\u2139 fail 0$")
        .containsPattern("(?m)^\u2139 skipped 0$")
        .doesNotContainPattern("(?m)^\u2139 pass 0$");
  }
}
