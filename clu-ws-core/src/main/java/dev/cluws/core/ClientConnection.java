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

  private final Subscription subscription;
  private final ClientTransport transport;
  private final Outbox outbox;
  private final Gateway gateway;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong invalidFrames = new AtomicLong();

  ClientConnection(
      Subscription subscription,
      ClientTransport transport,
      Function<Runnable, Outbox> outboxFactory,
      Gateway gateway) {
    this.subscription = subscription;
    this.transport = transport;
    this.outbox = outboxFactory.apply(this::close); // a failed send means the websocket is gone
    this.gateway = gateway;
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

  /** Queues a frame for this client only (errors, acknowledgements). */
  public void send(EncodedFrame frame) {
    outbox.offer(frame);
  }

  /** Queues a frame the hub fanned out. */
  void deliver(EncodedFrame frame) {
    outbox.offer(frame);
  }

  /** Closes the websocket with a code and reason, then forgets the client. */
  public void close(int statusCode, String reason) {
    transport.close(statusCode, reason);
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
