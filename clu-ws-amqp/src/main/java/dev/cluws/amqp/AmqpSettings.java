package dev.cluws.amqp;

import java.nio.file.Path;
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
 * @param tls whether to speak TLS ({@code amqps}) without a URI, and which certificates to trust
 *     (an {@code amqps://} URI turns TLS on by itself); never trusts every certificate
 * @param repliesQueueExpiry how long the gateway's replies queue outlives a lost connection (its
 *     {@code x-expires}): replies published while the gateway reconnects wait in it; after that
 *     long without a consumer the broker deletes it ({@code null}: {@link
 *     #DEFAULT_REPLIES_QUEUE_EXPIRY})
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
    Duration recoveryInterval,
    Tls tls,
    Duration repliesQueueExpiry) {

  public static final String DEFAULT_EXCHANGE = "sdss_exchange";

  /**
   * How long the replies queue outlives a lost connection by default: longer than the longest wait
   * between two reconnection attempts (30 s), so a broker that is back within a minute loses
   * nothing that was published to the gateway meanwhile.
   */
  public static final Duration DEFAULT_REPLIES_QUEUE_EXPIRY = Duration.ofSeconds(60);

  public AmqpSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(virtualHost, "virtualHost");
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    Objects.requireNonNull(recoveryInterval, "recoveryInterval");
    if (tls == null) {
      tls = Tls.NONE;
    }
    if (repliesQueueExpiry == null) {
      repliesQueueExpiry = DEFAULT_REPLIES_QUEUE_EXPIRY;
    }
    if (repliesQueueExpiry.toMillis() < 1 || repliesQueueExpiry.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "the replies queue expiry must be between 1 ms and about 24 days, not "
              + repliesQueueExpiry);
    }
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
        Duration.ofSeconds(2),
        Tls.NONE,
        DEFAULT_REPLIES_QUEUE_EXPIRY);
  }

  public AmqpSettings withHost(String newHost) {
    return new AmqpSettings(
        newHost,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withPort(int newPort) {
    return new AmqpSettings(
        host,
        newPort,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withCredentials(String newUsername, String newPassword) {
    return new AmqpSettings(
        host,
        port,
        newUsername,
        newPassword,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withVirtualHost(String newVirtualHost) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        newVirtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withUri(String newUri) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        newUri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withExchange(String newExchange) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        newExchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withPrefetch(int newPrefetch) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        newPrefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withConnectionTimeout(Duration newTimeout) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        newTimeout,
        recoveryInterval,
        tls,
        repliesQueueExpiry);
  }

  public AmqpSettings withRecoveryInterval(Duration newInterval) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        newInterval,
        tls,
        repliesQueueExpiry);
  }

  /** The same settings with these TLS settings. */
  public AmqpSettings withTls(Tls newTls) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        newTls,
        repliesQueueExpiry);
  }

  /** The same settings with another expiry of the replies queue. */
  public AmqpSettings withRepliesQueueExpiry(Duration newExpiry) {
    return new AmqpSettings(
        host,
        port,
        username,
        password,
        virtualHost,
        uri,
        exchange,
        prefetch,
        connectionTimeout,
        recoveryInterval,
        tls,
        newExpiry);
  }

  /** Whether connections use TLS: {@code tls.enabled} or an {@code amqps://} URI. */
  public boolean usesTls() {
    return tls.enabled() || (uri != null && uri.regionMatches(true, 0, "amqps://", 0, 8));
  }

  /**
   * TLS to the broker.
   *
   * @param enabled speak TLS on host:port (with a URI, its scheme decides instead)
   * @param trustStore the certificates to trust: a PKCS12 or JKS trust store, or a PEM file of CA
   *     certificates; {@code null} for the JDK's default trusted authorities
   * @param trustStorePassword the trust store's password, or {@code null} (never printed)
   */
  public record Tls(boolean enabled, Path trustStore, String trustStorePassword) {
    /** No TLS unless the URI asks for it; the JDK's default trust. */
    public static final Tls NONE = new Tls(false, null, null);

    @Override
    public String toString() {
      return "Tls[enabled="
          + enabled
          + ", trustStore="
          + (trustStore == null ? "JDK default" : trustStore)
          + (trustStorePassword == null ? "" : ", trustStorePassword=***")
          + "]";
    }
  }

  /** Where the broker is, for messages: never includes the password. */
  public String describeBroker() {
    if (uri != null) {
      return redact(uri);
    }
    String vhost = "/".equals(virtualHost) ? "" : virtualHost;
    return (tls.enabled() ? "amqps://" : "amqp://")
        + username
        + "@"
        + host
        + ":"
        + port
        + "/"
        + vhost;
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
        + (usesTls() ? ", tls=" + tls : "")
        + ", repliesQueueExpiry="
        + repliesQueueExpiry
        + "]";
  }
}
