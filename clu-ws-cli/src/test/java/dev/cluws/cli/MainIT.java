package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code clu-ws} command's options and its start-up failures, run in-process. */
class MainIT {
  private final StringWriter err = new StringWriter();

  private int run(Map<String, String> environment, String... args) {
    return Main.execute(args, environment, new PrintWriter(err, true));
  }

  @Test
  void helpListsCluOptionsAndTheOnesCluLacks() {
    CluWsCommand command = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    String usage = new picocli.CommandLine(command).getUsageMessage();

    assertThat(usage)
        .contains("-p, --port", "--host", "-H, --rabbitmq-host", "-P, --rabbitmq-port")
        .contains("--rabbitmq-user", "--rabbitmq-password", "--rabbitmq-vhost", "--rabbitmq-url")
        .contains("--exchange", "--name", "--help", "--version")
        .contains("default: 9876", "default: sdss_exchange", "default: localhost");
  }

  @Test
  void optionsBecomeTheSettingsOfTheGatewayTheBrokerAndTheServer() {
    CluWsCommand command =
        new CluWsCommand(Map.of(CluWsCommand.PASSWORD_ENV, "from-env"), (g, a, s, w, x, p) -> 0);
    new picocli.CommandLine(command)
        .parseArgs(
            "-p",
            "9000",
            "--host",
            "127.0.0.1",
            "-H",
            "broker",
            "-P",
            "5673",
            "--rabbitmq-user",
            "obs",
            "--rabbitmq-vhost",
            "lvm",
            "--exchange",
            "lvm_exchange",
            "--name",
            "gw-one");

    assertThat(command.serverSettings().port()).isEqualTo(9000);
    assertThat(command.serverSettings().host()).isEqualTo("127.0.0.1");
    assertThat(command.amqpSettings().host()).isEqualTo("broker");
    assertThat(command.amqpSettings().port()).isEqualTo(5673);
    assertThat(command.amqpSettings().username()).isEqualTo("obs");
    assertThat(command.amqpSettings().password()).isEqualTo("from-env");
    assertThat(command.amqpSettings().virtualHost()).isEqualTo("lvm");
    assertThat(command.amqpSettings().exchange()).isEqualTo("lvm_exchange");
    assertThat(command.gatewaySettings().name()).isEqualTo("gw-one");
  }

  @Test
  void withoutNameEveryProcessGetsAUniqueOne() {
    CluWsCommand first = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    CluWsCommand second = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    new picocli.CommandLine(first).parseArgs();
    new picocli.CommandLine(second).parseArgs();

    assertThat(first.gatewaySettings().name()).matches("clu-ws-[0-9a-f]{12}");
    assertThat(first.gatewaySettings().name()).isNotEqualTo(second.gatewaySettings().name());
  }

  @Test
  void versionPrintsTheProjectVersion() {
    assertThat(VersionProvider.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void anUnreachableBrokerIsOneClearLineAndANonZeroExitWithoutThePassword() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    int status =
        run(
            Map.of(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "-H",
            "127.0.0.1",
            "-P",
            String.valueOf(closedPort),
            "--rabbitmq-password",
            "s3cret-pw");

    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "clu-ws: cannot connect to RabbitMQ at amqp://guest@127.0.0.1:"
                + closedPort
                + "/: connection refused (is RabbitMQ running?)");
    assertThat(err.toString()).doesNotContain("s3cret-pw");
  }

  @Test
  void aPasswordInAnAmqpUrlNeverAppearsInTheErrorLine() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    int status =
        run(
            Map.of(CluWsCommand.URL_ENV, "amqp://obs:hunter2@127.0.0.1:" + closedPort + "/"),
            "--host",
            "127.0.0.1",
            "--port",
            "0");

    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString()).contains("amqp://obs:***@127.0.0.1:" + closedPort + "/");
    assertThat(err.toString()).doesNotContain("hunter2");
  }

  @Test
  void anUnknownOptionIsAUsageErrorThatNamesIt() {
    int status = run(Map.of(), "--no-such-option");

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
  }

  @Test
  void aTakenPortIsOneClearLineAndANonZeroExit() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int status =
          run(
              Map.of(),
              "--host",
              "127.0.0.1",
              "--port",
              String.valueOf(taken.getLocalPort()),
              "-H",
              "127.0.0.1",
              "--exchange",
              dev.cluws.testkit.TestBroker.uniqueName("ex"));

      assertThat(status).isEqualTo(Main.CANNOT_START);
      assertThat(err.toString().lines().toList())
          .containsExactly(
              "clu-ws: cannot listen on 127.0.0.1:"
                  + taken.getLocalPort()
                  + ": the address is in use or not available");
    }
  }
}
