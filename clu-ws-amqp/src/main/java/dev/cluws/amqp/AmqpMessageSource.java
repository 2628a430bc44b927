package dev.cluws.amqp;

import com.fasterxml.jackson.databind.ObjectReader;
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
import dev.cluws.amqp.internal.CallerRunsDispatch;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes CLU replies from RabbitMQ: declares the exchange exactly as CLU does (topic,
 * non-durable, auto-delete), the gateway's {@code <name>_replies} queue bound to {@code reply.#},
 * and consumes it with a prefetch window and manual acknowledgements.
 *
 * <p><b>The replies queue outlives a cut.</b> It is not exclusive: it carries {@code x-expires}
 * ({@link AmqpSettings#repliesQueueExpiry()}), so the broker keeps it, and keeps routing replies to
 * it, for that long after the gateway's connection is lost; after recovery the gateway consumes it
 * again and receives what was published meanwhile. {@code x-single-active-consumer} keeps two
 * consumers from splitting it, and a gateway refuses to start on a queue that already has a
 * consumer (another gateway with the same name). Closing the source deletes the queue. When the
 * queue is gone after a recovery (the broker restarted, or the outage outlasted the expiry) or the
 * broker cancels the consumer (the queue was deleted), the source declares it anew and tells the
 * listener {@link ReplyListener#onRepliesLost} before it reports {@code UP}.
 *
 * <p><b>Flow control.</b> Deliveries are parsed and validated on amqp-client's consumer thread and
 * handed to the listener; invalid replies are logged, counted and acknowledged like the rest, so
 * none can stall the queue. Acknowledgements go out with {@code multiple=true} every half prefetch
 * window and, when traffic pauses, within {@value #ACK_FLUSH_MILLIS} ms — but only while the
 * listener {@linkplain ReplyListener#hasRoom() has room}. While it has none, the source withholds
 * them: at most {@code prefetch} replies are delivered unacknowledged, and the broker keeps the
 * rest in the queue until the listener runs its {@linkplain ReplyListener#setResumeAction resume
 * action} (or the next flush finds room). Replies that the broker delivers again after a cut
 * (unacknowledged when the connection was lost) are handed over once: a redelivered reply whose
 * {@code message_id} was among the last {@code 2 × prefetch} delivered is acknowledged and skipped.
 *
 * <p>Uses its own connection (RabbitMQ advises separate connections for consuming and publishing).
 * amqp-client's automatic recovery restores the connection and the channel; the source declares the
 * exchange, queue and binding and consumes again itself (so that it sees whether the queue
 * survived). The state is reported to the listener: {@code RECOVERING} from the moment the
 * connection is lost, {@code UP} once the consumer is back, or {@code DOWN} when the connection is
 * back but the source could not consume again.
 */
public final class AmqpMessageSource implements MessageSource {
  private static final Logger log = LoggerFactory.getLogger(AmqpMessageSource.class);
  static final long ACK_FLUSH_MILLIS = 50;
  private static final long CLOSE_WAIT_MILLIS = 2000;

  private final AmqpSettings settings;
  private final String gatewayName;
  private final String queueName;
  private final ReplyParser parser;
  private final LongAdder delivered = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder duplicates = new LongAdder();
  private final LongAdder listenerErrors = new LongAdder();
  private final LongAdder queueLosses = new LongAdder();
  private final Object lifecycle = new Object();
  private final RecentIds recentIds;
  private volatile SourceState state = SourceState.CONNECTING;
  private volatile ReplyListener listener;
  private volatile Connection connection;
  private volatile Channel channel;
  private ScheduledExecutorService ackFlusher;
  private volatile Acker acker;

  public AmqpMessageSource(AmqpSettings settings, String gatewayName) {
    this(settings, gatewayName, JsonMappers.newMapper().reader());
  }

  /** A source that parses reply bodies with this reader (immutable, so it may be shared). */
  public AmqpMessageSource(AmqpSettings settings, String gatewayName, ObjectReader reader) {
    this.settings = settings;
    this.gatewayName = gatewayName;
    this.queueName = gatewayName + "_replies";
    this.parser = new ReplyParser(reader);
    this.recentIds = new RecentIds(2 * settings.prefetch());
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
      // The source recovers its queue and consumer itself, to see whether the queue survived.
      factory.setTopologyRecoveryEnabled(false);
      // Replies are handed over on the connection's reader thread: no wake-up of a pool thread.
      Connection conn =
          Connections.open(factory, settings, gatewayName + " (replies)", new CallerRunsDispatch());
      ScheduledExecutorService flusher =
          Executors.newSingleThreadScheduledExecutor(
              Threads.daemon("clu-ws-amqp-acks-" + gatewayName));
      try {
        Channel ch = conn.createChannel();
        ch.basicQos(settings.prefetch());
        ch.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
        refuseIfInUse(conn);
        Acker newAcker = new Acker(ch, Math.max(1, settings.prefetch() / 2));
        this.acker = newAcker;
        this.ackFlusher = flusher;
        replyListener.setResumeAction(this::resume);
        consume(ch);
        this.connection = conn;
        this.channel = ch;
      } catch (IOException | RuntimeException e) {
        flusher.shutdownNow();
        this.ackFlusher = null;
        Connections.closeQuietly(conn);
        throw translate(e);
      }
      ((Recoverable) connection).addRecoveryListener(new StateTracker());
      connection.addShutdownListener(this::onShutdown);
      // flush catches what acknowledging can throw, so a failure never cancels the schedule.
      var unused =
          ackFlusher.scheduleWithFixedDelay(
              () -> acker.flush(false), ACK_FLUSH_MILLIS, ACK_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
      setState(SourceState.UP);
      log.info(
          "consuming replies from {} on exchange '{}' (queue {}, prefetch {}, kept {} after a"
              + " cut)",
          settings.describeBroker(),
          settings.exchange(),
          queueName,
          settings.prefetch(),
          settings.repliesQueueExpiry());
    }
  }

  /** Another gateway with this name consumes the queue: two would split its replies. */
  private void refuseIfInUse(Connection conn) throws IOException {
    Channel probe = conn.createChannel();
    try {
      if (probe.queueDeclarePassive(queueName).getConsumerCount() > 0) {
        throw new CluWsException(
            "the queue "
                + queueName
                + " is in use by another client: each gateway on a broker needs its own name");
      }
    } catch (IOException notFound) {
      // No such queue yet (the broker closed the probe channel): it is declared next.
    } finally {
      closeQuietly(probe);
    }
  }

  /** Whether the replies queue exists (on a channel of its own: a miss closes the channel). */
  private boolean queueExists(Connection conn) throws IOException {
    Channel probe = conn.createChannel();
    try {
      probe.queueDeclarePassive(queueName);
      return true;
    } catch (IOException notFound) {
      if (isNotFound(notFound)) {
        return false;
      }
      throw notFound;
    } finally {
      closeQuietly(probe);
    }
  }

  /** Declares the queue (if missing) and its binding, and consumes it with a new consumer. */
  private void consume(Channel ch) throws IOException {
    Map<String, Object> arguments =
        Map.of(
            "x-expires",
            Math.toIntExact(settings.repliesQueueExpiry().toMillis()),
            "x-single-active-consumer",
            true);
    ch.queueDeclare(queueName, false, false, false, arguments);
    ch.queueBind(queueName, settings.exchange(), "reply.#");
    ch.basicConsume(queueName, false, gatewayName, new ReplyConsumer(ch));
  }

  /** Declares and consumes the queue again; tells the listener when it had to be re-created. */
  private void consumeAgain(String why, String whyLost) {
    Connection conn = connection;
    Channel ch = channel;
    if (conn == null || ch == null || state == SourceState.CLOSED) {
      return;
    }
    try {
      ch.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
      boolean lost = !queueExists(conn);
      consume(ch);
      if (lost) {
        queueLosses.increment();
        String reason =
            "the queue "
                + queueName
                + " was gone "
                + why
                + " ("
                + whyLost
                + "): replies published to the gateway in between are lost";
        log.warn("{}; declared it anew", reason);
        notifyRepliesLost(reason);
      }
      log.info("consuming {} again {}", queueName, why);
      setState(SourceState.UP);
    } catch (IOException | RuntimeException e) {
      // Connected, but not consuming: say so rather than report UP.
      log.error(
          "could not consume {} again {} ({}); replies do not arrive until the connection is lost"
              + " and recovered again or the gateway restarts",
          queueName,
          why,
          Connections.reason(e));
      setState(SourceState.DOWN);
    }
  }

  private void notifyRepliesLost(String reason) {
    ReplyListener l = listener;
    if (l == null) {
      return;
    }
    try {
      l.onRepliesLost(reason);
    } catch (RuntimeException e) {
      log.warn("reply listener failed on lost replies", e);
    }
  }

  private static boolean isNotFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ShutdownSignalException
          && ((ShutdownSignalException) t).getReason() instanceof AMQP.Channel.Close
          && ((AMQP.Channel.Close) ((ShutdownSignalException) t).getReason()).getReplyCode()
              == AMQP.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  private static void closeQuietly(Channel ch) {
    try {
      if (ch.isOpen()) {
        ch.close();
      }
    } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
      log.debug("closing a probe channel failed", e);
    }
  }

  /** The listener has room again: acknowledge what it took, on the source's own thread. */
  private void resume() {
    ScheduledExecutorService flusher = ackFlusher;
    Acker a = acker;
    if (flusher == null || a == null || !a.holding()) {
      return;
    }
    try {
      flusher.execute(() -> a.flush(false));
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: nothing more to acknowledge
    }
  }

  private RuntimeException translate(Exception e) {
    if (e instanceof CluWsException) {
      return (CluWsException) e;
    }
    String reason = Connections.reason(e);
    if (reason.contains("PRECONDITION_FAILED") && reason.contains("queue")) {
      return new CluWsException(
          "the queue " + queueName + " exists with other arguments than this gateway's: " + reason);
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

  /** Deliveries received (valid or not, duplicates included). */
  public long deliveredCount() {
    return delivered.sum();
  }

  /** Deliveries dropped as invalid replies. */
  public long invalidCount() {
    return invalid.sum();
  }

  /** Redeliveries after a cut that were skipped because the listener already had them. */
  public long duplicateCount() {
    return duplicates.sum();
  }

  /** How often the replies queue was found gone and declared anew. */
  public long queueLossCount() {
    return queueLosses.sum();
  }

  /** Whether acknowledgements are held back now because the listener has no room. */
  public boolean holdingAcknowledgements() {
    Acker a = acker;
    return a != null && a.holding();
  }

  /** The replies queue, {@code <name>_replies}. */
  public String queueName() {
    return queueName;
  }

  /**
   * Stops consuming, acknowledges what was handed over, deletes the replies queue (unless another
   * consumer uses it) and closes the connection. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == SourceState.CLOSED) {
        return;
      }
      setState(SourceState.CLOSED);
      if (ackFlusher != null) {
        Future<?> cleanup = ackFlusher.submit(this::cancelAndDeleteQueue);
        try {
          cleanup.get(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          log.debug("deleting {} did not finish", queueName, e);
        }
        ackFlusher.shutdownNow();
      }
      Connections.closeQuietly(connection);
      connection = null;
      channel = null;
    }
  }

  /** On the ack thread: last acknowledgements, then the queue goes (it would expire anyway). */
  private void cancelAndDeleteQueue() {
    Channel ch = channel;
    Acker a = acker;
    if (a != null) {
      a.flush(true);
    }
    if (ch == null || !ch.isOpen()) {
      return;
    }
    try {
      ch.basicCancel(gatewayName);
      ch.queueDelete(queueName, true, false); // if unused: a twin that consumes keeps it
    } catch (IOException | RuntimeException e) {
      log.debug("could not delete {} (it expires by itself)", queueName, e);
    }
  }

  /**
   * Acknowledges delivered messages in batches ({@code multiple=true}) while the listener has room.
   */
  private final class Acker {
    private final Channel channel;
    private final int batch;
    private long lastDelivered;
    private long lastAcked;
    private volatile boolean holding;

    Acker(Channel channel, int batch) {
      this.channel = channel;
      this.batch = batch;
    }

    synchronized void delivered(long tag) {
      lastDelivered = tag;
      if (lastDelivered - lastAcked >= batch || lastDelivered < lastAcked) {
        ackIfRoom(false);
      }
    }

    synchronized void flush(boolean force) {
      if (lastDelivered != lastAcked) {
        ackIfRoom(force);
      }
    }

    boolean holding() {
      return holding;
    }

    private void ackIfRoom(boolean force) {
      ReplyListener l = listener;
      boolean room;
      try {
        room = force || l == null || l.hasRoom();
      } catch (RuntimeException e) {
        log.warn("reply listener failed to say whether it has room; acknowledging", e);
        room = true;
      }
      if (!room) {
        if (!holding) {
          holding = true;
          log.debug("the gateway's clients lag: holding acknowledgements from {}", lastAcked + 1);
        }
        return;
      }
      if (holding) {
        holding = false;
        log.debug("the gateway's clients caught up: acknowledging up to {}", lastDelivered);
      }
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

  /** The message ids of the last replies delivered, to recognise a redelivery after a cut. */
  private static final class RecentIds {
    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
      this.ids =
          new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > capacity;
            }
          };
    }

    /** Remembers the id; returns whether it was already there. */
    synchronized boolean seen(String id) {
      return ids.put(id, Boolean.TRUE) != null;
    }
  }

  private final class ReplyConsumer extends DefaultConsumer {
    private long invalidLogged;

    ReplyConsumer(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      delivered.increment();
      try {
        String messageId = properties == null ? null : properties.getMessageId();
        boolean again = messageId != null && recentIds.seen(messageId);
        if (again && envelope.isRedeliver()) {
          duplicates.increment(); // handed over before the cut, not acknowledged in time
          return;
        }
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
      if (state == SourceState.CLOSED) {
        return;
      }
      log.warn("the broker cancelled the consumer of {} (the queue was deleted?)", queueName);
      setState(SourceState.RECOVERING);
      try {
        ackFlusher.execute(
            () ->
                consumeAgain(
                    "after the broker cancelled the gateway's consumer",
                    "it was deleted while the gateway consumed it"));
      } catch (RejectedExecutionException closing) {
        // closed meanwhile
      }
    }
  }

  private final class StateTracker implements RecoveryListener {
    @Override
    public void handleRecovery(Recoverable recoverable) {
      log.info("reconnected to {}", settings.describeBroker());
      consumeAgain(
          "after reconnecting",
          "the broker restarted, or the outage outlasted the queue's expiry of "
              + settings.repliesQueueExpiry().toSeconds()
              + " s");
    }

    @Override
    public void handleRecoveryStarted(Recoverable recoverable) {
      setState(SourceState.RECOVERING);
    }
  }
}
