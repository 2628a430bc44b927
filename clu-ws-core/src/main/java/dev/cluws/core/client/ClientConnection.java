package dev.cluws.core.client;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.access.Visibility;
import dev.cluws.core.codec.DecodedFrame;
import dev.cluws.core.codec.DecodedFrame.CommandFrame;
import dev.cluws.core.codec.DecodedFrame.ControlFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.command.CommandGate;
import dev.cluws.core.command.CommandTracker;
import dev.cluws.core.command.TokenBucket;
import dev.cluws.core.log.LogText;
import dev.cluws.core.log.LogThrottle;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected websocket client as the core sees it: its filter chain, its outbox, and the entry
 * of its command path. Created by {@link Gateway#connect}; the transport calls {@link #onText} for
 * every text frame and {@link #close} when the websocket ends, however it ends.
 */
public final class ClientConnection implements FilterChain.FailureListener {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

  /** Filter failures reported to the client one by one; after that, every 1000th. */
  private static final int REPORTED_FILTER_FAILURES = 10;

  /**
   * Close code for a client whose outbox stayed over its bound past the slow-client timeout; the
   * reason carries its resume point ({@link Outbox#tooSlowReason()}).
   */
  public static final int TOO_SLOW = Outbox.TOO_SLOW;

  private static final VarHandle CLOSED;
  private static final VarHandle FILTER_FAILURES;
  private static final VarHandle THROTTLES;
  private static final VarHandle COMMAND_RATE;
  private static final VarHandle JOIN_LOCK;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CLOSED = lookup.findVarHandle(ClientConnection.class, "closed", boolean.class);
      FILTER_FAILURES = lookup.findVarHandle(ClientConnection.class, "filterFailures", long.class);
      THROTTLES = lookup.findVarHandle(ClientConnection.class, "throttles", Throttles.class);
      COMMAND_RATE = lookup.findVarHandle(ClientConnection.class, "commandRate", TokenBucket.class);
      JOIN_LOCK = lookup.findVarHandle(ClientConnection.class, "joinLock", ReentrantLock.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Subscription subscription;
  private final ClientTransport transport;
  private final Outbox outbox;
  private final Services services;
  private final CommandTracker commands;
  private final Visibility visibility;

  // An idle client costs memory for as long as it stays connected, so what most clients never
  // use is made when first needed (all but the first field: compare-and-set, see the accessors)
  // and counters are plain fields, not objects.

  @SuppressWarnings("UnusedVariable") // through CLOSED
  private volatile boolean closed;

  @SuppressWarnings("UnusedVariable") // through FILTER_FAILURES
  private volatile long filterFailures;

  /** The client's log throttles, from its first throttled log line ({@link #throttles()}). */
  private volatile Throttles throttles;

  /** The client's command rate limit, from its first command ({@link #tryAcquireCommand()}). */
  private volatile TokenBucket commandRate;

  /** Serialises the client's joins, from its first join ({@link #joinLock()}). */
  private volatile ReentrantLock joinLock;

  /** One log line per interval for this client's invalid frames, denied and refused commands. */
  private static final class Throttles {
    final LogThrottle invalidFrames = LogThrottle.everyTenSeconds();
    final LogThrottle denied = LogThrottle.everyTenSeconds();
    final LogThrottle rateLimited = LogThrottle.everyTenSeconds();
  }

  /**
   * What a connection needs from the gateway, and nothing more: the codec, the counters, the
   * settings, the command path, the gateway's handling of control frames, and the registry it
   * leaves when it closes.
   *
   * @param controls carries out a control frame of this client (on its transport thread)
   * @param registry removes the client from the fan-out when it leaves (idempotent)
   */
  public record Services(
      FrameCodec codec,
      GatewayStats stats,
      GatewaySettings settings,
      CommandGate gate,
      BiConsumer<ClientConnection, ControlFrame> controls,
      Consumer<ClientConnection> registry) {}

  public ClientConnection(
      Subscription subscription,
      ClientTransport transport,
      Function<Runnable, Outbox> outboxFactory,
      Visibility visibility,
      Services services) {
    this.subscription = subscription;
    this.transport = transport;
    this.outbox = outboxFactory.apply(this::close); // a failed send means the websocket is gone
    this.services = services;
    this.commands = subscription.commands();
    this.visibility = visibility;
  }

  public String id() {
    return subscription.clientId();
  }

  public String remoteAddress() {
    return transport.remoteAddress();
  }

  /** Who the client is. */
  public ClientIdentity identity() {
    return subscription.identity();
  }

  public Outbox outbox() {
    return outbox;
  }

  public FilterChain chain() {
    return subscription.chain();
  }

  /** What the client subscribed to (changed by its control frames). */
  public Subscription subscription() {
    return subscription;
  }

  /** Replaces the subscription; the next reply the hub fans out sees the new filters. */
  public void resubscribe(Subscription next) {
    subscription = next;
  }

  /** Whether this client's frames carry the reply number ({@code seq=true}). */
  public boolean numbered() {
    return subscription.numbered();
  }

  /**
   * Handles one text frame from the client: a valid command goes to the command gate, a control
   * frame to the gateway; anything else is answered with a reply-shaped {@code e} frame to this
   * client only. Never blocks.
   */
  public void onText(String text) {
    if (isClosed()) {
      return; // forgotten (closed for being too slow, say) while its socket is still going away
    }
    DecodedFrame decoded = services.codec().decode(text);
    if (decoded instanceof CommandFrame) {
      services.gate().submit(this, ((CommandFrame) decoded).command());
    } else if (decoded instanceof ControlFrame) {
      services.controls().accept(this, (ControlFrame) decoded);
    } else {
      InvalidFrame invalid = (InvalidFrame) decoded;
      rejectInvalidFrame(invalid.error(), invalid.commandId());
    }
  }

  /**
   * Answers a frame the gateway cannot use (not a command or control frame, a binary frame) with a
   * reply-shaped {@code e} frame saying why; counts it, and logs it at most once per interval for
   * this client (the error may quote the frame: it is escaped and cut).
   *
   * @param commandId the command id the frame carried, or {@code null}
   */
  public void rejectInvalidFrame(String error, String commandId) {
    services.stats().invalidFrames.increment();
    long skipped = throttles().invalidFrames.admit(System.nanoTime());
    if (skipped >= 0) {
      log.info(
          "client {} ({}) sent an invalid frame: {}{}",
          id(),
          remoteAddress(),
          LogText.of(error),
          LogThrottle.skippedNote(skipped));
    }
    send(services.codec().errorFrame(MessageCode.ERROR, commandId, error));
  }

  /**
   * Queues a frame for this client only (errors, acknowledgements, replay notices). Such frames
   * answer the client's own actions and are never shed.
   */
  public void send(EncodedFrame frame) {
    offer(frame, true);
  }

  /**
   * Queues a frame the hub fanned out; {@code ownFinal} (a reply that ends one of this client's own
   * commands) protects it from shedding.
   */
  public void deliver(EncodedFrame frame, boolean ownFinal) {
    SkipLive skip = skipLive;
    if (skip != null && skip.skips(frame.messageId())) {
      return;
    }
    offer(frame, ownFinal);
  }

  /**
   * Live replies with these message ids are not delivered to this client for the next {@code
   * windowNanos}: a resume from the shared history sent them already (this instance's own queue may
   * deliver them a moment later). Each is skipped once.
   */
  public void skipLive(Set<String> messageIds, long windowNanos) {
    skipLive = new SkipLive(messageIds, System.nanoTime() + windowNanos);
  }

  private volatile SkipLive skipLive;

  /** The ids a resumed client has received from the history, until matched or expired. */
  private final class SkipLive {
    private final Set<String> ids;
    private final long until;

    SkipLive(Set<String> ids, long until) {
      this.ids = new java.util.HashSet<>(ids);
      this.until = until;
    }

    /** Whether the live frame with this id is one to skip (removing it); drops itself when done. */
    synchronized boolean skips(String messageId) {
      if (System.nanoTime() - until > 0 || ids.isEmpty()) {
        skipLive = null;
        return false;
      }
      boolean skip = messageId != null && ids.remove(messageId);
      if (ids.isEmpty()) {
        skipLive = null;
      }
      return skip;
    }
  }

  /**
   * Whether this client's role lets it see a reply (see {@link Visibility}); the hub asks before
   * the client's filters see the reply.
   */
  public boolean sees(Reply reply) {
    return visibility.allows(reply);
  }

  /**
   * Whether this reply answers one of this client's unfinished commands and the client asked for
   * such replies whatever its filters say ({@code own_replies=always}).
   */
  public boolean ownReplyAlways(Reply reply) {
    if (!subscription.ownRepliesAlways()) {
      return false;
    }
    String commandId = reply.commandId();
    return commandId != null
        && reply.origin() == Origin.ACTOR
        && commands.isOwn(reply.sender(), commandId);
  }

  /**
   * Queues a frame of a replay or snapshot this client asked for, ahead of the live frames held
   * back while it is being queued (see {@link #holdLive()}).
   */
  public void sendAhead(EncodedFrame frame, boolean protect) {
    offer(frame, protect, true);
  }

  /**
   * Holds this client's live frames back in a pending list (bounded with its outbox) while a replay
   * or snapshot is queued ahead of them with {@link #sendAhead}; {@link #releaseLive()} queues them
   * after it. The hub calls both, under its lock and after the join, in that order.
   */
  public void holdLive() {
    outbox.hold();
  }

  /** Queues the live frames held back by {@link #holdLive()} and delivers live frames again. */
  public void releaseLive() {
    outbox.release();
  }

  /**
   * Serialises this client's joins (its replay or snapshot at connect, and snapshots it asks for
   * later): one is queued after the other, never interleaved with it.
   */
  public ReentrantLock joinLock() {
    ReentrantLock lock = joinLock;
    if (lock == null) {
      lock = new ReentrantLock();
      if (!JOIN_LOCK.compareAndSet(this, null, lock)) {
        lock = joinLock;
      }
    }
    return lock;
  }

  private void offer(EncodedFrame frame, boolean protect) {
    // On the thread of a join (a filter failing on a replayed frame, say): part of the join. A
    // client that never joined has no lock yet, and so no join in progress.
    ReentrantLock lock = joinLock;
    offer(frame, protect, lock != null && lock.isHeldByCurrentThread());
  }

  /** Every frame for this client enters its outbox here, after its role's visibility, last. */
  private void offer(EncodedFrame frame, boolean protect, boolean ahead) {
    if (!visibility.allows(frame)) {
      return;
    }
    if (ahead) {
      outbox.offerAhead(frame, protect);
    } else {
      outbox.offer(frame, protect);
    }
  }

  /** Remembers a command this client sent to an actor, until its final reply or its expiry. */
  public void commandSent(String actor, String commandId) {
    commands.sent(actor, commandId, System.nanoTime());
  }

  /**
   * Forgets a command to an actor whose final reply the gateway has seen (or sent); returns whether
   * it was one of this client's unfinished commands.
   */
  public boolean commandFinished(String actor, String commandId) {
    return commands.finished(actor, commandId);
  }

  /**
   * A filter of this client's chain threw on a reply: the client is told with an {@code e} frame
   * from the gateway (the first few times, then every 1000th), so that it knows it missed a reply.
   */
  @Override
  public void filterFailed(String filter, Reply reply, RuntimeException failure) {
    long count = (long) FILTER_FAILURES.getAndAdd(this, 1L) + 1;
    if (count > REPORTED_FILTER_FAILURES && count % 1000 != 0) {
      return;
    }
    log.warn(
        "client {} ({}): reply filter '{}' failed on a reply from {} ({} so far)",
        id(),
        remoteAddress(),
        filter,
        LogText.of(reply.sender()),
        count,
        failure);
    String message =
        String.format(
            "filter '%s' failed on a reply from %s; the reply was not delivered: %s%s",
            filter,
            reply.sender(),
            failure.getClass().getSimpleName(),
            failure.getMessage() == null ? "" : ": " + failure.getMessage());
    if (count == REPORTED_FILTER_FAILURES) {
      message += " (" + count + " failures so far; only every 1000th is reported from now on)";
    }
    send(services.codec().errorFrame(MessageCode.ERROR, null, message));
  }

  /** The throttle of the audit lines for this client's commands denied by the access policy. */
  public LogThrottle deniedLog() {
    return throttles().denied;
  }

  /** The throttle of the audit lines for this client's commands refused by its rate limit. */
  public LogThrottle rateLimitedLog() {
    return throttles().rateLimited;
  }

  private Throttles throttles() {
    Throttles t = throttles;
    if (t == null) {
      t = new Throttles();
      if (!THROTTLES.compareAndSet(this, null, t)) {
        t = throttles;
      }
    }
    return t;
  }

  /**
   * Whether the client may send one more command now (its token bucket). The bucket is made full at
   * the client's first command, which is what a bucket made at connect time holds by then.
   */
  public boolean tryAcquireCommand() {
    long now = System.nanoTime();
    TokenBucket bucket = commandRate;
    if (bucket == null) {
      GatewaySettings settings = services.settings();
      bucket = new TokenBucket(settings.commandsPerSecond(), settings.commandBurst(), now);
      if (!COMMAND_RATE.compareAndSet(this, null, bucket)) {
        bucket = commandRate;
      }
    }
    return bucket.tryTake(now);
  }

  /** Unfinished commands the gateway remembers for this client. */
  public int trackedCommands() {
    return commands.size();
  }

  /**
   * Forgets every unfinished command of this client and returns them as command id → actor: their
   * replies may never come (the gateway lost its replies queue).
   */
  public Map<String, String> abandonCommands() {
    return commands.abandonAll();
  }

  /**
   * Periodic upkeep (the gateway calls it about once a second): forgets expired commands, tells a
   * {@code policy=latest} client what it missed, and closes the client with {@link #TOO_SLOW} and
   * its resume point when its outbox has been over its bound longer than the slow-client timeout.
   * Returns whether the client was closed for being slow.
   */
  public boolean maintain(long nowNanos) {
    commands.expire(nowNanos);
    outbox.maintain(nowNanos);
    long overFor = outbox.overForNanos(nowNanos);
    long timeout = services.settings().slowClientTimeout().toNanos();
    if (overFor > timeout && !isClosed()) {
      services.stats().slowClientsClosed.increment();
      int queued = outbox.queued();
      outbox.close(); // nothing more is handed to the websocket: the resume point is final
      String reason = outbox.tooSlowReason();
      log.warn(
          "client {} ({}) is too slow: its outbox stayed over its bound for {} s ({} frames"
              + " queued); closing it ({})",
          id(),
          remoteAddress(),
          overFor / 1_000_000_000L,
          queued,
          reason);
      close(TOO_SLOW, reason);
      return true;
    }
    return false;
  }

  /** Closes the websocket with a code and reason, then forgets the client. */
  public void close(int statusCode, String reason) {
    transport.close(statusCode, reason);
    close();
  }

  /** Drops the connection without a close handshake (a client that cannot even read a close). */
  public void abort() {
    transport.abort();
    close();
  }

  /** Forgets the client: removed from the hub, its outbox dropped. Idempotent. */
  public void close() {
    if (CLOSED.compareAndSet(this, false, true)) {
      outbox.close();
      services.registry().accept(this);
      subscription.abandon(); // gives the client's place under the connection limit back
      Throttles t = throttles;
      CommandGate.auditNotLogged(
          this, t == null ? 0 : t.denied.drain(), t == null ? 0 : t.rateLimited.drain());
      long invalid = t == null ? 0 : t.invalidFrames.drain();
      if (invalid > 0) {
        log.info(
            "client {} ({}): {} more invalid frames not logged", id(), remoteAddress(), invalid);
      }
      log.debug("client {} ({}) disconnected", id(), remoteAddress());
    }
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "ClientConnection[" + id() + ", " + remoteAddress() + "]";
  }
}
