package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The built distribution ({@code target/clu-ws/bin/clu-ws}) running as its own process on a free
 * loopback port, with a fresh exchange and name on the test broker, its standard output and error
 * going to a file: how an operator runs it, and what its log really holds.
 */
final class Distribution implements AutoCloseable {
  private static final Path SCRIPT = Path.of("target", "clu-ws", "bin", "clu-ws");

  private final Process process;
  private final Path log;
  private final int port;
  private final String exchange;

  private Distribution(Process process, Path log, int port, String exchange) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.exchange = exchange;
  }

  /**
   * Starts it with these variables (no other {@code CLU_WS_*} variable) and options, and waits
   * until it serves.
   */
  static Distribution start(Map<String, String> environment, String... options) throws IOException {
    return start(environment, List.of(), options);
  }

  /**
   * The same, started through {@code launcher} (a command that runs the script with the rest of the
   * command line, e.g. {@code env --default-signal=HUP}); the process is then the script's, since
   * {@code env} and the script both exec.
   */
  static Distribution start(
      Map<String, String> environment, List<String> launcher, String... options)
      throws IOException {
    int port = LoopbackPorts.free();
    String exchange = TestBroker.uniqueName("dist-ex");
    List<String> command = new ArrayList<>(launcher);
    command.add(SCRIPT.toString());
    command.addAll(
        GatewayArgs.onTestBroker(port, exchange, TestBroker.uniqueName("dist-gw"), options));
    Path log = Files.createTempFile("clu-ws-log", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("CLU_WS_"));
    builder.environment().putAll(environment);
    Distribution distribution = new Distribution(builder.start(), log, port, exchange);
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  !distribution.process.isAlive()
                      || distribution.logText().contains("listening on"));
      assertThat(distribution.process.isAlive())
          .as("clu-ws is running: %s", distribution.logText())
          .isTrue();
      return distribution;
    } catch (RuntimeException | Error e) {
      distribution.close();
      throw e;
    }
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  int port() {
    return port;
  }

  /** The exchange it consumes and publishes on (a fresh one). */
  String exchange() {
    return exchange;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Everything it wrote so far. */
  String logText() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** How many bytes it wrote so far. */
  long logBytes() throws IOException {
    return Files.size(log);
  }

  /** Stops it with SIGTERM, waits for it to exit, and returns every non-blank line it wrote. */
  List<String> stop() throws Exception {
    process.destroy(); // SIGTERM
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("clu-ws stopped").isTrue();
    return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isBlank())
        .toList();
  }

  @Override
  public void close() throws IOException {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Files.deleteIfExists(log);
  }
}
