package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.ConnectionFactory;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
  void javaOptsOverrideTheJvmOptionsOfTheCommand() throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(SCRIPT.toString(), "--version").redirectErrorStream(true);
    builder
        .environment()
        .put("JAVA_OPTS", "-Xmx300m -XX:-UseSerialGC -XX:+UseG1GC -XX:+PrintCommandLineFlags");
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isZero();
    assertThat(output)
        .contains("-XX:MaxHeapSize=" + 300L * 1024 * 1024)
        .contains("-XX:+UseG1GC")
        .contains("clu-ws ");
  }

  @Test
  void theCommandStartsJavaWithTheDocumentedMemoryOptionsWhichJavaOptsOverride() throws Exception {
    assertThat(commandLineFlags("-XX:+PrintCommandLineFlags"))
        .contains("-XX:+UseSerialGC")
        .contains("-XX:MaxNewSize=" + 8L * 1024 * 1024)
        .contains("-XX:TieredStopAtLevel=1")
        .contains("-XX:MaxHeapFreeRatio=30");

    assertThat(
            commandLineFlags(
                "-XX:TieredStopAtLevel=4 -XX:MaxNewSize=64m -XX:+PrintCommandLineFlags"))
        .contains("-XX:TieredStopAtLevel=4")
        .contains("-XX:MaxNewSize=" + 64L * 1024 * 1024)
        .doesNotContain("-XX:TieredStopAtLevel=1");
  }

  /** What {@code clu-ws --version} prints with these {@code JAVA_OPTS}. */
  private static String commandLineFlags(String javaOpts) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(SCRIPT.toString(), "--version").redirectErrorStream(true);
    builder.environment().put("JAVA_OPTS", javaOpts);
    Process process = builder.start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).isZero();
    return output;
  }

  @Test
  void theCommandServesCluClientsAndClosesThemWith1001OnSigterm() throws Exception {
    try (Distribution clu = Distribution.start(Map.of());
        CluTestActor actor = CluTestActor.start(clu.exchange(), TestBroker.uniqueName("actor"));
        WsClient client =
            WsClient.connect(URI.create("ws://127.0.0.1:" + clu.port() + "/any/path"))) {
      client.send(
          "{\"consumer\": \""
              + actor.name()
              + "\", \"command_string\": \"ping\","
              + " \"command_id\": \"d-1\"}");
      assertThat(client.awaitFinished("d-1")).hasSize(2);

      List<String> log = clu.stop(); // SIGTERM; asserts that it exits within 20 s

      assertThat(client.awaitCloseCode()).as("%s", log).isEqualTo(1001);
    }
  }

  @Test
  void theReadmeRunCommandServesTheDemoWithAnEmbeddedBrokerWhereNoBrokerListens() throws Exception {
    int port = LoopbackPorts.free();
    int brokerPort =
        LoopbackPorts.free(); // nothing listens there: as on a machine without RabbitMQ
    Path log = Files.createTempFile("clu-ws-demo", ".log");
    Process process =
        new ProcessBuilder(
                SCRIPT.toString(),
                "--demo",
                "--host",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-P",
                String.valueOf(brokerPort))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !process.isAlive() || Files.readString(log).contains("listening on"));
      assertThat(process.isAlive()).as("clu-ws --demo runs: %s", Files.readString(log)).isTrue();
      try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/"))) {
        client.send(
            "{\"consumer\": \"demo\", \"command_string\": \"ping\", \"command_id\": \"p-1\"}");

        List<JsonNode> replies = client.awaitFinished("p-1");

        assertThat(replies.get(replies.size() - 1).path("headers").path("message_code").asText())
            .isEqualTo(":");
        assertThat(replies.get(replies.size() - 1).path("body").path("text").asText())
            .isEqualTo("Pong.");
      }
      List<String> brokerLines =
          Files.readAllLines(log).stream().filter(l -> l.contains("embedded AMQP broker")).toList();
      assertThat(brokerLines).hasSize(1);
      assertThat(brokerLines.get(0))
          .contains("no broker at localhost:" + brokerPort)
          .contains("amqp://guest:guest@127.0.0.1:" + brokerPort + "/");

      process.destroy(); // SIGTERM

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("exit status after SIGTERM").isEqualTo(143);
      assertThat(Files.readString(log)).doesNotContain("Exception", "ERROR", " WARN ");
    } finally {
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  @Test
  void withEmbeddedBrokerACluActorOnThisMachineConnectsByTheLoggedUriAndIsCommanded()
      throws Exception {
    int port = LoopbackPorts.free();
    int brokerPort = LoopbackPorts.free();
    Path log = Files.createTempFile("clu-ws-embedded", ".log");
    Process process =
        new ProcessBuilder(
                SCRIPT.toString(),
                "--embedded-broker",
                "--host",
                "127.0.0.1",
                "-p",
                String.valueOf(port),
                "-H",
                "127.0.0.1",
                "-P",
                String.valueOf(brokerPort))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> !process.isAlive() || Files.readString(log).contains("listening on"));
      assertThat(process.isAlive()).as("clu-ws runs: %s", Files.readString(log)).isTrue();
      Matcher uri =
          Pattern.compile("connect to it with (amqp://\\S+)").matcher(Files.readString(log));
      assertThat(uri.find())
          .as("the log names the broker's URI: %s", Files.readString(log))
          .isTrue();
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri.group(1));
      try (CluTestActor actor = CluTestActor.start(factory, "sdss_exchange", "camera");
          WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/"))) {
        actor.on("expose", command -> actor.reply(command, ":", Map.of("exposed", 1)));

        client.send(
            "{\"consumer\": \"camera\", \"command_string\": \"expose\", \"command_id\": \"e-1\"}");

        List<JsonNode> replies = client.awaitFinished("e-1");
        assertThat(replies.get(replies.size() - 1).path("body").path("exposed").asInt())
            .isEqualTo(1);
      }
    } finally {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      process.destroyForcibly();
      Files.deleteIfExists(log);
    }
  }

  @Test
  void aTakenPortIsExactlyOneLineAndExitStatus1BeforeAnyBrokerIsContacted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Process process =
          new ProcessBuilder(
                  SCRIPT.toString(), "--demo", "--host", "127.0.0.1", "-p", String.valueOf(port))
              .redirectErrorStream(true)
              .start();

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(output.lines().toList())
          .containsExactly(
              "clu-ws: cannot listen on 127.0.0.1:"
                  + port
                  + ": the address is in use or not available");
      assertThat(process.exitValue()).isEqualTo(1);
    }
  }

  @Test
  void anUnreachableBrokerWithoutDemoIsExactlyOneLineAndExitStatus1() throws Exception {
    int closed = LoopbackPorts.free();
    Process process =
        new ProcessBuilder(
                SCRIPT.toString(),
                "--host",
                "127.0.0.1",
                "-p",
                "0",
                "-H",
                "127.0.0.1",
                "-P",
                String.valueOf(closed))
            .redirectErrorStream(true)
            .start();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output.lines().toList())
        .containsExactly(
            "clu-ws: cannot connect to RabbitMQ at amqp://guest@127.0.0.1:"
                + closed
                + "/: connection refused (is RabbitMQ running?)");
    assertThat(process.exitValue()).isEqualTo(1);
  }

  @Test
  void theEmbeddedBrokerRefusesAnAddressOtherMachinesCouldReach() throws Exception {
    Process process =
        new ProcessBuilder(
                SCRIPT.toString(),
                "--embedded-broker",
                "--host",
                "127.0.0.1",
                "-p",
                "0",
                "-H",
                "0.0.0.0")
            .redirectErrorStream(true)
            .start();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output.lines().toList())
        .containsExactly(
            "clu-ws: --embedded-broker: the embedded broker listens on a loopback address only"
                + " (localhost, 127.0.0.1, ::1), not 0.0.0.0; for a broker other machines can"
                + " reach, run RabbitMQ");
    assertThat(process.exitValue()).isEqualTo(1);
  }
}
