package dev.cluws.amqp.testing;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.cluws.amqp.AmqpSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ on 127.0.0.1:5672 (guest/guest) that integration tests use. Each test takes a
 * unique exchange and unique client names, so tests never see each other's traffic, and every
 * object they create is exclusive or auto-delete, so nothing stays on the broker — except the
 * gateway's replies queue, which outlives a cut: closing the source deletes it, and in tests it
 * expires {@link #REPLIES_QUEUE_EXPIRY} after a test that failed to close it.
 */
public final class TestBroker {
  public static final String HOST = "127.0.0.1";
  public static final int PORT = 5672;

  /** How long a replies queue outlives its gateway's connection in tests. */
  public static final Duration REPLIES_QUEUE_EXPIRY = Duration.ofSeconds(30);

  private TestBroker() {}

  /** A unique name with a readable prefix, e.g. {@code test-ex-1a2b3c4d5e6f}. */
  public static String uniqueName(String prefix) {
    String hex = UUID.randomUUID().toString().replace("-", "");
    return prefix + "-" + hex.substring(0, 12).toLowerCase(Locale.ROOT);
  }

  /** Settings for the test broker with a fresh exchange. */
  public static AmqpSettings settings() {
    return AmqpSettings.defaults()
        .withHost(HOST)
        .withPort(PORT)
        .withExchange(uniqueName("test-ex"))
        .withRepliesQueueExpiry(REPLIES_QUEUE_EXPIRY);
  }

  /** Whether the broker has a queue of this name (asked on a connection of its own). */
  public static boolean queueExists(String queue) {
    try (Connection connection = connect(uniqueName("probe"))) {
      try {
        connection.createChannel().queueDeclarePassive(queue);
        return true;
      } catch (IOException notFound) {
        return false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  public static ConnectionFactory factory() {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(PORT);
    factory.setUsername("guest");
    factory.setPassword("guest");
    factory.setAutomaticRecoveryEnabled(false);
    return factory;
  }

  public static Connection connect(String name) {
    try {
      return factory().newConnection(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Declares the exchange exactly as CLU does. */
  public static void declareExchange(Channel channel, String exchange) throws IOException {
    channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
  }
}
