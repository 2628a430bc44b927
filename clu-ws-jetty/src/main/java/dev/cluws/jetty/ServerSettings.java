package dev.cluws.jetty;

import java.time.Duration;
import java.util.Objects;

/**
 * The websocket server's settings. Immutable; {@link #defaults()} gives CLU's behaviour ({@code clu
 * websocket}: all interfaces, port 9876, 1 MiB frames, a ping every 20 s).
 *
 * @param host the interface to listen on; {@code null} (or {@code "0.0.0.0"}) listens on all of
 *     them. A blank host counts as {@code null}.
 * @param port the TCP port; {@code 0} picks a free one (see {@link WebsocketServer#port()})
 * @param maxTextMessageBytes the largest text message a client may send; a larger one closes its
 *     websocket with 1009 (message too big), as CLU does. Binary messages have the same bound.
 * @param idleTimeout how long a websocket may go without a sign of life: Jetty closes a connection
 *     on which nothing was read or written for this long, and, with pings on, a client that answers
 *     no ping for this long is closed with 1011 ("keepalive ping timeout") and then dropped. Must
 *     be longer than {@code pingInterval}.
 * @param pingInterval how often every websocket is pinged; {@link Duration#ZERO} turns pings off
 * @param stopTimeout how long {@link WebsocketServer#close()} waits for websockets to close before
 *     it drops them and stops
 * @param http the plain HTTP endpoints served next to the websockets (health, metrics, console)
 * @param forwarded whether to trust the {@code Forwarded} and {@code X-Forwarded-*} headers of a
 *     reverse proxy: the client's address (logs, the audit log), scheme and host are then taken
 *     from them instead of the TCP connection. Only for a server that nothing but the proxy can
 *     reach: anyone else could claim any address.
 * @param admin a second, plain HTTP port for {@code /healthz}, {@code /readyz} and {@code
 *     /metrics}, or {@code null} for none
 * @param permessageDeflate whether a client that offers the {@code permessage-deflate} extension
 *     (every browser does) gets it. Off by default: each websocket that has been sent a compressed
 *     frame keeps a zlib compressor (about 110 KiB resident per connection), and every frame is
 *     compressed once per client instead of encoded once for all
 */
public record ServerSettings(
    String host,
    int port,
    int maxTextMessageBytes,
    Duration idleTimeout,
    Duration pingInterval,
    Duration stopTimeout,
    HttpEndpoints http,
    boolean forwarded,
    AdminPort admin,
    boolean permessageDeflate) {

  /** CLU's port. */
  public static final int DEFAULT_PORT = 9876;

  /** CLU's limit (the {@code websockets} library's {@code max_size}): 1 MiB. */
  public static final int DEFAULT_MAX_TEXT_MESSAGE_BYTES = 1 << 20;

  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** CLU's ping interval. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);

  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(5);

  public ServerSettings {
    if (host != null && host.isBlank()) {
      host = null;
    }
    if (host != null) {
      host = host.strip();
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
    }
    if (maxTextMessageBytes < 1) {
      throw new IllegalArgumentException(
          "maxTextMessageBytes must be positive, got " + maxTextMessageBytes);
    }
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    Objects.requireNonNull(http, "http");
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, got " + idleTimeout);
    }
    if (pingInterval.isNegative()) {
      throw new IllegalArgumentException("pingInterval must not be negative, got " + pingInterval);
    }
    if (!pingInterval.isZero() && pingInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException(
          "idleTimeout ("
              + idleTimeout
              + ") must be longer than pingInterval ("
              + pingInterval
              + "), or a healthy idle client would be closed between two pings");
    }
    if (stopTimeout.isNegative()) {
      throw new IllegalArgumentException("stopTimeout must not be negative, got " + stopTimeout);
    }
  }

  /**
   * All interfaces, port 9876, 1 MiB messages, 60 s idle timeout, pings every 20 s, 5 s stop, and
   * every HTTP endpoint ({@link HttpEndpoints#all()}) on that port, no trust in proxy headers, no
   * operations port.
   */
  public static ServerSettings defaults() {
    return new ServerSettings(
        null,
        DEFAULT_PORT,
        DEFAULT_MAX_TEXT_MESSAGE_BYTES,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_PING_INTERVAL,
        DEFAULT_STOP_TIMEOUT,
        HttpEndpoints.all(),
        false,
        null,
        false);
  }

  public ServerSettings withHost(String newHost) {
    return new ServerSettings(
        newHost,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  public ServerSettings withPort(int newPort) {
    return new ServerSettings(
        host,
        newPort,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  public ServerSettings withMaxTextMessageBytes(int newMaxTextMessageBytes) {
    return new ServerSettings(
        host,
        port,
        newMaxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  public ServerSettings withIdleTimeout(Duration newIdleTimeout) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        newIdleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  /** Sets the ping interval ({@link Duration#ZERO} turns pings off). */
  public ServerSettings withPingInterval(Duration newPingInterval) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        newPingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  /** Sets both timeouts at once (for a ping interval longer than the current idle timeout). */
  public ServerSettings withKeepAlive(Duration newIdleTimeout, Duration newPingInterval) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        newIdleTimeout,
        newPingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  public ServerSettings withStopTimeout(Duration newStopTimeout) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        newStopTimeout,
        http,
        forwarded,
        admin,
        permessageDeflate);
  }

  /** Sets which plain HTTP endpoints are served (health, metrics, console). */
  public ServerSettings withHttp(HttpEndpoints newHttp) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        newHttp,
        forwarded,
        admin,
        permessageDeflate);
  }

  /**
   * Sets whether the {@code Forwarded} / {@code X-Forwarded-*} headers of a reverse proxy are
   * trusted.
   */
  public ServerSettings withForwarded(boolean trust) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        trust,
        admin,
        permessageDeflate);
  }

  /** Sets the operations port ({@code null}: none). */
  public ServerSettings withAdmin(AdminPort newAdmin) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        newAdmin,
        permessageDeflate);
  }

  /** The same without permessage-deflate (off, the default). */
  public ServerSettings(
      String host,
      int port,
      int maxTextMessageBytes,
      Duration idleTimeout,
      Duration pingInterval,
      Duration stopTimeout,
      HttpEndpoints http,
      boolean forwarded,
      AdminPort admin) {
    this(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        false);
  }

  /** Whether clients that offer permessage-deflate get it. */
  public ServerSettings withPermessageDeflate(boolean enabled) {
    return new ServerSettings(
        host,
        port,
        maxTextMessageBytes,
        idleTimeout,
        pingInterval,
        stopTimeout,
        http,
        forwarded,
        admin,
        enabled);
  }

  /** Whether websockets are pinged. */
  public boolean pingEnabled() {
    return !pingInterval.isZero();
  }

  /** Whether the server listens on every interface. */
  public boolean allInterfaces() {
    return host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
  }
}
