package dev.cluws.amqp.history;

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
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.internal.ReplyParser;
import dev.cluws.amqp.internal.Threads;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared history on a RabbitMQ stream ({@code x-queue-type: stream}), over AMQP 0-9-1.
 *
 * <p><b>Declared and fed by every instance.</b> {@link #start} declares the exchange as CLU does
 * (topic, non-durable, auto-delete), the durable stream with its retention ({@code x-max-age},
 * {@code x-max-length-bytes}, and segments of a tenth of that size so retention drops a tenth at a
 * time) and binds it to the exchange with {@code reply.#}: every reply published to the exchange is
 * appended to it, once, whichever instances run. The binding lives as long as the exchange: when a
 * broker restart re-creates the exchange (it is not durable), the binding is gone with the old one,
 * so after every reconnection the history declares the exchange and binds the stream again.
 *
 * <p><b>Reads.</b> Each {@link #read} opens a channel of its own on the history's connection (not
 * the gateway's replies connection, so a long read never delays live replies), and consumes the
 * stream from a time ({@code x-stream-offset} with a timestamp) with a prefetch window ({@code
 * basic.qos}) and manual acknowledgements, as RabbitMQ requires of stream consumers. A stream has
 * no end and AMQP 0-9-1 does not tell its last offset, so a read first appends a <em>marker</em>
 * (an empty message with the header {@value #MARKER_HEADER}, published through the default exchange
 * to the stream only, so no gateway's replies queue and no client ever sees it) and reads up to its
 * own marker: everything the stream held when the read began, and nothing after. Markers of other
 * reads are skipped. The broker's timestamps are whole seconds and point at a chunk, so replies
 * older than the time asked for (by their own {@code timestamp}) are skipped too.
 *
 * <p>Whether retention dropped what a read asked for: the read also looks at the stream's first
 * offset ({@code x-stream-offset: first}); when the read starts there, that offset is not 0 (older
 * replies were dropped) and its first reply is newer than the time asked for, {@link
 * Read#keptSince} says since when the history is complete.
 */
public final class StreamHistory implements ReplyHistory {
  private static final Logger log = LoggerFactory.getLogger(StreamHistory.class);

  /** The header of the markers that end reads; its value is the read's id. */
  public static final String MARKER_HEADER = "x-clu-ws-marker";

  /** The stream offset RabbitMQ adds to every message it delivers from a stream. */
  static final String OFFSET_HEADER = "x-stream-offset";

  /** How long {@link #close} waits for reads' channels to close before it closes the connection. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  /** The prefetch window of a read, and how often it acknowledges (half of it). */
  static final int READ_PREFETCH = 1000;

  /** How often a read that waits for its visitor to be ready asks it again. */
  static final long PACE_MILLIS = 5;

  private final AmqpSettings amqp;
  private final HistorySettings settings;
  private final String gatewayName;
  private final ReplyParser parser;
  private final LongAdder reads = new LongAdder();
  private final LongAdder bindings = new LongAdder();
  private final Object lifecycle = new Object();
  private volatile @Nullable Connection connection;
  private volatile @Nullable ScheduledExecutorService timer;
  private volatile boolean closed;

  public StreamHistory(AmqpSettings amqp, HistorySettings settings, String gatewayName) {
    this(amqp, settings, gatewayName, JsonMappers.newMapper().reader());
  }

  public StreamHistory(
      AmqpSettings amqp, HistorySettings settings, String gatewayName, ObjectReader reader) {
    this.amqp = amqp;
    this.settings = settings;
    this.gatewayName = gatewayName;
    this.parser = new ReplyParser(reader);
  }

  @Override
  public String name() {
    return settings.stream();
  }

  /** The stream's settings. */
  public HistorySettings settings() {
    return settings;
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("history " + name() + " is closed");
      }
      if (connection != null) {
        return;
      }
      ConnectionFactory factory = Connections.factory(amqp);
      // The binding is re-made by hand after each recovery: the exchange may be a new one.
      factory.setTopologyRecoveryEnabled(false);
      Connection conn = Connections.open(factory, amqp, gatewayName + " (history)");
      try {
        declare(conn);
      } catch (IOException | RuntimeException e) {
        Connections.closeQuietly(conn);
        throw translate(e);
      }
      ((Recoverable) conn).addRecoveryListener(new Rebinder());
      ScheduledThreadPoolExecutor newTimer =
          new ScheduledThreadPoolExecutor(1, Threads.daemon("clu-ws-history-" + gatewayName));
      // On close, what was handed to it to do now (closing reads' channels) is done; what was
      // scheduled for later (timeouts, pacing) is dropped.
      newTimer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      newTimer.setRemoveOnCancelPolicy(true);
      this.timer = newTimer;
      this.connection = conn;
      log.info(
          "history stream '{}' on exchange '{}' (reply.#), kept {} or {} bytes",
          name(),
          amqp.exchange(),
          settings.maxAge(),
          settings.maxBytes());
    }
  }

  /** Declares the exchange and the stream and binds them, on a channel of its own. */
  private void declare(Connection conn) throws IOException {
    Channel ch = conn.createChannel();
    try {
      ch.exchangeDeclare(amqp.exchange(), BuiltinExchangeType.TOPIC, false, true, null);
      ch.queueDeclare(name(), true, false, false, settings.streamArguments());
      ch.queueBind(name(), amqp.exchange(), "reply.#");
      bindings.increment();
    } finally {
      closeQuietly(ch);
    }
  }

  private RuntimeException translate(Exception e) {
    if (e instanceof CluWsException) {
      return (CluWsException) e;
    }
    String reason = Connections.reason(e);
    if (reason.contains("PRECONDITION_FAILED") && reason.contains("queue")) {
      return new CluWsException(
          "the history stream '"
              + name()
              + "' exists with other arguments (retention, or it is not a stream): every"
              + " instance must give it the same --history-max-age and --history-max-bytes, or"
              + " delete it; "
              + reason);
    }
    if (reason.contains("PRECONDITION_FAILED")) {
      return new CluWsException(
          "exchange '"
              + amqp.exchange()
              + "' exists with other flags than CLU's (topic, non-durable, auto-delete): "
              + reason);
    }
    return new BrokerUnavailableException(
        "cannot declare the history stream '" + name() + "': " + reason, e);
  }

  @Override
  public CompletionStage<Read> read(Instant from, Visitor visitor) {
    Connection conn = connection;
    ScheduledExecutorService t = timer;
    if (conn == null || t == null || closed) {
      return CompletableFuture.failedFuture(
          new CluWsException("history " + name() + " is not started"));
    }
    reads.increment();
    StreamRead read = new StreamRead(from, visitor, t);
    // Opening the read takes round trips to the broker: on the history's thread, never the
    // caller's (a Jetty thread for a client's request).
    try {
      read.watch();
      t.execute(
          () -> {
            try {
              read.begin(conn);
            } catch (IOException | RuntimeException e) {
              read.fail(
                  new BrokerUnavailableException(
                      "cannot read the history stream '" + name() + "': " + Connections.reason(e),
                      e));
            }
          });
    } catch (RejectedExecutionException closing) {
      read.fail(new CluWsException("history " + name() + " is closed"));
    }
    return read.result;
  }

  /** Reads begun since start. */
  public long readCount() {
    return reads.sum();
  }

  /** How often the stream was bound to the exchange (at start and after each reconnection). */
  public long bindCount() {
    return bindings.sum();
  }

  /**
   * Closes the connection; the stream stays (other instances share it). Idempotent. Reads' channels
   * being closed are closed first (at most {@link #CLOSE_WAIT}): a connection that closes under a
   * channel's own close leaves amqp-client waiting 10 s for that channel's consumers, and logging a
   * warning about it.
   */
  @Override
  public void close() {
    ScheduledExecutorService t;
    Connection conn;
    synchronized (lifecycle) {
      closed = true;
      t = timer;
      conn = connection;
      connection = null;
      timer = null;
    }
    if (t != null) {
      t.shutdown();
      try {
        if (!t.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          t.shutdownNow();
        }
      } catch (InterruptedException e) {
        t.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
    Connections.closeQuietly(conn);
  }

  private static void closeQuietly(Channel ch) {
    try {
      if (ch.isOpen()) {
        ch.close();
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      log.debug("closing a history channel failed", e);
    }
  }

  private static @Nullable Long offsetOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object offset = headers == null ? null : headers.get(OFFSET_HEADER);
    return offset instanceof Number ? ((Number) offset).longValue() : null;
  }

  /** The message's timestamp in whole seconds, as a parsed reply has it. */
  private static @Nullable Instant timestampOf(AMQP.BasicProperties properties) {
    Date timestamp = properties.getTimestamp();
    return timestamp == null ? null : timestamp.toInstant().truncatedTo(ChronoUnit.SECONDS);
  }

  private static @Nullable String senderOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object sender = headers == null ? null : headers.get(Reply.SENDER);
    return sender == null ? null : sender.toString();
  }

  private static @Nullable String markerOf(AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    Object marker = headers == null ? null : headers.get(MARKER_HEADER);
    return marker == null ? null : marker.toString();
  }

  /** One read: a probe of the stream's first offset, then the stream from a time to a marker. */
  private final class StreamRead {
    private final Instant from;
    private final Visitor visitor;
    private final ScheduledExecutorService timer;
    private final String id = UUID.randomUUID().toString();
    final CompletableFuture<Read> result = new CompletableFuture<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile @Nullable Channel channel;
    private volatile @Nullable ScheduledFuture<?> timeout;
    private volatile long firstOffset = -1;
    private volatile long lastProgress = System.nanoTime();

    /** Since when the read waits for its visitor to be ready ({@link System#nanoTime()}), or 0. */
    private volatile long waitingSince;

    StreamRead(Instant from, Visitor visitor, ScheduledExecutorService timer) {
      this.from = from;
      this.visitor = visitor;
      this.timer = timer;
    }

    /** Starts the read's timeout. */
    void watch() {
      // A read fails when the broker sends nothing for the read timeout (a long read that makes
      // progress, such as a rebuild from a large stream, goes on).
      long period = Math.max(1, settings.readTimeout().toMillis() / 4);
      timeout =
          timer.scheduleWithFixedDelay(
              () -> {
                long waiting = waitingSince;
                if (waiting != 0
                    && System.nanoTime() - waiting > settings.readTimeout().toNanos()) {
                  fail(
                      new CluWsException(
                          "the replies read from the history stream '"
                              + name()
                              + "' were not taken for "
                              + settings.readTimeout().toSeconds()
                              + " s"));
                } else if (waiting == 0
                    && System.nanoTime() - lastProgress > settings.readTimeout().toNanos()) {
                  fail(
                      new CluWsException(
                          "reading the history stream '"
                              + name()
                              + "' stalled: nothing arrived for "
                              + settings.readTimeout().toSeconds()
                              + " s"));
                }
              },
              period,
              period,
              TimeUnit.MILLISECONDS);
    }

    /** Opens the read's channel, appends its marker and starts the probe. */
    void begin(Connection conn) throws IOException {
      if (ended.get()) {
        return;
      }
      Channel ch = conn.createChannel();
      this.channel = ch;
      if (ended.get()) { // failed (timed out, closed) while the channel was opened
        closeQuietly(ch);
        return;
      }
      ch.addShutdownListener(this::onShutdown);
      // The end of this read: everything appended before the marker is read, nothing after it.
      AMQP.BasicProperties marker =
          new AMQP.BasicProperties.Builder()
              .headers(Map.of(MARKER_HEADER, id))
              .messageId("clu-ws-marker-" + id)
              .build();
      ch.basicPublish("", name(), marker, new byte[0]);
      // First the stream's first offset (one message, then the probe is cancelled) ...
      ch.basicQos(1);
      ch.basicConsume(name(), false, Map.of(OFFSET_HEADER, "first"), new Probe(ch));
    }

    /** ... then the stream from the time asked for. */
    void consumeFromTime(Channel ch) throws IOException {
      ch.basicQos(READ_PREFETCH);
      // The broker's timestamps are whole seconds; a time before any stream: its first offset.
      Object offset =
          from.isAfter(Instant.EPOCH.plusSeconds(1)) ? Date.from(from.minusSeconds(1)) : "first";
      ch.basicConsume(name(), false, Map.of(OFFSET_HEADER, offset), new Reader(ch));
    }

    private final class Probe extends DefaultConsumer {
      private final AtomicBoolean seen = new AtomicBoolean();

      Probe(Channel ch) {
        super(ch);
      }

      @Override
      public void handleDelivery(
          String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        if (!seen.compareAndSet(false, true)) {
          return;
        }
        lastProgress = System.nanoTime();
        Long offset = offsetOf(properties);
        firstOffset = offset == null ? -1 : offset;
        Channel ch = getChannel();
        try {
          ch.basicAck(envelope.getDeliveryTag(), false);
          // Consuming again is a round trip to the broker: not on amqp-client's consumer thread.
          timer.execute(
              () -> {
                try {
                  ch.basicCancel(tag);
                  consumeFromTime(ch);
                } catch (IOException | RuntimeException e) {
                  fail(
                      new BrokerUnavailableException(
                          "cannot read the history stream '"
                              + name()
                              + "': "
                              + Connections.reason(e),
                          e));
                }
              });
        } catch (IOException | RuntimeException e) {
          fail(
              new BrokerUnavailableException(
                  "cannot read the history stream '" + name() + "': " + Connections.reason(e), e));
        }
      }
    }

    private final class Reader extends DefaultConsumer {
      private long replies;
      private final Object acks = new Object();
      private long unacked;
      private long lastTag;
      private boolean first = true;
      private @Nullable Instant keptSince;

      /**
       * Started at the oldest message kept, after older ones were dropped: decided by the first
       * reply.
       */
      private boolean maybeDropped;

      Reader(Channel ch) {
        super(ch);
      }

      /**
       * Acknowledges every half window, which asks the broker for more, while the visitor is ready;
       * when it is not, asks it again every {@value #PACE_MILLIS} ms and acknowledges then.
       */
      private void ackOrWait(long tag) throws IOException {
        synchronized (acks) {
          lastTag = tag;
          if (++unacked < READ_PREFETCH / 2 || waitingSince != 0) {
            return;
          }
          if (visitor.ready()) {
            ack();
            return;
          }
          waitingSince = System.nanoTime();
        }
        retryLater();
      }

      private void ack() throws IOException {
        getChannel().basicAck(lastTag, true);
        unacked = 0;
      }

      private void retryLater() {
        try {
          var unused = timer.schedule(this::retry, PACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
          fail(new CluWsException("history " + name() + " is closed"));
        }
      }

      private void retry() {
        if (ended.get()) {
          return;
        }
        synchronized (acks) {
          if (!visitor.ready()) {
            retryLater();
            return;
          }
          waitingSince = 0;
          lastProgress = System.nanoTime();
          try {
            ack();
          } catch (IOException | RuntimeException e) {
            fail(
                new BrokerUnavailableException(
                    "cannot read the history stream '" + name() + "': " + Connections.reason(e),
                    e));
          }
        }
      }

      @Override
      public void handleDelivery(
          String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        if (ended.get()) {
          return;
        }
        lastProgress = System.nanoTime();
        try {
          Long offset = offsetOf(properties);
          String marker = markerOf(properties);
          if (first) {
            first = false;
            // Started at the oldest message kept, and older ones were dropped: retention may have
            // dropped part of what was asked for (decided with the first reply's time below).
            if (offset != null && offset == firstOffset && offset > 0) {
              maybeDropped = true;
            }
          }
          if (marker != null) {
            if (marker.equals(id)) {
              if (maybeDropped) {
                maybeDropped = false;
                keptSince = Instant.now(); // nothing at all is kept from before the read
              }
              end(new Read(replies, false, keptSince), tag);
              return;
            }
          } else {
            // Decided from the message's properties, before its body is parsed.
            Instant at = timestampOf(properties);
            if (maybeDropped) {
              maybeDropped = false;
              keptSince = at != null && at.isAfter(from) ? at : null;
            }
            if ((at == null || !at.isBefore(from)) && visitor.wants(senderOf(properties))) {
              Reply reply = parse(envelope, properties, body);
              if (reply != null) {
                replies++;
                if (!visitor.accept(reply)) {
                  end(new Read(replies, true, keptSince), tag);
                  return;
                }
              }
            }
          }
          ackOrWait(envelope.getDeliveryTag());
        } catch (Throwable e) { // never let an exception reach amqp-client's consumer thread
          fail(new CluWsException("reading the history stream '" + name() + "' failed: " + e, e));
        }
      }
    }

    private @Nullable Reply parse(Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      // The stream's offset header is the broker's, not the actor's: the reply does not carry it.
      ReplyParser.Result parsed = parser.parse(envelope, properties, body, OFFSET_HEADER);
      if (!parsed.valid()) {
        log.debug("history {}: skipping an invalid reply ({})", name(), parsed.problem());
        return null;
      }
      return parsed.reply();
    }

    private void end(Read outcome, String consumerTag) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      cleanUp(consumerTag);
      result.complete(outcome);
    }

    void fail(Throwable failure) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      cleanUp(null);
      result.completeExceptionally(failure);
    }

    private void onShutdown(ShutdownSignalException cause) {
      if (!cause.isInitiatedByApplication()) {
        fail(
            new BrokerUnavailableException(
                "the connection to the broker was lost while reading the history stream '"
                    + name()
                    + "'",
                cause));
      }
    }

    /** Cancels the timeout and closes the channel, off amqp-client's consumer thread. */
    private void cleanUp(@Nullable String consumerTag) {
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      Channel ch = channel;
      if (ch == null) {
        return;
      }
      try {
        timer.execute(() -> closeQuietly(ch));
      } catch (RejectedExecutionException closing) {
        // the connection is closed with the history
      }
      log.debug("history {}: read {} ended ({})", name(), id, consumerTag);
    }
  }

  /** After each reconnection: the exchange may be a new one (a broker restart); bind again. */
  private final class Rebinder implements RecoveryListener {
    @Override
    public void handleRecovery(Recoverable recoverable) {
      Connection conn = connection;
      if (conn == null || closed) {
        return;
      }
      try {
        declare(conn);
        log.info("history stream '{}' bound to exchange '{}' again", name(), amqp.exchange());
      } catch (IOException | RuntimeException e) {
        log.error(
            "could not bind the history stream '{}' again after reconnecting ({}); replies are"
                + " not kept in it until the next reconnection",
            name(),
            Connections.reason(e));
      }
    }

    @Override
    public void handleRecoveryStarted(Recoverable recoverable) {}
  }
}
