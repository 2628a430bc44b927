package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A user installs a filter plugin into the distribution by dropping its jar into {@code plugins/},
 * here the example plugin {@code match} (built by its own module; the build copies its jar to the
 * path in the system property {@code example.plugin.jar}) in a copy of {@code target/clu-ws}.
 */
class PluginDistributionIT {
  private static final Path DISTRIBUTION = Path.of("target", "clu-ws");
  private static final Path EXAMPLE_PLUGIN = Path.of(System.getProperty("example.plugin.jar", ""));

  private Path installed;
  private Process process;

  @AfterEach
  void cleanUp() throws IOException, InterruptedException {
    if (process != null) {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
    if (installed != null) {
      deleteRecursively(installed);
    }
  }

  @Test
  void theDistributionHasAPluginsDirectory() {
    assertThat(DISTRIBUTION.resolve("plugins")).isDirectory();
    assertThat(DISTRIBUTION.resolve("plugins").resolve("README.txt"))
        .content()
        .contains("Put the jar of a filter plugin");
  }

  /** A copy of the distribution with the example plugin in {@code plugins/}. */
  private void installWithThePlugin() throws IOException {
    assertThat(EXAMPLE_PLUGIN)
        .as("the example plugin's jar (-Dexample.plugin.jar)")
        .isRegularFile();
    installed = Files.createTempDirectory("clu-ws-dist");
    copyRecursively(DISTRIBUTION, installed);
    Files.copy(EXAMPLE_PLUGIN, installed.resolve("plugins").resolve(EXAMPLE_PLUGIN.getFileName()));
  }

  /** Runs {@code bin/clu-ws} with these arguments until it exits; returns its exit status. */
  private int runToExit(Path output, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(installed.resolve("bin").resolve("clu-ws").toString());
    command.addAll(List.of(args));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("clu-ws exited").isTrue();
    return process.exitValue();
  }

  @Test
  void helpPluginsListsTheExamplePluginWithItsSetting() throws Exception {
    installWithThePlugin();
    Path output = installed.resolve("help.txt");

    assertThat(runToExit(output, "--help-plugins")).isZero();

    assertThat(output)
        .content()
        .contains(
            "  match\n",
            "    --filter.match.max-texts=<integer>\n"
                + "        The most texts a client may give in match=... (default: 16; 1 to 1024;"
                + " environment CLU_WS_FILTER_MATCH_MAX_TEXTS)");
  }

  @Test
  void aWrongValueForThePluginsSettingStopsCluWsWithOneLineAndExitStatus2() throws Exception {
    installWithThePlugin();
    Path output = installed.resolve("wrong.txt");

    int status =
        runToExit(
            output,
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(LoopbackPorts.free()),
            "-H",
            "127.0.0.1",
            "--filter.match.max-texts=lots");

    assertThat(status).isEqualTo(2);
    assertThat(Files.readAllLines(output))
        .containsExactly(
            "clu-ws: --filter.match.max-texts: 'lots' is not an integer (e.g. 16; at most"
                + " 2147483647)");
  }

  @Test
  void theOperatorsSettingLimitsTheExamplePluginForEveryClient() throws Exception {
    installWithThePlugin();
    int port = LoopbackPorts.free();
    Path log = installed.resolve("clu-ws.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                script(
                    port, TestBroker.uniqueName("plugin-ex"), TestBroker.uniqueName("plugin-gw")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("CLU_WS_FILTER_MATCH_MAX_TEXTS", "2");
    process = builder.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> LoopbackPorts.listening(port));

    assertThat(RawHttp.upgrade(port, "/?match=open,closed,moving"))
        .startsWith("HTTP/1.1 400")
        .contains("invalid parameter 'match': match takes at most 2 texts, not 3");
    try (WsClient client =
        WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?match=open,closed"))) {
      assertThat(client.frames()).as("a client within the limit is connected").isNotNull();
    }
  }

  @Test
  void aPluginJarInThePluginsDirectoryGivesClientsItsFilter() throws Exception {
    installWithThePlugin();
    int port = LoopbackPorts.free();
    String exchange = TestBroker.uniqueName("plugin-ex");
    Path log = installed.resolve("clu-ws.log");
    process =
        new ProcessBuilder(script(port, exchange, TestBroker.uniqueName("plugin-gw")))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    try (CluTestActor actor = CluTestActor.start(exchange, TestBroker.uniqueName("actor"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> LoopbackPorts.listening(port));
      try (WsClient client =
          WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/?match=open"))) {
        // The upgrade may complete a moment before the gateway fans replies out to the client:
        // publish matching probes until one arrives (the later replies follow them in order).
        await()
            .atMost(WsClient.WAIT)
            .pollInterval(Duration.ofMillis(200))
            .until(
                () -> {
                  actor.broadcast(Map.of("probe", "open"));
                  return !client.frames().isEmpty();
                });

        actor.broadcast(Map.of("dome", "closed"));
        actor.broadcast(Map.of("dome", "OPEN"));
        actor.broadcast(Map.of("text", "the door is open"));

        client.awaitFrame(f -> f.path("body").has("text"));
        assertThat(client.frames())
            .extracting(f -> f.path("body").toString())
            .filteredOn(body -> !body.equals("{\"probe\":\"open\"}"))
            .containsExactly("{\"dome\":\"OPEN\"}", "{\"text\":\"the door is open\"}");
      }
    }
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(PluginDistributionIT::delete);
    }
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The installed script's command line for a gateway on {@code port}. */
  private List<String> script(int port, String exchange, String name) {
    List<String> command = new ArrayList<>();
    command.add(installed.resolve("bin").resolve("clu-ws").toString());
    command.addAll(GatewayArgs.onTestBroker(port, exchange, name));
    return command;
  }
}
