package dev.cluws.core;

import dev.cluws.core.DecodedFrame.CommandFrame;
import dev.cluws.core.DecodedFrame.InvalidFrame;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.MessageCode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected websocket client as the core sees it: its filter chain, its outbox, and the entry
 * of its command path. Created by {@link Gateway#connect}; the transport calls {@link #onText} for
 * every text frame and {@link #close} when the websocket ends, however it ends.
 */
public final class ClientConnection {
  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  private static final int LOGGED_INVALID_FRAMES = 10;

  /** Close code for a client whose outbox stayed full past the slow-client timeout. */
  public static final int TOO_SLOW = 1008;

  private final Subscription subscription;
  private final ClientTransport transport;
  private final Outbox outbox;
  private final Gateway gateway;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong invalidFrames = new AtomicLong();
  private final CommandTracker commands;
  private final TokenBucket commandRate;

  ClientConnection(
      Subscription subscription,
      ClientTransport transport,
      Function<Runnable, Outbox> outboxFactory,
      Gateway gateway) {
    this.subscription = subscription;
    this.transport = transport;
    this.outbox = outboxFactory.apply(this::close); // a failed send means the websocket is gone
    this.gateway = gateway;
    GatewaySettings settings = gateway.settings();
    this.commands =
        new CommandTracker(settings.trackedCommands(), settings.commandExpiry().toNanos());
    this.commandRate =
        new TokenBucket(settings.commandsPerSecond(), settings.commandBurst(), System.nanoTime());
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

  FilterChain chain() {
    return subscription.chain();
  }

  /** Whether this client's frames carry the reply number ({@code seq=true}). */
  boolean numbered() {
    return subscription.numbered();
  }

  /**
   * Handles one text frame from the client: a valid command goes to the command gate; anything
   * else is answered with a reply-shaped {@code e} frame to this client only. Never blocks.
   */
  public void onText(String text) {
    DecodedFrame decoded = gateway.codec().decode(text);
    if (decoded instanceof CommandFrame) {
      gateway.gate().submit(this, ((CommandFrame) decoded).command());
    } else {
      InvalidFrame invalid = (InvalidFrame) decoded;
      gateway.stats().invalidFrames.increment();
      long count = invalidFrames.incrementAndGet();
      if (count <= LOGGED_INVALID_FRAMES || count % 1000 == 0) {
        log.info(
            "client {} ({}) sent an invalid frame: {} ({} so far{})",
            id(),
            remoteAddress(),
            invalid.error(),
            count,
            count == LOGGED_INVALID_FRAMES ? "; logging only every 1000th from now on" : "");
      }
      send(gateway.codec().errorFrame(MessageCode.ERROR, invalid.commandId(), invalid.error()));
    }
  }

  /**
   * Queues a frame for this client only (errors, acknowledgements, replay notices). Such frames
   * answer the client's own actions and are never shed.
   */
  public void send(EncodedFrame frame) {
    outbox.offer(frame, true);
  }

  /**
   * Queues a frame the hub fanned out. A reply that ends one of this client's own commands ({@code
   * :} or {@code f} with a command id it sent) is protected from shedding, and the command is
   * forgotten.
   */
  void deliver(EncodedFrame frame) {
    boolean ownFinal =
        frame.code() != null
            && frame.code().isFinal()
            && frame.commandId() != null
            && commands.finished(frame.commandId());
    outbox.offer(frame, ownFinal);
  }

  /** Remembers a command this client sent, until its final reply or its expiry. */
  void commandSent(String commandId) {
    commands.sent(commandId, System.nanoTime());
  }

  /** Whether the client may send one more command now (its token bucket). */
  boolean tryAcquireCommand() {
    return commandRate.tryTake(System.nanoTime());
  }

  /** Unfinished commands the gateway remembers for this client. */
  public int trackedCommands() {
    return commands.size();
  }

  /**
   * Periodic upkeep (the gateway calls it about once a second): forgets expired commands, and
   * closes the client with {@link #TOO_SLOW} when its outbox has been full longer than the
   * slow-client timeout. Returns whether the client was closed for being slow.
   */
  boolean maintain(long nowNanos) {
    commands.expire(nowNanos);
    long fullFor = outbox.fullForNanos(nowNanos);
    long timeout = gateway.settings().slowClientTimeout().toNanos();
    if (fullFor > timeout && !isClosed()) {
      gateway.stats().slowClientsClosed.increment();
      log.warn(
          "client {} ({}) is too slow: its outbox stayed full for {} s ({} frames shed); closing"
              + " it",
          id(),
          remoteAddress(),
          fullFor / 1_000_000_000L,
          outbox.shedCount());
      close(TOO_SLOW, "client too slow: its outbox stayed full past the deadline");
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
  void abort() {
    transport.abort();
    close();
  }

  /** Forgets the client: removed from the hub, its outbox dropped. Idempotent. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      outbox.close();
      gateway.hub().remove(this);
      log.debug("client {} ({}) disconnected", id(), remoteAddress());
    }
  }

  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public String toString() {
    return "ClientConnection[" + id() + ", " + remoteAddress() + "]";
  }
}
