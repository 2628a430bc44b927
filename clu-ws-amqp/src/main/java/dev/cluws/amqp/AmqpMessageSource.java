package dev.cluws.amqp;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.TopologyRecoveryException;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import com.rabbitmq.client.impl.recovery.RetryHandler;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryRetryHandlerBuilder;
import com.rabbitmq.client.impl.recovery.TopologyRecoveryRetryLogic;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.internal.ReplyParser;
import dev.cluws.amqp.internal.Threads;
import dev.cluws.core.log.LogText;
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
import java.util.concurrent.atomic.AtomicInteger;
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
 * amqp-client's automatic recovery restores the connection, exchange, queue, binding and consumer
 * after an outage; the state is reported to the listener: {@code RECOVERING} from the moment the
 * connection is lost, {@code UP} once the consumer is back, or {@code DOWN} when the connection is
 * back but the topology could not be recovered. While the broker still holds the exclusive queue
 * for the lost connection (RESOURCE_LOCKED, after a partition the broker has not noticed yet),
 * declaring it is retried every recovery interval.
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
  /** Why recovering the exchange, queue, binding or consumer failed in this recovery, or null. */
  private volatile String topologyFailure;
  private final AtomicInteger lockedRetries = new AtomicInteger();

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
      ConnectionFactory factory = Connections.factory(settings);
      factory.setTopologyRecoveryRetryHandler(retryWhileQueueLocked());
      factory.setExceptionHandler(new TopologyFailures());
      Connection conn = Connections.open(factory, settings, gatewayName + " (replies)");
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
        Connections.closeQuietly(conn);
        throw translate(e);
      }
      ((Recoverable) connection).addRecoveryListener(new StateTracker());
      connection.addShutdownListener(this::onShutdown);
      ackFlusher =
          Executors.newSingleThreadScheduledExecutor(
              Threads.daemon("clu-ws-amqp-acks-" + gatewayName));
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

  /**
   * When the connection comes back before the broker has noticed that the old one is gone (a
   * network partition rather than a reset), the old connection still holds the exclusive replies
   * queue and declaring it again fails with RESOURCE_LOCKED. The broker lets it go when it misses
   * the old connection's heartbeats; until then, try again every recovery interval (the source
   * stays RECOVERING meanwhile).
   */
  private RetryHandler retryWhileQueueLocked() {
    return TopologyRecoveryRetryHandlerBuilder.builder()
        .queueRecoveryRetryCondition(
            (queue, e) -> {
              if (state == SourceState.CLOSED || !isResourceLocked(e)) {
                return false;
              }
              int attempt = lockedRetries.incrementAndGet();
              if (attempt == 1 || attempt % 30 == 0) {
                log.warn(
                    "the broker still holds {} for the lost connection (RESOURCE_LOCKED);"
                        + " trying again every {} until it lets go (attempt {})",
                    queueName,
                    settings.recoveryInterval(),
                    attempt);
              }
              return true;
            })
        .queueRecoveryRetryOperation(
            TopologyRecoveryRetryLogic.RECOVER_CHANNEL.andThen(
                TopologyRecoveryRetryLogic.RECOVER_QUEUE))
        .retryAttempts(Integer.MAX_VALUE)
        .backoffPolicy(attempt -> Thread.sleep(settings.recoveryInterval().toMillis()))
        .build();
  }

  private static boolean isResourceLocked(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ShutdownSignalException
          && ((ShutdownSignalException) t).getReason() instanceof AMQP.Channel.Close
          && ((AMQP.Channel.Close) ((ShutdownSignalException) t).getReason()).getReplyCode()
              == AMQP.RESOURCE_LOCKED) {
        return true;
      }
    }
    return false;
  }

  private void setState(SourceState newState) {
    if (state == SourceState.CLOSED) {
      return; // e.g. a recovery that completes after close()
    }
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
      Connections.closeQuietly(connection);
      connection = null;
      channel = null;
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
        log.error("failed to handle a reply on {}", LogText.of(envelope.getRoutingKey()), t);
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
            LogText.of(envelope.getRoutingKey()),
            LogText.of(problem),
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
      String failure = topologyFailure;
      if (failure != null) {
        // Connected, but not consuming: say so rather than report UP.
        log.error(
            "reconnected to {} but could not consume {} again ({}); replies do not arrive until"
                + " the connection is lost and recovered again or the gateway restarts",
            settings.describeBroker(),
            queueName,
            failure);
        setState(SourceState.DOWN);
        return;
      }
      log.info("reconnected to {}; consuming {} again", settings.describeBroker(), queueName);
      setState(SourceState.UP);
    }

    @Override
    public void handleRecoveryStarted(Recoverable recoverable) {
      topologyFailure = null;
      lockedRetries.set(0);
      setState(SourceState.RECOVERING);
    }
  }

  /** amqp-client's default handling, plus: remembers that recovering the topology failed. */
  private final class TopologyFailures extends ForgivingExceptionHandler {
    @Override
    public void handleTopologyRecoveryException(
        Connection conn, Channel ch, TopologyRecoveryException exception) {
      String reason = Connections.reason(exception);
      if (topologyFailure == null) {
        topologyFailure = reason;
        log.warn("recovering the exchange and {} failed: {}", queueName, reason);
      } else {
        log.debug("{}", exception.getMessage());
      }
    }
  }
}
