package dev.cluws.amqp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.internal.Threads;
import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluIds;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.OutcomeUnknownException;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes commands the way CLU does: to {@code command.<consumer>} on the exchange, body {@code
 * {"command_string": ...}}, correlation id = command id, {@code reply_to = <name>_replies}, headers
 * {@code command_id}, {@code commander_id = <name>.<consumer>}, {@code internal = false}, {@code
 * write_to_log = true}, {@code mandatory} and publisher confirms.
 *
 * <p>When the broker returns a command (no actor of that name is running), the sink publishes CLU's
 * {@code f} reply from that consumer, "Failed routing message to consumer '&lt;c&gt;'.", on {@code
 * reply.<name>}, so every listener on the exchange sees the command fail, exactly as with CLU.
 *
 * <p>{@link #send} never blocks, and the returned stage completes when the broker's confirm
 * arrives. A command is published on the caller's thread when that cannot wait: nothing is queued
 * for the publisher thread (so commands keep their order), no other thread is publishing, the
 * broker has not blocked the connection, and the bytes the broker has not yet confirmed, this
 * command's included, are at most {@value #INLINE_UNCONFIRMED_BYTES} (a confirmed command has been
 * read from the socket, so the write fits in the socket's buffers, which hold far more). Otherwise,
 * and for anything that may take a network round trip (replacing a closed channel), the command
 * waits for the one publisher thread behind a bounded queue. The back-to-back round trip of a
 * client thus crosses no thread hand-off on its way to the broker. Uses its own connection.
 */
public final class AmqpCommandSink implements CommandSink {
  private static final Logger log = LoggerFactory.getLogger(AmqpCommandSink.class);
  static final int MAX_WAITING = 10_000;

  /**
   * The most bytes of command bodies the broker may not have confirmed yet when a command is
   * published on the caller's thread: well below what a TCP connection's buffers take without the
   * reader (Linux starts a socket at 16 KiB to send and 128 KiB to receive), so that write never
   * waits for the broker.
   */
  static final int INLINE_UNCONFIRMED_BYTES = 8 * 1024;

  /** How long a nacked command waits for its return before the nack counts as a refusal. */
  static final long RETURN_AFTER_NACK_MILLIS = 1000;

  private final AmqpSettings settings;
  private final String gatewayName;
  private final String replyTo;
  private final ObjectWriter writer;
  private final ConcurrentNavigableMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
  private final Map<String, Pending> byMessageId = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean closed;
  private volatile Connection connection;
  private final ShutdownListener shutdownListener = this::onShutdown;
  private volatile Channel channel;
  private ThreadPoolExecutor publisher;

  /** Held by whoever publishes: the publisher thread, or a caller publishing on its own thread. */
  private final ReentrantLock publishing = new ReentrantLock();

  /** Publishes handed to the publisher thread and not yet done. */
  private final AtomicInteger handedOver = new AtomicInteger();

  /** Body bytes of the commands published and not yet confirmed. */
  private final AtomicLong unconfirmedBytes = new AtomicLong();

  /** Whether the broker has blocked the connection (a resource alarm): it reads nothing more. */
  private volatile boolean blocked;

  public AmqpCommandSink(AmqpSettings settings, String gatewayName) {
    this(settings, gatewayName, JsonMappers.newMapper().writer());
  }

  /** A sink that writes command bodies with this writer (immutable, so it may be shared). */
  public AmqpCommandSink(AmqpSettings settings, String gatewayName, ObjectWriter writer) {
    this.settings = settings;
    this.gatewayName = gatewayName;
    this.replyTo = gatewayName + "_replies";
    this.writer = writer;
  }

  /** One command waiting for its confirm. */
  private static final class Pending {
    final String messageId;
    final CompletableFuture<CommandOutcome> result;
    final int bytes;
    volatile boolean returned;

    /** Nacked before any return: an unroutable command on a broker that nacks before it returns. */
    volatile boolean nacked;

    Pending(String messageId, CompletableFuture<CommandOutcome> result, int bytes) {
      this.messageId = messageId;
      this.result = result;
      this.bytes = bytes;
    }
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (connection != null) {
        return;
      }
      if (closed) {
        throw new IllegalStateException("sink is closed");
      }
      Connection conn =
          Connections.open(Connections.factory(settings), settings, gatewayName + " (commands)");
      try {
        conn.addBlockedListener(
            new BlockedListener() {
              @Override
              public void handleBlocked(String reason) {
                blocked = true;
                log.warn(
                    "the broker {} blocks publishing commands: {}",
                    settings.describeBroker(),
                    LogText.of(reason));
              }

              @Override
              public void handleUnblocked() {
                blocked = false;
                log.info("the broker {} takes commands again", settings.describeBroker());
              }
            });
        // A new connection (after recovery) starts unblocked; the broker says so again if not.
        conn.addShutdownListener(cause -> blocked = false);
        this.channel = openChannel(conn);
      } catch (IOException | RuntimeException e) {
        Connections.closeQuietly(conn);
        throw new BrokerUnavailableException(
            "cannot publish commands to "
                + settings.describeBroker()
                + ": "
                + Connections.reason(e),
            e);
      }
      this.connection = conn;
      this.publisher =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new LinkedBlockingQueue<>(MAX_WAITING),
              Threads.daemon("clu-ws-amqp-publisher-" + gatewayName));
      log.info(
          "publishing commands to {} on exchange '{}' as {}",
          settings.describeBroker(),
          settings.exchange(),
          gatewayName);
    }
  }

  /** A channel in confirm mode with the sink's listeners, the exchange declared as CLU does. */
  private Channel openChannel(Connection conn) throws IOException {
    Channel ch = conn.createChannel();
    ch.confirmSelect();
    ch.exchangeDeclare(settings.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
    ch.addReturnListener((ReturnListener) this::onReturn);
    ch.addConfirmListener(new Confirms());
    ch.addShutdownListener(shutdownListener);
    return ch;
  }

  /**
   * The channel to publish on, or null while the connection is down (its recovery brings the
   * channel back). Runs on the publisher thread. A channel the broker closed on its own, while the
   * connection stays up (e.g. NOT_FOUND: a command published to an exchange that vanished), is not
   * recovered by amqp-client: replace it, declaring the exchange again.
   */
  private Channel usableChannel() {
    Channel ch = channel;
    if (ch != null && ch.isOpen()) {
      return ch;
    }
    Connection conn = connection;
    if (closed || ch == null || conn == null || !conn.isOpen()) {
      return null;
    }
    try {
      ch.removeShutdownListener(shutdownListener); // it has told its story already
      ch.abort(); // forget it, so that connection recovery does not bring it back
    } catch (IOException | RuntimeException e) {
      log.debug("discarding the closed command channel failed", e);
    }
    try {
      Channel fresh = openChannel(conn);
      channel = fresh;
      log.info("opened a new command channel to {}", settings.describeBroker());
      return fresh;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not open a new command channel to {}: {}",
          settings.describeBroker(),
          Connections.reason(e));
      return null;
    }
  }

  /**
   * Whether a command sent now would be published: started, not closed, and the connection and its
   * channel are open and in confirm mode again after any recovery.
   */
  @Override
  public boolean isConnected() {
    Connection conn = connection;
    Channel ch = channel;
    return !closed
        && conn != null
        && conn.isOpen()
        && ch != null
        && ch.isOpen()
        && ch.getNextPublishSeqNo() > 0;
  }

  @Override
  public CompletionStage<CommandOutcome> send(Command command) {
    CompletableFuture<CommandOutcome> result = new CompletableFuture<>();
    ThreadPoolExecutor executor = publisher;
    if (executor == null || closed) {
      result.completeExceptionally(new BrokerUnavailableException("the gateway is not connected"));
      return result;
    }
    Outgoing outgoing = outgoing(command);
    if (publishHere(outgoing, result)) {
      return result;
    }
    handedOver.incrementAndGet();
    try {
      executor.execute(
          () -> {
            publishing.lock();
            try {
              publish(outgoing, result);
            } finally {
              handedOver.decrementAndGet();
              publishing.unlock();
            }
          });
    } catch (RejectedExecutionException e) {
      handedOver.decrementAndGet();
      result.completeExceptionally(
          new CluWsException(
              closed
                  ? "the gateway is shutting down"
                  : "too many commands are waiting to be published; try again"));
    }
    return result;
  }

  /**
   * Publishes on the caller's thread when that cannot wait (see the class comment); false leaves
   * the command to the publisher thread.
   */
  private boolean publishHere(Outgoing outgoing, CompletableFuture<CommandOutcome> result) {
    if (blocked
        || handedOver.get() > 0
        || unconfirmedBytes.get() + outgoing.body.length > INLINE_UNCONFIRMED_BYTES
        || !publishing.tryLock()) {
      return false;
    }
    try {
      Channel ch = channel;
      if (handedOver.get() > 0 || ch == null || !ch.isOpen() || ch.getNextPublishSeqNo() == 0) {
        return false;
      }
      publishOn(ch, outgoing, result);
      return true;
    } finally {
      publishing.unlock();
    }
  }

  /** A command as it goes to the broker: routing key, properties and body. */
  private static final class Outgoing {
    final String routingKey;
    final String messageId;
    final AMQP.BasicProperties props;
    final byte[] body;

    Outgoing(String routingKey, String messageId, AMQP.BasicProperties props, byte[] body) {
      this.routingKey = routingKey;
      this.messageId = messageId;
      this.props = props;
      this.body = body;
    }
  }

  private Outgoing outgoing(Command command) {
    String messageId = CluIds.newMessageId();
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, command.commandId());
    headers.put(Reply.COMMANDER_ID, gatewayName + "." + command.consumer());
    headers.put(Reply.INTERNAL, false);
    headers.put("write_to_log", true);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId(command.commandId())
            .replyTo(replyTo)
            .messageId(messageId)
            .timestamp(new Date())
            .headers(headers)
            .build();
    byte[] body;
    try {
      body = writer.writeValueAsBytes(Map.of("command_string", command.commandString()));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return new Outgoing("command." + command.consumer(), messageId, props, body);
  }

  /** Runs on the publisher thread, holding {@link #publishing}. */
  private void publish(Outgoing outgoing, CompletableFuture<CommandOutcome> result) {
    Channel ch = usableChannel();
    if (ch == null) {
      result.completeExceptionally(
          new BrokerUnavailableException("the connection to the broker is down"));
      return;
    }
    publishOn(ch, outgoing, result);
  }

  /**
   * Publishes on an open channel. Holding {@link #publishing}, so the channel's confirm sequence
   * stays consistent.
   */
  private void publishOn(Channel ch, Outgoing outgoing, CompletableFuture<CommandOutcome> result) {
    long seq = ch.getNextPublishSeqNo();
    if (seq == 0) {
      // Recovery has opened the new channel but not yet put it in confirm mode: a publish now
      // would never be confirmed.
      result.completeExceptionally(
          new BrokerUnavailableException("the connection to the broker is being recovered"));
      return;
    }
    Pending pending = new Pending(outgoing.messageId, result, outgoing.body.length);
    unconfirmedBytes.addAndGet(pending.bytes);
    unconfirmed.put(seq, pending);
    byMessageId.put(outgoing.messageId, pending);
    try {
      ch.basicPublish(
          settings.exchange(), outgoing.routingKey, true, outgoing.props, outgoing.body);
    } catch (IOException | RuntimeException e) {
      if (unconfirmed.remove(seq, pending)) {
        unconfirmedBytes.addAndGet(-pending.bytes);
      }
      byMessageId.remove(outgoing.messageId);
      result.completeExceptionally(
          new BrokerUnavailableException(
              "the broker connection failed while publishing: " + Connections.reason(e), e));
    }
  }

  private void onReturn(
      int replyCode,
      String replyText,
      String exchange,
      String routingKey,
      AMQP.BasicProperties props,
      byte[] body) {
    Pending pending = props.getMessageId() == null ? null : byMessageId.get(props.getMessageId());
    if (pending != null) {
      pending.returned = true;
      if (pending.nacked && byMessageId.remove(pending.messageId, pending)) {
        pending.result.complete(CommandOutcome.RETURNED);
      }
    }
    String consumer =
        routingKey.startsWith("command.") ? routingKey.substring("command.".length()) : routingKey;
    if (log.isDebugEnabled()) {
      log.debug(
          "broker returned command to {} ({} {})",
          LogText.field(consumer),
          replyCode,
          LogText.of(replyText));
    }
    try {
      handedOver.incrementAndGet();
      publisher.execute(
          () -> {
            publishing.lock();
            try {
              publishRoutingFailure(consumer, props);
            } finally {
              handedOver.decrementAndGet();
              publishing.unlock();
            }
          });
    } catch (RejectedExecutionException e) {
      handedOver.decrementAndGet();
      log.warn("could not publish the routing failure for consumer {}", LogText.field(consumer));
    }
  }

  /** CLU's reply to an unroutable command, published on the exchange for every listener. */
  private void publishRoutingFailure(String consumer, AMQP.BasicProperties returned) {
    Channel ch = channel;
    if (ch == null || !ch.isOpen()) {
      return;
    }
    Map<String, Object> headers = new LinkedHashMap<>();
    if (returned.getHeaders() != null) {
      headers.putAll(returned.getHeaders());
    }
    headers.put(Reply.MESSAGE_CODE, "f");
    headers.put(Reply.SENDER, consumer);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("text/json")
            .correlationId(returned.getCorrelationId())
            .messageId(CluIds.newMessageId())
            .timestamp(new Date())
            .headers(headers)
            .build();
    try {
      byte[] body =
          writer.writeValueAsBytes(
              Map.of("error", "Failed routing message to consumer '" + consumer + "'."));
      ch.basicPublish(settings.exchange(), "reply." + gatewayName, false, props, body);
    } catch (IOException | RuntimeException e) {
      log.warn("could not publish the routing failure for consumer {}", LogText.field(consumer), e);
    }
  }

  private void onShutdown(ShutdownSignalException cause) {
    if (!cause.isInitiatedByApplication()) {
      log.warn("command channel to {} lost: {}", settings.describeBroker(), cause.getMessage());
    }
    // Confirms for what is in flight will never come: fail it now (sequence numbers restart).
    failAll(
        unconfirmed,
        cause.isHardError()
            ? new OutcomeUnknownException(
                "the connection to the broker was lost before it confirmed the command")
            : new CluWsException(
                "the broker closed the command channel: "
                    + (cause.getReason() instanceof AMQP.Channel.Close
                        ? ((AMQP.Channel.Close) cause.getReason()).getReplyText()
                        : Connections.reason(cause))));
  }

  /**
   * Fails the commands pending now; each is taken out once, whichever thread gets it first (a
   * confirm may take some meanwhile).
   */
  private void failAll(Map<Long, Pending> pendings, RuntimeException error) {
    for (Long seq : List.copyOf(pendings.keySet())) {
      Pending pending = pendings.remove(seq);
      if (pending != null) {
        unconfirmedBytes.addAndGet(-pending.bytes);
        byMessageId.remove(pending.messageId);
        pending.result.completeExceptionally(error);
      }
    }
  }

  private final class Confirms implements ConfirmListener {
    @Override
    public void handleAck(long deliveryTag, boolean multiple) {
      for (Pending pending : take(deliveryTag, multiple)) {
        pending.result.complete(
            pending.returned ? CommandOutcome.RETURNED : CommandOutcome.PUBLISHED);
      }
    }

    @Override
    public void handleNack(long deliveryTag, boolean multiple) {
      for (Pending pending : take(deliveryTag, multiple)) {
        if (pending.returned) {
          pending.result.complete(CommandOutcome.RETURNED);
          continue;
        }
        // RabbitMQ returns an unroutable mandatory publish, then acks it; other AMQP 0-9-1
        // brokers (Qpid Broker-J, the embedded broker) nack it first and return it right after.
        // So a nack waits briefly for its return before it counts as a refusal.
        pending.nacked = true;
        byMessageId.put(pending.messageId, pending);
        CompletableFuture.delayedExecutor(RETURN_AFTER_NACK_MILLIS, TimeUnit.MILLISECONDS)
            .execute(
                () -> {
                  if (byMessageId.remove(pending.messageId, pending)) {
                    pending.result.completeExceptionally(
                        new CluWsException(
                            "the broker refused the command (negative acknowledgement)"));
                  }
                });
      }
    }

    private Iterable<Pending> take(long deliveryTag, boolean multiple) {
      Map<Long, Pending> confirmed =
          multiple ? unconfirmed.headMap(deliveryTag, true) : subMap(deliveryTag);
      java.util.List<Pending> taken = new java.util.ArrayList<>();
      for (Long seq : confirmed.keySet()) {
        Pending pending = unconfirmed.remove(seq);
        if (pending != null) {
          unconfirmedBytes.addAndGet(-pending.bytes);
          byMessageId.remove(pending.messageId);
          taken.add(pending);
        }
      }
      return taken;
    }

    private Map<Long, Pending> subMap(long deliveryTag) {
      return unconfirmed.subMap(deliveryTag, true, deliveryTag, true);
    }
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      if (publisher != null) {
        Threads.stop(publisher);
      }
      Connections.closeQuietly(connection);
      failAll(unconfirmed, new BrokerUnavailableException("the gateway is shutting down"));
      connection = null;
      channel = null;
    }
  }
}
