package dev.cluws.cli;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.ServerSettings;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code clu-ws} command line: CLU's {@code clu websocket} options and the ones CLU lacks. Only
 * parses; {@link Main} runs the gateway.
 */
@Command(
    name = "clu-ws",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "A websocket gateway to CLU actors on RabbitMQ, wire-compatible with `clu websocket`:",
      "every websocket client receives every actor reply as JSON and can send",
      "{\"consumer\", \"command_string\", \"command_id\"} to command an actor."
    },
    footer = {
      "",
      "Every option can also come from the environment as CLU_WS_<OPTION> (e.g.",
      "CLU_WS_RABBITMQ_PASSWORD for --rabbitmq-password), from a file named by",
      "CLU_WS_<OPTION>_FILE (for secrets), or from the config file (--config; key =",
      "option name without '--'). Flags win over the environment, which wins over",
      "the file. See docs/configuration.md and docs/security.md."
    })
public final class CluWsCommand implements Callable<Integer> {
  static final String PASSWORD_ENV = "CLU_WS_RABBITMQ_PASSWORD";
  static final String URL_ENV = "CLU_WS_RABBITMQ_URL";

  @Option(
      names = {"-p", "--port"},
      defaultValue = "9876",
      description = "Websocket port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, all interfaces).")
  String host;

  @Option(
      names = {"-H", "--rabbitmq-host"},
      defaultValue = "localhost",
      description = "RabbitMQ host (default: ${DEFAULT-VALUE}).")
  String rabbitmqHost;

  @Option(
      names = {"-P", "--rabbitmq-port"},
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
      paramLabel = "<password>",
      description = "RabbitMQ password (default: $" + PASSWORD_ENV + ", else guest).")
  String rabbitmqPassword;

  @Option(
      names = "--rabbitmq-vhost",
      defaultValue = "/",
      description = "RabbitMQ virtual host (default: ${DEFAULT-VALUE}).")
  String rabbitmqVhost;

  @Option(
      names = "--rabbitmq-url",
      paramLabel = "<amqp-uri>",
      description =
          "amqp:// or amqps:// URI; replaces host, port, user, password and vhost"
              + " (default: $" + URL_ENV + ", if set).")
  String rabbitmqUrl;

  @Option(
      names = "--rabbitmq-tls",
      description =
          "Connect to RabbitMQ with TLS (amqps) on --rabbitmq-host/--rabbitmq-port; an amqps://"
              + " URL does so by itself.")
  boolean rabbitmqTls;

  @Option(
      names = "--rabbitmq-truststore",
      paramLabel = "<file>",
      description =
          "Certificates to trust for amqps: PKCS12/JKS trust store or PEM CA file (default: the"
              + " JDK's trusted authorities).")
  Path rabbitmqTruststore;

  @Option(
      names = "--rabbitmq-truststore-password",
      paramLabel = "<password>",
      description = "Password of --rabbitmq-truststore, if it has one.")
  String rabbitmqTruststorePassword;

  @Option(
      names = "--exchange",
      defaultValue = AmqpSettings.DEFAULT_EXCHANGE,
      description = "CLU's topic exchange (default: ${DEFAULT-VALUE}).")
  String exchange;

  @Option(
      names = "--name",
      paramLabel = "<name>",
      description =
          "Gateway name: queue <name>_replies, commander <name>.<actor>"
              + " (default: clu-ws-<12 hex digits>, unique per process).")
  String name;

  @Option(
      names = "--wait-for-broker",
      arity = "0..1",
      paramLabel = "<duration>",
      fallbackValue = "forever",
      converter = BrokerWait.Converter.class,
      description =
          "At start-up, wait up to <duration> (e.g. 60s, 2m, PT1M; no value: forever) for"
              + " RabbitMQ, retrying with backoff, instead of failing at once.")
  BrokerWait waitForBroker = BrokerWait.NONE;

  @Mixin LimitOptions limits = new LimitOptions();

  @Mixin SecurityOptions security = new SecurityOptions();

  @Mixin HttpOptions httpEndpoints = new HttpOptions();

  @Mixin ProcessOptions process = new ProcessOptions();

  @Option(
      names = ConfigDefaults.CONFIG_OPTION,
      paramLabel = "<file>",
      description =
          "Config file (Java properties: option name without '--' = value) for any option;"
              + " flags and the environment win over it (default: $CLU_WS_CONFIG).")
  Path config;

  private final Map<String, String> environment;
  private final Main.Runner runner;

  CluWsCommand(Map<String, String> environment, Main.Runner runner) {
    this.environment = environment;
    this.runner = runner;
  }

  @Override
  public Integer call() {
    return runner.run(
        gatewaySettings(),
        amqpSettings(),
        serverSettings(),
        waitForBroker,
        securityConfig(),
        process.settings());
  }

  GatewaySettings gatewaySettings() {
    return limits.applyTo(name == null ? GatewaySettings.defaults() : GatewaySettings.named(name));
  }

  AmqpSettings amqpSettings() {
    String password = rabbitmqPassword;
    if (password == null) {
      password = environment.getOrDefault(PASSWORD_ENV, "guest");
    }
    String url = rabbitmqUrl != null ? rabbitmqUrl : environment.get(URL_ENV);
    return AmqpSettings.defaults()
        .withHost(rabbitmqHost)
        .withPort(rabbitmqPort)
        .withCredentials(rabbitmqUser, password)
        .withVirtualHost(rabbitmqVhost)
        .withUri(url == null || url.isBlank() ? null : url)
        .withExchange(exchange)
        .withTls(new AmqpSettings.Tls(rabbitmqTls, rabbitmqTruststore, rabbitmqTruststorePassword));
  }

  /**
   * The security settings, with every key, token and rules file read and checked.
   *
   * @throws dev.cluws.core.spi.CluWsException naming the option or file that is wrong
   */
  SecurityConfig securityConfig() {
    return new SecurityConfig(security.securitySettings(), security.accessPolicy());
  }

  ServerSettings serverSettings() {
    return httpEndpoints.applyTo(ServerSettings.defaults().withHost(host).withPort(port));
  }
}
