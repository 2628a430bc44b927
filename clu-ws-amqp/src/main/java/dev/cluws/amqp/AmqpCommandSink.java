package dev.cluws.amqp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.rabbitmq.client.AMQP;
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
 * <p>{@link #send} never blocks: publishing happens on one publisher thread behind a bounded queue,
 * and the returned stage completes when the broker's confirm arrives. Uses its own connection.
 */
public final class AmqpCommandSink implements CommandSink {
  private static final Logger log = LoggerFactory.getLogger(AmqpCommandSink.class);
  static final int MAX_WAITING = 10_000;

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
    volatile boolean returned;

    /** Nacked before any return: an unroutable command on a broker that nacks before it returns. */
    volatile boolean nacked;

    Pending(String messageId, CompletableFuture<CommandOutcome> result) {
      this.messageId = messageId;
      this.result = result;
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
    try {
      executor.execute(() -> publish(command, result));
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(
          new CluWsException(
              closed
                  ? "the gateway is shutting down"
                  : "too many commands are waiting to be published; try again"));
    }
    return result;
  }

  /** Runs on the publisher thread only, so the channel's confirm sequence stays consistent. */
  private void publish(Command command, CompletableFuture<CommandOutcome> result) {
    Channel ch = usableChannel();
    if (ch == null) {
      result.completeExceptionally(
          new BrokerUnavailableException("the connection to the broker is down"));
      return;
    }
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
    long seq = ch.getNextPublishSeqNo();
    if (seq == 0) {
      // Recovery has opened the new channel but not yet put it in confirm mode: a publish now
      // would never be confirmed.
      result.completeExceptionally(
          new BrokerUnavailableException("the connection to the broker is being recovered"));
      return;
    }
    Pending pending = new Pending(messageId, result);
    unconfirmed.put(seq, pending);
    byMessageId.put(messageId, pending);
    try {
      ch.basicPublish(settings.exchange(), "command." + command.consumer(), true, props, body);
    } catch (IOException | RuntimeException e) {
      unconfirmed.remove(seq);
      byMessageId.remove(messageId);
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
      publisher.execute(() -> publishRoutingFailure(consumer, props));
    } catch (RejectedExecutionException e) {
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

  private void failAll(Map<Long, Pending> pendings, RuntimeException error) {
    for (Long seq : pendings.keySet()) {
      Pending pending = pendings.remove(seq);
      if (pending != null) {
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
