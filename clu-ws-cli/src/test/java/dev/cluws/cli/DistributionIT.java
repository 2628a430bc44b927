package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.amqp.testing.CluTestActor;
import dev.cluws.amqp.testing.TestBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The assembled distribution ({@code target/clu-ws/bin/clu-ws}) as a user runs it. */
class DistributionIT {
  private static final Path SCRIPT = Path.of("target", "clu-ws", "bin", "clu-ws");

  @Test
  void theDistributionHasTheCommandAndItsLibraries() throws IOException {
    assertThat(SCRIPT).isExecutable();
    try (var jars = Files.list(Path.of("target", "clu-ws", "lib"))) {
      assertThat(jars.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("clu-ws-core"))
          .anyMatch(n -> n.startsWith("clu-ws-amqp"))
          .anyMatch(n -> n.startsWith("clu-ws-jetty"))
          .anyMatch(n -> n.startsWith("clu-ws-filters"))
          .anyMatch(n -> n.startsWith("amqp-client"));
    }
  }

  @Test
  void versionRunsFromTheAssembledCommand() throws Exception {
    Process process =
        new ProcessBuilder(SCRIPT.toString(), "--version").redirectErrorStream(true).start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output).startsWith("clu-ws ");
    assertThat(process.exitValue()).isZero();
  }

  @Test
  void theCommandServesCluClientsAndClosesThemWith1001OnSigterm() throws Exception {
    int port = freePort();
    String exchange = TestBroker.uniqueName("dist-ex");
    Path log = Files.createTempFile("clu-ws-dist", ".log");
    Process process =
        new ProcessBuilder(
                SCRIPT.toString(),
                "--host", "127.0.0.1",
                "--port", String.valueOf(port),
                "-H", "127.0.0.1",
                "--exchange", exchange,
                "--name", TestBroker.uniqueName("dist-gw"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try (CluTestActor actor = CluTestActor.start(exchange, TestBroker.uniqueName("actor"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> listening(port));
      try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/any/path"))) {
        client.send(
            "{\"consumer\": \"" + actor.name() + "\", \"command_string\": \"ping\","
                + " \"command_id\": \"d-1\"}");
        assertThat(client.awaitFinished("d-1")).hasSize(2);

        process.destroy(); // SIGTERM

        assertThat(client.awaitCloseCode()).isEqualTo(1001);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
