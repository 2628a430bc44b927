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
 *
 * <p>Text arrives in parts and is joined here, up to the session's text message limit, so that a
 * client whose message is too big is closed cleanly: the endpoint reads (and drops) the rest of
 * that message, then closes with 1009. Jetty ends the connection as soon as it has sent a close
 * other than 1000 or 1001, so were the close sent while the client is still writing (as Jetty's own
 * limit does), the unread bytes would make the operating system answer with a reset, and the client
 * would see 1006 (connection lost) instead of 1009, or lose the close frame altogether.
 */
public final class ClientEndpoint implements Session.Listener {
  private static final Logger log = LoggerFactory.getLogger(ClientEndpoint.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** How many times the message limit a client closed with 1009 may still send before its close. */
  private static final int DISCARD_LIMIT_MESSAGES = 16;

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

  /** Text bytes of one message beyond which the client is closed with 1009 (Jetty's limit). */
  private long maxTextBytes = Long.MAX_VALUE;

  /** The parts of the text message being received; {@code null} between messages. */
  private StringBuilder textParts;

  private long textBytes;

  /** Bytes read and dropped since the message that was too big: bounded, then disconnected. */
  private long discardedBytes = -1;

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
    long limit = openedSession.getMaxTextMessageSize();
    this.maxTextBytes = limit > 0 ? limit : Long.MAX_VALUE;
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
  public void onWebSocketPartialText(String part, boolean last) {
    if (discardedBytes >= 0) {
      discard(part, last);
      return;
    }
    lastHeardNanos = System.nanoTime();
    String text = null;
    try {
      textBytes += utf8Length(part);
      if (textBytes > maxTextBytes) {
        textParts = null;
        discardedBytes = 0;
        discard("", last);
        return;
      } else if (last) {
        text = textParts == null ? part : textParts.append(part).toString();
        textParts = null;
        textBytes = 0;
      } else {
        if (textParts == null) {
          textParts = new StringBuilder(part.length() * 2);
        }
        textParts.append(part);
      }
      if (text != null) {
        connection.onText(text);
      }
    } catch (RuntimeException e) {
      log.error("client {} ({}): handling a text frame failed", id(), remoteAddress, e);
    }
    session.demand();
  }

  /**
   * Drops the rest of a message that is too big, then closes with 1009 once it has all been read; a
   * client that sends more than {@link #DISCARD_LIMIT_MESSAGES} times the limit in it is
   * disconnected without waiting for its end.
   */
  private void discard(String part, boolean last) {
    discardedBytes += utf8Length(part);
    Session s = session;
    if (last) {
      long size = textBytes + discardedBytes;
      log.info(
          "client {} ({}) sent a text message of {} bytes, over the limit of {}; closing it with"
              + " 1009",
          id(),
          remoteAddress,
          size,
          maxTextBytes);
      close(StatusCode.MESSAGE_TOO_LARGE, "message too big (over " + maxTextBytes + " bytes)");
      return;
    }
    if (discardedBytes / DISCARD_LIMIT_MESSAGES > maxTextBytes) {
      log.info(
          "client {} ({}) sent a text message of more than {} bytes; dropping its connection",
          id(),
          remoteAddress,
          DISCARD_LIMIT_MESSAGES * maxTextBytes);
      s.disconnect();
      return;
    }
    s.demand();
  }

  /** The UTF-8 length of a text, as the websocket frame carried it. */
  static long utf8Length(String text) {
    long bytes = text.length();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x800) {
        // Three bytes, or four for a surrogate pair (two chars, counted 2 + 1 + 1 here).
        bytes += Character.isSurrogate(c) ? 1 : 2;
      } else if (c >= 0x80) {
        bytes += 1;
      }
    }
    return bytes;
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
