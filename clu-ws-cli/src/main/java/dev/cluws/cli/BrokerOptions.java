package dev.cluws.cli;

import dev.cluws.amqp.AmqpSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the broker is and how to talk to it: CLU's RabbitMQ options and the ones CLU lacks. */
final class BrokerOptions {
  @Option(
      names = {"-H", "--rabbitmq-host"},
      paramLabel = "<host>",
      defaultValue = "localhost",
      description = "RabbitMQ host (default: ${DEFAULT-VALUE}).")
  String rabbitmqHost;

  @Option(
      names = {"-P", "--rabbitmq-port"},
      paramLabel = "<port>",
      defaultValue = "5672",
      description = "RabbitMQ port (default: ${DEFAULT-VALUE}).")
  int rabbitmqPort;

  @Option(
      names = "--rabbitmq-user",
      paramLabel = "<user>",
      defaultValue = "guest",
      description = "RabbitMQ user (default: ${DEFAULT-VALUE}).")
  String rabbitmqUser;

  @Option(
      names = "--rabbitmq-password",
      paramLabel = "<password>",
      description = "RabbitMQ password (default: $" + CluWsCommand.PASSWORD_ENV + ", else guest).")
  String rabbitmqPassword;

  @Option(
      names = "--rabbitmq-vhost",
      paramLabel = "<vhost>",
      defaultValue = "/",
      description = "RabbitMQ virtual host (default: ${DEFAULT-VALUE}).")
  String rabbitmqVhost;

  @Option(
      names = "--rabbitmq-url",
      paramLabel = "<amqp-uri>",
      description =
          "amqp:// or amqps:// URI; replaces host, port, user, password and vhost"
              + " (default: $"
              + CluWsCommand.URL_ENV
              + ", if set).")
  String rabbitmqUrl;

  @Option(
      names = "--rabbitmq-tls",
      description =
          "Connect to RabbitMQ with TLS (amqps) on --rabbitmq-host and --rabbitmq-port; an amqps://"
              + " URI does so by itself.")
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
      paramLabel = "<exchange>",
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

  @Option(
      names = "--embedded-broker",
      description =
          "Start an AMQP broker inside clu-ws (Apache Qpid Broker-J, in memory, guest/guest) on"
              + " --rabbitmq-host and --rabbitmq-port, which must be a loopback address, for"
              + " trying clu-ws and developing CLU actors without RabbitMQ. --demo starts it by"
              + " itself when no broker listens there.")
  boolean embeddedBroker;

  /** The broker settings, with the password and URI from the environment when not given. */
  AmqpSettings amqpSettings(Map<String, String> environment) {
    String password = rabbitmqPassword;
    if (password == null) {
      password = environment.getOrDefault(CluWsCommand.PASSWORD_ENV, "guest");
    }
    String url = rabbitmqUrl != null ? rabbitmqUrl : environment.get(CluWsCommand.URL_ENV);
    return AmqpSettings.defaults()
        .withHost(rabbitmqHost)
        .withPort(rabbitmqPort)
        .withCredentials(rabbitmqUser, password)
        .withVirtualHost(rabbitmqVhost)
        .withUri(url == null || url.isBlank() ? null : url)
        .withExchange(exchange)
        .withTls(new AmqpSettings.Tls(rabbitmqTls, rabbitmqTruststore, rabbitmqTruststorePassword));
  }
}
