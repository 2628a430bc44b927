package dev.cluws.testkit;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A plain AMQP listener on an exchange with its own exclusive queue bound to a pattern (like any
 * other CLU client): records every message it receives, to see what reached the exchange (what the
 * gateway published for a command, say).
 */
public final class ReplyObserver implements AutoCloseable {

  /** One message as delivered. */
  public record Message(String routingKey, AMQP.BasicProperties properties, String body) {
    /** One header as a string ({@code null} when absent). */
    public @Nullable Object header(String name) {
      Object value = properties.getHeaders() == null ? null : properties.getHeaders().get(name);
      return value == null ? null : value.toString();
    }
  }

  private final Connection connection;
  private final List<Message> messages = new CopyOnWriteArrayList<>();

  private ReplyObserver(Connection connection) {
    this.connection = connection;
  }

  /** Starts observing {@code exchange} (declared as CLU does) with {@code bindingKey}. */
  public static ReplyObserver start(String exchange, String bindingKey) {
    Connection connection = TestBroker.connect(TestBroker.uniqueName("observer"));
    ReplyObserver observer = new ReplyObserver(connection);
    try {
      Channel channel = connection.createChannel();
      TestBroker.declareExchange(channel, exchange);
      String queue = channel.queueDeclare("", false, true, true, null).getQueue();
      channel.queueBind(queue, exchange, bindingKey);
      channel.basicConsume(
          queue,
          true,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
              observer.messages.add(
                  new Message(
                      envelope.getRoutingKey(), props, new String(body, StandardCharsets.UTF_8)));
            }
          });
    } catch (IOException e) {
      observer.close();
      throw new UncheckedIOException(e);
    }
    return observer;
  }

  /** Every message received so far, in order. */
  public List<Message> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    try {
      connection.close(2000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
