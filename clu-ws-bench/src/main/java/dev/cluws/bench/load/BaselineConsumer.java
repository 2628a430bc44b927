package dev.cluws.bench.load;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The ceiling a gateway is measured against: a plain AMQP consumer of the same replies, on its own
 * exclusive, auto-delete queue bound to {@code reply.#} (as the gateway's queue is), with a
 * prefetch of 1000 and acknowledgements in batches ({@code multiple=true}). It reads each body the
 * way the websocket clients read frames.
 */
final class BaselineConsumer implements AutoCloseable {
  private static final int PREFETCH = 1000;
  private static final int ACK_EVERY = 250;

  private final Connection connection;
  private final ReceiveStats stats;

  private BaselineConsumer(Connection connection, ReceiveStats stats) {
    this.connection = connection;
    this.stats = stats;
  }

  static BaselineConsumer start(BrokerSettings broker, String exchange, int expected) {
    Connection connection = broker.connect("clu-ws-load baseline consumer");
    ReceiveStats stats = new ReceiveStats(expected);
    try {
      Channel channel = connection.createChannel();
      channel.basicQos(PREFETCH);
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      String queue = channel.queueDeclare("", false, true, true, null).getQueue();
      channel.queueBind(queue, exchange, "reply.#");
      channel.basicConsume(
          queue,
          false,
          new DefaultConsumer(channel) {
            private int unacked;

            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                throws IOException {
              stats.record(FrameScan.seq(body), FrameScan.sentMicros(body));
              if (++unacked >= ACK_EVERY) {
                unacked = 0;
                channel.basicAck(envelope.getDeliveryTag(), true);
              }
            }
          });
    } catch (IOException e) {
      try {
        connection.close();
      } catch (IOException | RuntimeException ignored) {
        // failing already
      }
      throw new UncheckedIOException(e);
    }
    return new BaselineConsumer(connection, stats);
  }

  ReceiveStats stats() {
    return stats;
  }

  @Override
  public void close() {
    try {
      connection.close(2_000);
    } catch (IOException | RuntimeException e) {
      // already closed
    }
  }
}
