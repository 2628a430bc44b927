package dev.cluws.amqp;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.internal.ReplyParser;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes CLU replies from RabbitMQ: declares the exchange exactly as CLU does (topic,
 * non-durable, auto-delete), an exclusive {@code <name>_replies} queue bound to {@code reply.#},
 * and consumes it with a prefetch window, acknowledging in batches.
 *
 * <p>Deliveries are parsed and validated on amqp-client's consumer thread and handed to the
 * listener; invalid replies are logged, counted and acknowledged like the rest, so none can stall
 * the queue. Acknowledgements go out with {@code multiple=true} every half prefetch window and, when
 * traffic pauses, within {@value #ACK_FLUSH_MILLIS} ms.
 *
 * <p>Uses its own connection (RabbitMQ advises separate connections for consuming and publishing).
 * amqp-client's automatic recovery restores the connection, queue, binding and consumer after an
 * outage; the state is reported to the listener.
 */
public final class AmqpMessageSource implements MessageSource {
  private static final Logger log = LoggerFactory.getLogger(AmqpMessageSource.class);
  static final long ACK_FLUSH_MILLIS = 50;

  private final AmqpSettings settings;
  private final String gatewayName;
  private final String queueName;
  private final ReplyParser parser;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();
  private final Object lifecycle = new Object();
  private volatile SourceState state = SourceState.CONNECTING;
  private volatile ReplyListener listener;
  private Connection connection;
  private Channel channel;
  private ScheduledExecutorService ackFlusher;
  private Acker acker;

  public AmqpMessageSource(AmqpSettings settings, String gatewayName) {
    this(settings, gatewayName, JsonMappers.newMapper());
  }

  /** A source that parses reply bodies with the gateway's shared mapper. */
  public AmqpMessageSource(AmqpSettings settings, String gatewayName, JsonMapper mapper) {
    this.settings = settings;
    this.gatewayName = gatewayName;
    this.queueName = gatewayName + "_replies";
    this.parser = new ReplyParser(mapper);
  }

  @Override
  public void start(ReplyListener replyListener) {
    synchronized (lifecycle) {
      if (connection != null) {
        return;
      }
      if (state == SourceState.CLOSED) {
        throw new IllegalStateException("source is closed");
      }
      this.listener = replyListener;
      Connection conn =
          Connections.open(
              Connections.factory(settings), settings, gatewayName + " (replies)");
      try {
        Channel ch = conn.createChannel();
        ch.basicQos(settings.prefetch());
        ch.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
        ch.queueDeclare(queueName, false, true, true, null);
        ch.queueBind(queueName, settings.exchange(), "reply.#");
        Acker newAcker = new Acker(ch, Math.max(1, settings.prefetch() / 2));
        ch.basicConsume(queueName, false, gatewayName, new ReplyConsumer(ch, newAcker));
        this.connection = conn;
        this.channel = ch;
        this.acker = newAcker;
      } catch (IOException | RuntimeException e) {
        closeQuietly(conn);
        throw translate(e);
      }
      ((Recoverable) connection).addRecoveryListener(new StateTracker());
      connection.addShutdownListener(this::onShutdown);
      ackFlusher =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "clu-ws-amqp-acks-" + gatewayName);
                t.setDaemon(true);
                return t;
              });
      ackFlusher.scheduleWithFixedDelay(
          acker::flush, ACK_FLUSH_MILLIS, ACK_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
      setState(SourceState.UP);
      log.info(
          "consuming replies from {} on exchange '{}' (queue {}, prefetch {})",
          settings.describeBroker(),
          settings.exchange(),
          queueName,
          settings.prefetch());
    }
  }

  private RuntimeException translate(Exception e) {
    String reason = Connections.reason(e);
    if (reason.contains("RESOURCE_LOCKED")) {
      return new CluWsException(
          "the queue "
              + queueName
              + " is in use by another client: each gateway on a broker needs its own name");
    }
    if (reason.contains("PRECONDITION_FAILED")) {
      return new CluWsException(
          "exchange '"
              + settings.exchange()
              + "' exists with other flags than CLU's (topic, non-durable, auto-delete): "
              + reason);
    }
    return new BrokerUnavailableException(
        "cannot consume replies from " + settings.describeBroker() + ": " + reason, e);
  }

  private void onShutdown(ShutdownSignalException cause) {
    if (state == SourceState.CLOSED || cause.isInitiatedByApplication()) {
      return;
    }
    log.warn("lost the connection to {}: {}", settings.describeBroker(), cause.getMessage());
    setState(SourceState.RECOVERING);
  }

  private void setState(SourceState newState) {
    state = newState;
    ReplyListener l = listener;
    if (l != null) {
      try {
        l.onStateChange(newState);
      } catch (RuntimeException e) {
        log.warn("reply listener failed on a state change", e);
      }
    }
  }

  @Override
  public SourceState state() {
    return state;
  }

  /** Deliveries received (valid or not). */
  public long deliveredCount() {
    return delivered.sum();
  }

  /** Deliveries dropped as invalid replies. */
  public long invalidCount() {
    return invalid.sum();
  }

  /** The replies queue, {@code <name>_replies}. */
  public String queueName() {
    return queueName;
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == SourceState.CLOSED) {
        return;
      }
      setState(SourceState.CLOSED);
      if (ackFlusher != null) {
        ackFlusher.shutdownNow();
      }
      if (acker != null) {
        acker.flush();
      }
      closeQuietly(connection);
      connection = null;
      channel = null;
    }
  }

  private static void closeQuietly(Connection conn) {
    if (conn == null) {
      return;
    }
    try {
      conn.close(2000);
    } catch (IOException | RuntimeException e) {
      log.debug("closing the AMQP connection failed", e);
    }
  }

  /** Acknowledges delivered messages in batches ({@code multiple=true}). */
  private static final class Acker {
    private final Channel channel;
    private final int batch;
    private long lastDelivered;
    private long lastAcked;

    Acker(Channel channel, int batch) {
      this.channel = channel;
      this.batch = batch;
    }

    synchronized void delivered(long tag) {
      lastDelivered = tag;
      if (lastDelivered - lastAcked >= batch || lastDelivered < lastAcked) {
        ack();
      }
    }

    synchronized void flush() {
      if (lastDelivered != lastAcked) {
        ack();
      }
    }

    private void ack() {
      long tag = lastDelivered;
      lastAcked = tag;
      try {
        if (channel.isOpen()) {
          channel.basicAck(tag, true);
        }
      } catch (IOException | RuntimeException e) {
        // The channel is closing; unacknowledged replies are redelivered after recovery.
        log.debug("could not acknowledge up to delivery {}", tag, e);
      }
    }
  }

  private final class ReplyConsumer extends DefaultConsumer {
    private final Acker acker;
    private long invalidLogged;

    ReplyConsumer(Channel channel, Acker acker) {
      super(channel);
      this.acker = acker;
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      delivered.increment();
      try {
        ReplyParser.Result result = parser.parse(envelope, properties, body);
        if (result.valid()) {
          listener.onReply(result.reply());
        } else {
          invalid.increment();
          logInvalid(envelope, result.problem());
        }
      } catch (Throwable t) { // never let an exception reach amqp-client's consumer thread
        listenerErrors.increment();
        log.error("failed to handle a reply on {}", envelope.getRoutingKey(), t);
      } finally {
        acker.delivered(envelope.getDeliveryTag());
      }
    }

    private void logInvalid(Envelope envelope, String problem) {
      long count = invalid.sum();
      if (invalidLogged < 10 || count % 1000 == 0) {
        invalidLogged++;
        log.warn(
            "dropping an invalid reply on {}: {} ({} invalid replies so far)",
            envelope.getRoutingKey(),
            problem,
            count);
      }
    }

    @Override
    public void handleCancel(String consumerTag) {
      log.warn("the broker cancelled the consumer of {}", queueName);
      setState(SourceState.DOWN);
    }
  }

  private final class StateTracker implements RecoveryListener {
    @Override
    public void handleRecovery(Recoverable recoverable) {
      log.info("reconnected to {}; consuming {} again", settings.describeBroker(), queueName);
      setState(SourceState.UP);
    }

    @Override
    public void handleRecoveryStarted(Recoverable recoverable) {
      setState(SourceState.RECOVERING);
    }
  }
}
