package dev.cluws.testkit;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The AMQP broker on 127.0.0.1:5672 (guest/guest) that end-to-end tests use: RabbitMQ, or the
 * embedded broker the gateway fixture of {@code clu-ws-testkit-e2e} starts there when none listens.
 * Each test takes a unique exchange and unique client names ({@link #uniqueName}), so tests never
 * see each other's traffic, and every object they create is exclusive or auto-delete, so nothing
 * stays on the broker — except a gateway's replies queue, which outlives a cut: closing the gateway
 * deletes it, and in tests it expires {@link #REPLIES_QUEUE_EXPIRY} after a test that failed to.
 */
public final class TestBroker {
  /** The broker's address: loopback only. */
  public static final String HOST = "127.0.0.1";

  /** The broker's AMQP port. */
  public static final int PORT = 5672;

  /** How long a replies queue outlives its gateway's connection in tests. */
  public static final Duration REPLIES_QUEUE_EXPIRY = Duration.ofSeconds(30);

  private TestBroker() {}

  /** A unique name with a readable prefix, e.g. {@code test-ex-1a2b3c4d5e6f}. */
  public static String uniqueName(String prefix) {
    String hex = UUID.randomUUID().toString().replace("-", "");
    return prefix + "-" + hex.substring(0, 12).toLowerCase(Locale.ROOT);
  }

  /** A connection factory for the broker (guest/guest, no automatic recovery). */
  public static ConnectionFactory factory() {
    return factory(HOST, PORT);
  }

  /** A connection factory for a broker on {@code host:port} (guest/guest, no recovery). */
  public static ConnectionFactory factory(String host, int port) {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(host);
    factory.setPort(port);
    factory.setUsername("guest");
    factory.setPassword("guest");
    factory.setAutomaticRecoveryEnabled(false);
    return factory;
  }

  /** A new connection to the broker, named {@code name} in its management view. */
  public static Connection connect(String name) {
    return connect(factory(), name);
  }

  static Connection connect(ConnectionFactory factory, String name) {
    try {
      return factory.newConnection(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether the broker has a queue of this name (asked on a connection of its own). */
  public static boolean queueExists(String queue) {
    return readyMessages(queue) >= 0;
  }

  /**
   * The broker's count of messages ready in a queue (not those delivered and unacknowledged), or -1
   * when there is no such queue.
   */
  public static long readyMessages(String queue) {
    try (Connection connection = connect(uniqueName("probe"))) {
      try {
        return connection.createChannel().queueDeclarePassive(queue).getMessageCount();
      } catch (IOException notFound) {
        return -1;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a queue, as a broker restart or an expiry would (on a connection of its own). */
  public static void deleteQueue(String queue) {
    try (Connection connection = connect(uniqueName("admin"))) {
      connection.createChannel().queueDelete(queue);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes an exchange, whether or not it is in use (on a connection of its own). */
  public static void deleteExchange(String exchange) {
    try (Connection connection = connect(uniqueName("admin"))) {
      connection.createChannel().exchangeDelete(exchange);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Declares the exchange exactly as CLU does: topic, non-durable, auto-delete. */
  public static void declareExchange(Channel channel, String exchange) throws IOException {
    channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
  }
}
