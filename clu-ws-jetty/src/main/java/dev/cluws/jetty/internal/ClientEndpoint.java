package dev.cluws.jetty.internal;

import dev.cluws.core.Gateway;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.log.LogText;
import dev.cluws.core.reply.Subscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty endpoint of one websocket client: connects it to the gateway when it opens, hands each
 * text frame to its {@link ClientConnection}, and takes it out of the gateway however the websocket
 * ends (close frame, dropped connection, error, timeout).
 *
 * <p>Demand is explicit: the next frame is read only after the previous one has been handed on,
 * which never waits (the command gate publishes asynchronously). Jetty calls one endpoint's methods
 * one at a time. Public because Jetty requires it; not API.
 */
public final class ClientEndpoint implements Session.Listener {
  private static final Logger log = LoggerFactory.getLogger(ClientEndpoint.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();
  static final String BINARY_NOT_SUPPORTED =
      "binary frames are not supported; send JSON text frames";

  private final Gateway gateway;
  private final Subscription subscription;
  private final SessionRegistry registry;
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile Session session;
  private volatile ClientConnection connection;

  /** From the upgrade request: a trusted proxy's {@code X-Forwarded-For} when that is on. */
  private final String remoteAddress;

  private volatile long lastHeardNanos;
  private volatile boolean keepAliveExpired;
  private volatile long keepAliveExpiredNanos;

  ClientEndpoint(
      Gateway gateway, Subscription subscription, SessionRegistry registry, String remoteAddress) {
    this.gateway = gateway;
    this.subscription = subscription;
    this.registry = registry;
    this.remoteAddress = remoteAddress;
  }

  @Override
  public void onWebSocketOpen(Session openedSession) {
    this.session = openedSession;
    this.lastHeardNanos = System.nanoTime();
    SessionTransport transport = new SessionTransport(openedSession, remoteAddress);
    if (!transport.sendsPreEncoded() && registry.claimReEncodingWarning()) {
      log.warn(
          "websocket sessions are {}, not Jetty's WebSocketSession: every frame is re-encoded"
              + " for every client",
          openedSession.getClass().getName());
    }
    ClientConnection client;
    try {
      client = gateway.connect(subscription, transport);
    } catch (RuntimeException e) {
      log.error("could not connect websocket client {} to the gateway", remoteAddress, e);
      subscription.abandon();
      openedSession.close(StatusCode.SERVER_ERROR, "server error", Callback.NOOP);
      return;
    }
    connection = client;
    if (!registry.add(this)) {
      client.close(StatusCode.SHUTDOWN, SessionRegistry.SHUTDOWN_REASON);
      return;
    }
    if (released.get()) {
      // The websocket ended while it was being connected: undo.
      registry.remove(this);
      client.close();
      return;
    }
    log.debug("websocket client {} open from {}", client.id(), remoteAddress);
    openedSession.demand();
  }

  @Override
  public void onWebSocketText(String text) {
    lastHeardNanos = System.nanoTime();
    try {
      connection.onText(text);
    } catch (RuntimeException e) {
      log.error("client {} ({}): handling a text frame failed", id(), remoteAddress, e);
    } finally {
      session.demand();
    }
  }

  @Override
  public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
    lastHeardNanos = System.nanoTime();
    callback.succeed();
    try {
      connection.rejectInvalidFrame(BINARY_NOT_SUPPORTED, null);
    } catch (RuntimeException e) {
      log.error("client {} ({}): answering a binary frame failed", id(), remoteAddress, e);
    } finally {
      session.demand();
    }
  }

  @Override
  public void onWebSocketPong(ByteBuffer payload) {
    lastHeardNanos = System.nanoTime();
    session.demand();
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    if (log.isDebugEnabled()) {
      log.debug(
          "websocket client {} ({}) failed: {}", id(), remoteAddress, LogText.of(cause.toString()));
    }
    release();
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason, Callback callback) {
    if (log.isDebugEnabled()) {
      log.debug(
          "websocket client {} ({}) closed: {} {}",
          id(),
          remoteAddress,
          statusCode,
          LogText.quoted(reason));
    }
    try {
      release();
    } finally {
      callback.succeed();
    }
  }

  /** Closes the websocket with a code and reason; the client leaves the gateway when it ends. */
  void close(int statusCode, String reason) {
    ClientConnection client = connection;
    if (client != null) {
      client.close(statusCode, reason);
    } else {
      Session s = session;
      if (s != null) {
        s.close(statusCode, reason, Callback.NOOP);
      }
    }
  }

  /**
   * One keep-alive round for this client: pings it, or closes it when nothing has arrived from it
   * for {@code timeoutNanos}, or drops its connection when it has not completed that close within
   * {@code graceNanos}.
   */
  void keepAlive(long nowNanos, long timeoutNanos, long graceNanos) {
    Session s = session;
    if (s == null || released.get()) {
      return;
    }
    if (keepAliveExpired) {
      if (nowNanos - keepAliveExpiredNanos > graceNanos) {
        log.info("client {} ({}) did not complete the close; dropping it", id(), remoteAddress);
        s.disconnect();
      }
      return;
    }
    if (nowNanos - lastHeardNanos > timeoutNanos) {
      keepAliveExpired = true;
      keepAliveExpiredNanos = nowNanos;
      log.info(
          "client {} ({}) answered no ping for {}; closing it",
          id(),
          remoteAddress,
          Duration.ofNanos(timeoutNanos));
      close(StatusCode.SERVER_ERROR, "keepalive ping timeout");
      return;
    }
    if (s.isOpen()) {
      s.sendPing(EMPTY, Callback.NOOP);
    }
  }

  private void release() {
    if (released.compareAndSet(false, true)) {
      registry.remove(this);
      ClientConnection client = connection;
      if (client != null) {
        client.close();
      } else {
        subscription.abandon(); // it never connected: give its place under the limit back
      }
    }
  }

  private String id() {
    return subscription.clientId();
  }

  @Override
  public String toString() {
    return "ClientEndpoint[" + id() + ", " + remoteAddress + "]";
  }
}
