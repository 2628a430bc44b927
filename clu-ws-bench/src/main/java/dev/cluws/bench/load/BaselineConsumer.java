package dev.cluws.bench.load;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The ceiling a gateway is measured against (issue 12's plain consumer): a plain AMQP consumer of
 * the same replies, on its own exclusive, auto-delete queue bound to {@code reply.#} (as the
 * gateway's queue is), consuming with automatic acknowledgement (no-ack), counting messages. It
 * reads each body the way the websocket clients read frames.
 */
final class BaselineConsumer implements AutoCloseable {
  private final Connection connection;
  private final ReceiveStats stats;

  private BaselineConsumer(Connection connection, ReceiveStats stats) {
    this.connection = connection;
    this.stats = stats;
  }

  static BaselineConsumer start(BrokerSettings broker, String exchange, int expected) {
    return start(broker, exchange, expected, false);
  }

  /**
   * With {@code countPerfTest}, the measured replies are PerfTest's: each message whose {@code
   * sender} header is {@value PerfTestPublisher#SENDER} is counted.
   */
  static BaselineConsumer start(
      BrokerSettings broker, String exchange, int expected, boolean countPerfTest) {
    Connection connection = broker.connect("clu-ws-load baseline consumer");
    ReceiveStats stats = new ReceiveStats(expected);
    try {
      Channel channel = connection.createChannel();
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
      String queue = channel.queueDeclare("", false, true, true, null).getQueue();
      channel.queueBind(queue, exchange, "reply.#");
      channel.basicConsume(
          queue,
          true,
          new DefaultConsumer(channel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
              if (countPerfTest && isPerfTest(props)) {
                stats.recordUnnumbered();
              } else {
                stats.record(FrameScan.seq(body), FrameScan.sentMicros(body));
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

  private static boolean isPerfTest(AMQP.BasicProperties props) {
    Map<String, Object> headers = props.getHeaders();
    Object sender = headers == null ? null : headers.get("sender");
    return sender != null && PerfTestPublisher.SENDER.equals(sender.toString());
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
