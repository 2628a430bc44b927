package dev.cluws.amqp.internal;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds amqp-client connections from {@link AmqpSettings}; translates their failures. */
public final class Connections {
  private static final Logger log = LoggerFactory.getLogger(Connections.class);

  private Connections() {}

  /** A factory with automatic recovery (connection, channels, topology, consumers). */
  public static ConnectionFactory factory(AmqpSettings settings) {
    ConnectionFactory factory = new ConnectionFactory();
    if (settings.usesTls()) {
      // Before setUri: with no SSL context set, an amqps:// URI makes amqp-client trust every
      // certificate. This context trusts the configured store or the JDK's authorities, and the
      // broker's host name is verified against its certificate.
      factory.useSslProtocol(TlsContexts.sslContext(settings.tls()));
    }
    if (settings.uri() != null) {
      try {
        factory.setUri(settings.uri());
      } catch (Exception e) {
        throw new CluWsException(
            "invalid RabbitMQ URI " + settings.describeBroker() + ": " + e.getMessage());
      }
    } else {
      factory.setHost(settings.host());
      factory.setPort(settings.port());
      factory.setUsername(settings.username());
      factory.setPassword(settings.password());
      factory.setVirtualHost(settings.virtualHost());
    }
    factory.setConnectionTimeout(Math.toIntExact(settings.connectionTimeout().toMillis()));
    factory.setHandshakeTimeout(Math.toIntExact(settings.connectionTimeout().toMillis()));
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(settings.recoveryInterval().toMillis());
    factory.setRecoveryDelayHandler(
        backoff(settings.recoveryInterval().toMillis(), maxRecoveryDelayMillis(settings)));
    factory.setRequestedHeartbeat(30);
    // Added to amqp-client's own properties, not instead of them: those announce its capabilities
    // (consumer cancel notifications, connection.blocked, ...), without which the broker never
    // tells a consumer that its queue was deleted.
    Map<String, Object> properties = new HashMap<>(factory.getClientProperties());
    properties.put("product", "clu-ws");
    properties.put("information", "CLU websocket gateway");
    factory.setClientProperties(properties);
    return factory;
  }

  /** The longest wait between two reconnection attempts, whatever the queue's expiry. */
  static final long MAX_RECOVERY_DELAY_MILLIS = 30_000;

  /**
   * The longest wait between two reconnection attempts for these settings: a quarter of the replies
   * queue's expiry, so that the gateway is back well before the broker deletes the queue after a
   * short outage, but not less than the recovery interval and not more than {@value
   * #MAX_RECOVERY_DELAY_MILLIS} ms. With the defaults (2 s, a 60 s expiry): 15 s.
   */
  static long maxRecoveryDelayMillis(AmqpSettings settings) {
    long quarter = settings.repliesQueueExpiry().toMillis() / 4;
    return Math.max(
        settings.recoveryInterval().toMillis(), Math.min(quarter, MAX_RECOVERY_DELAY_MILLIS));
  }

  /**
   * The reconnection schedule. amqp-client waits {@code getDelay(0)} after the connection is lost
   * before its first attempt, and {@code getDelay(n)} after its {@code n}-th failed attempt. Both
   * are {@code firstMillis}; from the second failed attempt on, each wait is twice the one before,
   * up to {@code maxMillis}. With the defaults: 2 s, 2 s, 4 s, 8 s, then 15 s.
   */
  static RecoveryDelayHandler backoff(long firstMillis, long maxMillis) {
    long first = Math.max(1, firstMillis);
    long max = Math.max(first, maxMillis);
    return attempts -> {
      long delay = first;
      for (int i = 1; i < attempts && delay < max; i++) {
        delay *= 2;
      }
      return Math.min(delay, max);
    };
  }

  /** Opens a named connection, or says clearly why it cannot. */
  public static Connection open(ConnectionFactory factory, AmqpSettings settings, String name) {
    return open(factory, settings, name, null);
  }

  /**
   * Opens a named connection whose consumer callbacks run on {@code consumerExecutor} ({@code
   * null}: amqp-client's own pool), or says clearly why it cannot.
   */
  public static Connection open(
      ConnectionFactory factory,
      AmqpSettings settings,
      String name,
      @Nullable ExecutorService consumerExecutor) {
    try {
      return consumerExecutor == null
          ? factory.newConnection(name)
          : factory.newConnection(consumerExecutor, name);
    } catch (IOException | TimeoutException e) {
      throw new BrokerUnavailableException(
          "cannot connect to RabbitMQ at " + settings.describeBroker() + ": " + reason(e), e);
    }
  }

  /**
   * Closes {@code connection} (if any), waiting at most 2 s for the broker; a failure (already
   * closed, broker gone) is only logged at debug level.
   */
  public static void closeQuietly(Connection connection) {
    if (connection == null) {
      return;
    }
    try {
      connection.close(2000);
    } catch (IOException | RuntimeException e) {
      log.debug("closing the AMQP connection failed", e);
    }
  }

  /** A short reason for a connection failure, without stack traces or passwords. */
  public static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof ConnectException) {
      return "connection refused (is RabbitMQ running?)";
    }
    if (root instanceof UnknownHostException) {
      return "unknown host " + root.getMessage();
    }
    if (root instanceof TimeoutException || e instanceof TimeoutException) {
      return "timed out";
    }
    String message = root.getMessage();
    if (message != null && message.contains("ACCESS_REFUSED")) {
      return "access refused (check the user name and password)";
    }
    if (message != null && message.contains("NOT_ALLOWED") && message.contains("vhost")) {
      return "the virtual host does not exist or is not allowed for this user";
    }
    return message != null ? message : root.getClass().getSimpleName();
  }
}
