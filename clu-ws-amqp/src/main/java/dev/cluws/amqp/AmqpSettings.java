package dev.cluws.amqp;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach RabbitMQ and which exchange to use. CLU's defaults: {@code localhost:5672}, user and
 * password {@code guest}, virtual host {@code /}, exchange {@code sdss_exchange}.
 *
 * @param host the broker's host
 * @param port the broker's AMQP port
 * @param username the user
 * @param password the password (never printed: {@link #toString()} masks it)
 * @param virtualHost the virtual host
 * @param uri an {@code amqp://} or {@code amqps://} URI that replaces host, port, user, password
 *     and virtual host when not {@code null}
 * @param exchange the topic exchange CLU actors use
 * @param prefetch how many unacknowledged replies the broker may push ahead (CLU uses 1)
 * @param connectionTimeout how long a connection attempt may take
 * @param recoveryInterval how long to wait between reconnection attempts after the connection is
 *     lost
 */
public record AmqpSettings(
    String host,
    int port,
    String username,
    String password,
    String virtualHost,
    String uri,
    String exchange,
    int prefetch,
    Duration connectionTimeout,
    Duration recoveryInterval) {

  public static final String DEFAULT_EXCHANGE = "sdss_exchange";

  public AmqpSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(virtualHost, "virtualHost");
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(recoveryInterval, "recoveryInterval");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, not " + port);
    }
    if (exchange.isBlank()) {
      throw new IllegalArgumentException("the exchange name must not be blank");
    }
    if (prefetch < 1 || prefetch > 65535) {
      throw new IllegalArgumentException("prefetch must be between 1 and 65535, not " + prefetch);
    }
  }

  /** CLU's defaults, with a prefetch window of 1000. */
  public static AmqpSettings defaults() {
    return new AmqpSettings(
        "localhost",
        5672,
        "guest",
        "guest",
        "/",
        null,
        DEFAULT_EXCHANGE,
        1000,
        Duration.ofSeconds(10),
        Duration.ofSeconds(2));
  }

  public AmqpSettings withHost(String newHost) {
    return new AmqpSettings(newHost, port, username, password, virtualHost, uri, exchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withPort(int newPort) {
    return new AmqpSettings(host, newPort, username, password, virtualHost, uri, exchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withCredentials(String newUsername, String newPassword) {
    return new AmqpSettings(host, port, newUsername, newPassword, virtualHost, uri, exchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withVirtualHost(String newVirtualHost) {
    return new AmqpSettings(host, port, username, password, newVirtualHost, uri, exchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withUri(String newUri) {
    return new AmqpSettings(host, port, username, password, virtualHost, newUri, exchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withExchange(String newExchange) {
    return new AmqpSettings(host, port, username, password, virtualHost, uri, newExchange, prefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withPrefetch(int newPrefetch) {
    return new AmqpSettings(host, port, username, password, virtualHost, uri, exchange, newPrefetch, connectionTimeout, recoveryInterval);
  }

  public AmqpSettings withConnectionTimeout(Duration newTimeout) {
    return new AmqpSettings(host, port, username, password, virtualHost, uri, exchange, prefetch, newTimeout, recoveryInterval);
  }

  public AmqpSettings withRecoveryInterval(Duration newInterval) {
    return new AmqpSettings(host, port, username, password, virtualHost, uri, exchange, prefetch, connectionTimeout, newInterval);
  }

  /** Where the broker is, for messages: never includes the password. */
  public String describeBroker() {
    if (uri != null) {
      return redact(uri);
    }
    String vhost = "/".equals(virtualHost) ? "" : virtualHost;
    return "amqp://" + username + "@" + host + ":" + port + "/" + vhost;
  }

  /** An AMQP URI with any password replaced by {@code ***}. */
  static String redact(String amqpUri) {
    int scheme = amqpUri.indexOf("://");
    int at = amqpUri.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return amqpUri;
    }
    int colon = amqpUri.indexOf(':', scheme + 3);
    if (colon < 0 || colon > at) {
      return amqpUri;
    }
    return amqpUri.substring(0, colon + 1) + "***" + amqpUri.substring(at);
  }

  @Override
  public String toString() {
    return "AmqpSettings[broker="
        + describeBroker()
        + ", exchange="
        + exchange
        + ", prefetch="
        + prefetch
        + ", connectionTimeout="
        + connectionTimeout
        + ", recoveryInterval="
        + recoveryInterval
        + "]";
  }
}
