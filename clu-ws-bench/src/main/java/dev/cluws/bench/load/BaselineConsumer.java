package dev.cluws.bench.load;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ceiling a gateway is measured against (issue 12's plain consumer): a plain AMQP consumer of
 * the same replies, on its own exclusive, auto-delete queue bound to {@code reply.#} (as the
 * gateway's queue is), consuming with automatic acknowledgement (no-ack), counting messages. It
 * reads each body the way the websocket clients read frames.
 */
final class BaselineConsumer implements AutoCloseable {
  /** A stream reader's prefetch window, as a history read's. */
  static final int STREAM_PREFETCH = 1000;

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
    return open(
        broker,
        "clu-ws-load baseline consumer",
        expected,
        (channel, stats) -> {
          channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, false, true, null);
          String queue = channel.queueDeclare("", false, true, true, null).getQueue();
          channel.queueBind(queue, exchange, "reply.#");
          channel.basicConsume(queue, true, new Counter(channel, stats, countPerfTest, 0));
        });
  }

  /**
   * The same consumer of PerfTest's replies, reading them live from a stream ({@code
   * x-stream-offset: next}) instead of a queue of its own, with the prefetch window and manual
   * acknowledgements (every half window) that RabbitMQ requires of a stream's consumers: what a
   * gateway taking its live replies from the shared history would do.
   */
  static BaselineConsumer startOnStream(BrokerSettings broker, String stream, int expected) {
    return open(
        broker,
        "clu-ws-load stream reader",
        expected,
        (channel, stats) ->
            consumeStream(
                channel, stream, "next", new Counter(channel, stats, true, STREAM_PREFETCH / 2)));
  }

  /**
   * Consumes a stream from {@code offset} (an {@code x-stream-offset} value) with a history read's
   * prefetch window; returns the consumer tag.
   */
  private static String consumeStream(
      Channel channel, String stream, Object offset, com.rabbitmq.client.Consumer consumer)
      throws IOException {
    channel.basicQos(STREAM_PREFETCH);
    return channel.basicConsume(
        stream, false, "", false, false, Map.of("x-stream-offset", offset), consumer);
  }

  /**
   * What a history request's answer is measured against: a plain AMQP consumer reading {@code
   * count} messages of a stream from a time ({@code x-stream-offset} with a timestamp), with a
   * history read's prefetch window and acknowledgements, then cancelling. Returns the milliseconds
   * from the consume to the last message, or -1 when they did not all come before {@code deadline}
   * ({@link System#nanoTime()}).
   */
  static double readStream(
      BrokerSettings broker, String stream, Instant from, int count, long deadline) {
    AtomicInteger received = new AtomicInteger();
    try (Connection connection = broker.connect("clu-ws-load plain stream reader")) {
      Channel channel = connection.createChannel();
      long start = System.nanoTime();
      String tag =
          consumeStream(
              channel,
              stream,
              Date.from(from),
              new DefaultConsumer(channel) {
                private int unacked;

                @Override
                public void handleDelivery(
                    String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body)
                    throws IOException {
                  int n = received.incrementAndGet();
                  if (++unacked >= STREAM_PREFETCH / 2 || n == count) {
                    getChannel().basicAck(envelope.getDeliveryTag(), true);
                    unacked = 0;
                  }
                }
              });
      while (received.get() < count && System.nanoTime() < deadline) {
        FanoutRun.sleep(1);
      }
      double millis = (System.nanoTime() - start) / 1e6;
      channel.basicCancel(tag);
      return received.get() >= count ? millis : -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Declares and consumes on a new channel of the consumer's connection. */
  private interface Setup {
    void consume(Channel channel, ReceiveStats stats) throws IOException;
  }

  private static BaselineConsumer open(
      BrokerSettings broker, String connectionName, int expected, Setup setup) {
    Connection connection = broker.connect(connectionName);
    ReceiveStats stats = new ReceiveStats(expected);
    try {
      setup.consume(connection.createChannel(), stats);
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

  /**
   * Counts each delivery as the websocket clients count frames; acknowledges every {@code ackEvery}
   * deliveries and the last expected one ({@code 0}: the consumer is no-ack).
   */
  private static final class Counter extends DefaultConsumer {
    private final ReceiveStats stats;
    private final boolean countPerfTest;
    private final int ackEvery;
    private long unacked;

    Counter(Channel channel, ReceiveStats stats, boolean countPerfTest, int ackEvery) {
      super(channel);
      this.stats = stats;
      this.countPerfTest = countPerfTest;
      this.ackEvery = ackEvery;
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) throws IOException {
      if (countPerfTest && isPerfTest(props)) {
        stats.recordUnnumbered();
      } else {
        stats.record(FrameScan.seq(body), FrameScan.sentMicros(body));
      }
      if (ackEvery > 0 && (++unacked >= ackEvery || stats.received() >= stats.expected())) {
        getChannel().basicAck(envelope.getDeliveryTag(), true);
        unacked = 0;
      }
    }
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
