package dev.cluws.bench.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every {@code clu-ws-load} command takes: the broker, the gateway, the bounds, the
 * output.
 */
final class CommonOptions {
  static final String PASSWORD_ENV = "CLU_WS_LOAD_RABBITMQ_PASSWORD";

  @Option(
      names = "--rabbitmq-host",
      defaultValue = "127.0.0.1",
      description = "RabbitMQ host; must be this machine (default: ${DEFAULT-VALUE}).")
  String rabbitmqHost;

  @Option(
      names = "--rabbitmq-port",
      defaultValue = "5672",
      description = "RabbitMQ port (default: ${DEFAULT-VALUE}).")
  int rabbitmqPort;

  @Option(
      names = "--rabbitmq-user",
      defaultValue = "guest",
      description = "RabbitMQ user (default: ${DEFAULT-VALUE}).")
  String rabbitmqUser;

  @Option(
      names = "--rabbitmq-password",
      description = "RabbitMQ password (default: $" + PASSWORD_ENV + ", else guest).")
  String rabbitmqPassword;

  @Option(
      names = "--gateway-url",
      paramLabel = "<ws-url>",
      description =
          "Drive this already running gateway (ws://127.0.0.1:<port>/) instead of starting one"
              + " per run; needs --exchange.")
  URI gatewayUrl;

  @Option(
      names = "--gateway-pid",
      paramLabel = "<pid>",
      description = "With --gateway-url: the gateway's process id, to measure its CPU and memory.")
  Long gatewayPid;

  @Option(
      names = "--exchange",
      paramLabel = "<exchange>",
      description = "With --gateway-url: the gateway's exchange (its replies are broadcast there).")
  String exchange;

  @Option(
      names = "--gateway-jvm-opts",
      paramLabel = "<options>",
      defaultValue =
          "-XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC -Xms16m -Xmx512m -XX:MinHeapFreeRatio=10"
              + " -XX:MaxHeapFreeRatio=30 -XX:MaxNewSize=8m -XX:TieredStopAtLevel=1"
              + " -XX:TrimNativeHeapInterval=1000",
      description =
          "JVM options of the gateways the tool starts, space-separated; e.g."
              + " \"-XX:StartFlightRecording=filename=gw.jfr,settings=profile\" (default:"
              + " ${DEFAULT-VALUE}, as the clu-ws script; the tool also sets MALLOC_ARENA_MAX=2"
              + " for them unless it is set, as the script does).")
  String gatewayJvmOptions;

  @Option(
      names = "--gateway-classpath",
      paramLabel = "<classpath>",
      description =
          "Class path of the gateways the tool starts (default: the tool's own), e.g. to compare"
              + " another build of clu-ws.")
  String gatewayClasspath;

  @Option(
      names = "--gateway-args",
      paramLabel = "<arguments>",
      defaultValue = "",
      description =
          "Extra clu-ws arguments of the gateways the tool starts, space-separated; e.g."
              + " \"--outbox-frames 8192\".")
  String gatewayArgs;

  @Option(
      names = "--timeout",
      defaultValue = "300",
      paramLabel = "<seconds>",
      description = "Upper bound of each run, in seconds (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(
      names = "--stall",
      defaultValue = "10",
      paramLabel = "<seconds>",
      description =
          "End a run when nothing has arrived for this many seconds (default: ${DEFAULT-VALUE}).")
  int stallSeconds;

  @Option(
      names = "--confirm-window",
      defaultValue = "1000",
      description =
          "Unconfirmed replies the publisher may have outstanding (default: ${DEFAULT-VALUE}).")
  int confirmWindow;

  @Option(
      names = "--wait-idle",
      paramLabel = "<cores>",
      defaultValue = "0",
      description =
          "Before each run, wait (at most --wait-idle-max) until the machine has used less than"
              + " this many cores for 3 s, so that other work does not skew it; 0 = do not wait"
              + " (default).")
  double waitIdleCores;

  @Option(
      names = "--wait-idle-max",
      paramLabel = "<seconds>",
      defaultValue = "600",
      description =
          "With --wait-idle: the longest wait before a run, in seconds; then it runs anyway and"
              + " its JSON line says how busy the machine was (default: ${DEFAULT-VALUE}).")
  int waitIdleMaxSeconds;

  @Option(
      names = "--perftest-classpath",
      paramLabel = "<classpath>",
      description =
          "Class path of RabbitMQ PerfTest 2.22.1 and its dependencies (default: the"
              + " distribution's perftest/ directory).")
  String perfTestClasspath;

  @Option(
      names = "--perftest-body",
      paramLabel = "<file>",
      description =
          "Body of PerfTest's replies (default: a 200-byte JSON object {\"text\": \"xx...\"}).")
  Path perfTestBody;

  @Option(
      names = "--json-out",
      paramLabel = "<file>",
      description = "Also append each run's JSON line to this file.")
  Path jsonOut;

  String password() {
    if (rabbitmqPassword != null) {
      return rabbitmqPassword;
    }
    String env = System.getenv(PASSWORD_ENV);
    return env != null ? env : "guest";
  }

  List<String> gatewayJvmOptionList() {
    return words(gatewayJvmOptions);
  }

  List<String> gatewayArgList() {
    return words(gatewayArgs);
  }

  private static List<String> words(String text) {
    List<String> list = new ArrayList<>();
    for (String option : text.trim().split("\\s+")) {
      if (!option.isEmpty()) {
        list.add(option);
      }
    }
    return list;
  }

  /** Checks the options; throws {@link IllegalArgumentException} with a message for the user. */
  void validate() {
    requireLoopback(rabbitmqHost, "--rabbitmq-host");
    if (gatewayUrl != null) {
      if (exchange == null) {
        throw new IllegalArgumentException(
            "--gateway-url needs --exchange (the gateway's exchange)");
      }
      if (!"ws".equals(gatewayUrl.getScheme())) {
        throw new IllegalArgumentException("--gateway-url must be a ws:// URL");
      }
      requireLoopback(gatewayUrl.getHost(), "--gateway-url");
    } else if (exchange != null || gatewayPid != null) {
      throw new IllegalArgumentException("--exchange and --gateway-pid go with --gateway-url");
    }
    if (timeoutSeconds < 1 || stallSeconds < 1 || confirmWindow < 1) {
      throw new IllegalArgumentException(
          "--timeout, --stall and --confirm-window must be positive");
    }
  }

  /** The tool floods what it talks to: it talks only to this machine. */
  private static void requireLoopback(String host, String option) {
    try {
      if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
        throw new IllegalArgumentException(
            option + " must be this machine (127.0.0.1), not " + host);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(option + ": unknown host " + host, e);
    }
  }
}
