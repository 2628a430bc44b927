package dev.cluws.jetty;

import dev.cluws.core.Gateway;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.internal.AdminConnectorHandler;
import dev.cluws.jetty.internal.GatewayCreator;
import dev.cluws.jetty.internal.HttpRoutes;
import dev.cluws.jetty.internal.KeepAlive;
import dev.cluws.jetty.internal.SessionRegistry;
import dev.cluws.jetty.internal.StaticFiles;
import dev.cluws.jetty.internal.UpgradeRequiredHandler;
import dev.cluws.jetty.internal.WebsocketUpgrades;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.eclipse.jetty.server.ForwardedRequestCustomizer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link Gateway} to websocket clients the way {@code clu websocket} does: a websocket
 * upgrade on any path, every reply as a text frame, every text frame a command.
 *
 * <pre>{@code
 * try (WebsocketServer server = new WebsocketServer(gateway, ServerSettings.defaults()).start()) {
 *   server.join();
 * }
 * }</pre>
 *
 * <p>A Jetty 12 server (no servlets) with one connector for the websockets. The query parameters of
 * an upgrade request are the client's subscription ({@link Gateway#subscribe}); a rejected
 * subscription is answered with 400 and no websocket. Plain HTTP requests (no upgrade) get the
 * endpoints of {@link ServerSettings#http()}: {@code /healthz}, {@code /readyz}, {@code /metrics}
 * and the web console at {@code /}; any other one gets 426 Upgrade Required. The server owns the
 * gateway: {@link #start()} starts it and {@link #close()} closes it.
 *
 * <p>With {@link ServerSettings#admin()}, a second connector (the operations port, plain HTTP)
 * answers {@code /healthz}, {@code /readyz} and {@code /metrics} and nothing else. With {@link
 * ServerSettings#forwarded()}, a reverse proxy's {@code Forwarded} / {@code X-Forwarded-*} headers
 * name the client on the websocket port. {@link #reloadTls} puts a renewed certificate in force for
 * new connections.
 *
 * <p>Threads: Jetty's pool ({@code clu-ws-jetty-*}) runs the endpoints, which never block; one
 * scheduler thread ({@code clu-ws-scheduler-*}) sends the pings. All of them end in {@link
 * #close()}.
 */
public final class WebsocketServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebsocketServer.class);

  /** Jetty's default is unbounded; one client's outbox never has more than one frame in flight. */
  private static final int MAX_OUTGOING_FRAMES = 16;

  private final Gateway gateway;
  private final ServerSettings settings;
  private final SecuritySettings security;
  private final Server server;
  private final ServerConnector connector;

  /** The TLS set-up of the websocket port, or {@code null} for plain {@code ws://}. */
  private final SslContextFactory.Server tls;

  /** The operations port's connector, or {@code null} without one. */
  private final ServerConnector adminConnector;

  private final SessionRegistry sessions = new SessionRegistry();
  private final KeepAlive keepAlive;

  /** The meters {@code /metrics} shows, or {@code null} with metrics off. */
  private final PrometheusMeterRegistry meters;

  private final JvmGcMetrics gcMetrics;
  private final Object lifecycle = new Object();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private boolean started;
  private boolean closed;
  private volatile int boundPort = -1;
  private volatile int boundAdminPort = -1;

  /** Builds a server with CLU's security (none); opens nothing until {@link #start()}. */
  public WebsocketServer(Gateway gateway, ServerSettings settings) {
    this(gateway, settings, SecuritySettings.none());
  }

  /**
   * Builds the server with origin checks, authentication and TLS as configured; opens nothing until
   * {@link #start()}.
   */
  public WebsocketServer(Gateway gateway, ServerSettings settings, SecuritySettings security) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.security = Objects.requireNonNull(security, "security");

    // Websocket callbacks never block, so a few threads per core serve any number of clients;
    // Jetty's default of 200 only costs memory (thread stacks) during connection storms.
    QueuedThreadPool threads =
        new QueuedThreadPool(Math.max(32, 16 * Runtime.getRuntime().availableProcessors()), 4);
    threads.setName("clu-ws-jetty");
    threads.setStopTimeout(settings.stopTimeout().toMillis());
    server = new Server(threads, new ScheduledExecutorScheduler("clu-ws-scheduler", false), null);
    server.setStopAtShutdown(false); // the application decides when to stop
    server.setStopTimeout(settings.stopTimeout().toMillis());

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    if (settings.forwarded()) {
      // The proxy's Forwarded / X-Forwarded-* headers name the client (its address, scheme, host).
      http.addCustomizer(new ForwardedRequestCustomizer());
    }
    if (security.tlsEnabled()) {
      SecureRequestCustomizer secure = new SecureRequestCustomizer();
      // Clients often connect by IP address (no SNI); the certificate still proves the server.
      secure.setSniHostCheck(false);
      http.addCustomizer(secure);
      tls = new SslContextFactory.Server();
      tls.setKeyStore(security.tls().keyStore());
      tls.setKeyStorePassword(security.tls().password());
      tls.setKeyManagerPassword(security.tls().password());
      connector =
          new ServerConnector(
              server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
    } else {
      tls = null;
      connector = new ServerConnector(server, new HttpConnectionFactory(http));
    }
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    connector.setIdleTimeout(settings.idleTimeout().toMillis());
    server.addConnector(connector);
    AdminPort admin = settings.admin();
    if (admin != null) {
      HttpConfiguration adminHttp = new HttpConfiguration();
      adminHttp.setSendServerVersion(false);
      adminHttp.setSendXPoweredBy(false);
      adminConnector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(adminHttp));
      adminConnector.setName("admin");
      adminConnector.setHost(admin.host());
      adminConnector.setPort(admin.port());
      adminConnector.setIdleTimeout(settings.idleTimeout().toMillis());
      server.addConnector(adminConnector);
    } else {
      adminConnector = null;
    }

    HttpEndpoints endpoints = settings.http();
    if (endpoints.metrics()) {
      meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new GatewayMetrics(gateway).bindTo(meters);
      gcMetrics = new JvmGcMetrics(); // bound in start(): it registers JMX listeners
    } else {
      meters = null;
      gcMetrics = null;
    }
    HttpEndpoints publicEndpoints =
        admin == null || admin.alsoOnPublicPort()
            ? endpoints
            : endpoints.withHealth(false).withMetrics(false);
    HttpRoutes publicRoutes =
        new HttpRoutes(
            gateway.name(),
            publicEndpoints,
            gateway::sourceState,
            gateway::catchingUp,
            sessions,
            meters == null ? null : meters::scrape,
            endpoints.console() ? StaticFiles.console() : null,
            security,
            new UpgradeRequiredHandler(gateway.name()));
    // "/*": like CLU, any path upgrades. Frames up to the message limit stay whole, as CLU
    // (Python websockets) sends them.
    WebsocketUpgrades websockets =
        new WebsocketUpgrades(
            server,
            new GatewayCreator(gateway, sessions, security),
            limits -> {
              limits.setMaxTextMessageSize(settings.maxTextMessageBytes());
              limits.setMaxBinaryMessageSize(settings.maxTextMessageBytes());
              limits.setMaxFrameSize(settings.maxTextMessageBytes());
              limits.setIdleTimeout(settings.idleTimeout());
              limits.setMaxOutgoingFrames(MAX_OUTGOING_FRAMES);
            },
            settings.permessageDeflate(),
            publicRoutes);
    if (adminConnector == null) {
      server.setHandler(websockets);
    } else {
      HttpRoutes adminRoutes =
          new HttpRoutes(
              gateway.name(),
              endpoints.withConsole(false),
              gateway::sourceState,
              gateway::catchingUp,
              sessions,
              meters == null ? null : meters::scrape,
              null,
              security,
              AdminConnectorHandler.notFound());
      server.setHandler(
          new Handler.Sequence(new AdminConnectorHandler(adminConnector, adminRoutes), websockets));
    }

    keepAlive =
        settings.pingEnabled()
            ? new KeepAlive(sessions, settings.pingInterval(), settings.idleTimeout())
            : null;
  }

  /**
   * Starts the gateway (which connects to the broker) and then Jetty. Idempotent.
   *
   * <p>When either fails, whatever was started is stopped and the gateway is closed: the server is
   * then closed for good ({@link #join()} returns) and a new one is needed to try again.
   *
   * @return this server
   * @throws dev.cluws.core.spi.BrokerUnavailableException when the gateway cannot reach the broker
   * @throws CluWsException when the server cannot listen on its host and port
   * @throws IllegalStateException when the server was closed (or failed to start) before
   */
  public WebsocketServer start() {
    synchronized (lifecycle) {
      if (started) {
        return this;
      }
      if (closed) {
        throw new IllegalStateException("the websocket server is closed");
      }
      try {
        gateway.start();
      } catch (RuntimeException e) {
        failStart();
        throw e;
      }
      open(connector, hostForLog() + ":" + settings.port());
      if (adminConnector != null) {
        open(
            adminConnector,
            settings.admin().host() + ":" + settings.admin().port() + " (operations port)");
      }
      try {
        server.start();
      } catch (Exception e) {
        stopJetty();
        failStart();
        throw new CluWsException(
            "cannot listen on " + hostForLog() + ":" + settings.port() + ": " + bindFailure(e), e);
      }
      boundPort = connector.getLocalPort();
      if (adminConnector != null) {
        boundAdminPort = adminConnector.getLocalPort();
      }
      if (meters != null) {
        // What operators expect from any JVM service: memory, GC, threads, CPU, uptime.
        new JvmMemoryMetrics().bindTo(meters);
        gcMetrics.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
      }
      if (keepAlive != null) {
        keepAlive.start(server.getScheduler());
      }
      started = true;
      log.info(
          "gateway {} accepts websockets on {}://{}:{} (ping every {}, idle timeout {}, frames up"
              + " to {} bytes; origins: {}; authentication: {}{})",
          gateway.name(),
          scheme(),
          hostForLog(),
          boundPort,
          settings.pingEnabled() ? settings.pingInterval() : "never",
          settings.idleTimeout(),
          settings.maxTextMessageBytes(),
          security.allowedOrigins(),
          security.authenticationEnabled() ? "bearer tokens" : "none",
          security.tlsEnabled() ? "; TLS: " + security.tls().description() : "");
      String endpoints =
          httpEndpoints(settings.admin() == null || settings.admin().alsoOnPublicPort(), true);
      if (!endpoints.isEmpty()) {
        log.info("gateway {} answers plain HTTP on {}", gateway.name(), endpoints);
      }
      if (adminConnector != null) {
        log.info(
            "gateway {} answers {} on the operations port http://{}:{}/",
            gateway.name(),
            httpEndpoints(true, false),
            settings.admin().host(),
            boundAdminPort);
      }
      if (settings.forwarded()) {
        log.info(
            "gateway {} trusts the Forwarded and X-Forwarded-* headers of its reverse proxy",
            gateway.name());
      }
      if (exposed()) {
        log.warn(
            "SECURITY: gateway {} listens on {}:{} without authentication and without an origin"
                + " list: anyone who can reach this port, and any web page opened in a browser that"
                + " can reach it, may command every actor on the broker and read every reply."
                + " Configure bearer tokens and allowed origins (docs/security.md) or listen on"
                + " 127.0.0.1.",
            gateway.name(),
            hostForLog(),
            boundPort);
      }
      return this;
    }
  }

  /** The plain HTTP endpoints served, for the start-up log. */
  private String httpEndpoints(boolean operations, boolean console) {
    HttpEndpoints http = settings.http();
    StringBuilder text = new StringBuilder();
    if (operations && http.health()) {
      text.append("/healthz /readyz ");
    }
    if (operations && http.metrics()) {
      text.append(
          http.metricsNeedToken() && security.metricsTokenPossible()
              ? "/metrics (operator or metrics token) "
              : "/metrics ");
    }
    if (console && http.console()) {
      text.append("/ (console) /clu-ws.js /console/*");
    }
    return text.toString().strip();
  }

  /**
   * Binds a connector before Jetty starts, so that a taken port is reported with its address.
   *
   * @throws CluWsException when it cannot listen (after closing what was started)
   */
  private void open(ServerConnector toOpen, String where) {
    try {
      toOpen.open();
    } catch (Exception e) {
      connector.close();
      if (adminConnector != null) {
        adminConnector.close();
      }
      stopJetty();
      failStart();
      throw new CluWsException("cannot listen on " + where + ": " + bindFailure(e), e);
    }
  }

  private static String bindFailure(Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) {
        return "the address is in use or not available";
      }
    }
    return e.getMessage();
  }

  /**
   * Whether the server is open to everyone: bound to a non-loopback address with no authentication
   * and no origin list.
   */
  boolean exposed() {
    return !security.authenticationEnabled()
        && security.allowedOrigins().allowsAny()
        && !loopback(settings);
  }

  private static boolean loopback(ServerSettings settings) {
    if (settings.allInterfaces()) {
      return false;
    }
    String host = settings.host();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private String scheme() {
    return security.tlsEnabled() ? "wss" : "ws";
  }

  /** The port the server listens on: the bound one once started (useful with port 0). */
  public int port() {
    int port = boundPort;
    return port > 0 ? port : settings.port();
  }

  /**
   * The websocket URI of this server: {@code ws://<host>:<port>/} ({@code wss://} with TLS), with
   * {@code 127.0.0.1} when it listens on all interfaces.
   */
  public URI uri() {
    String host = settings.allInterfaces() ? "127.0.0.1" : settings.host();
    if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return URI.create(scheme() + "://" + host + ":" + port() + "/");
  }

  /**
   * The operations port ({@link ServerSettings#admin()}): the bound one once started, or {@code -1}
   * without one.
   */
  public int adminPort() {
    if (adminConnector == null) {
      return -1;
    }
    int port = boundAdminPort;
    return port > 0 ? port : settings.admin().port();
  }

  public Gateway gateway() {
    return gateway;
  }

  public ServerSettings settings() {
    return settings;
  }

  public SecuritySettings security() {
    return security;
  }

  /**
   * The registry whose meters {@code /metrics} shows (the gateway's, see {@link GatewayMetrics}),
   * to add an application's own; empty when metrics are off ({@link HttpEndpoints#metrics()}).
   */
  public Optional<MeterRegistry> meterRegistry() {
    return Optional.ofNullable(meters);
  }

  /** The number of open websockets. */
  public int openWebsockets() {
    return sessions.size();
  }

  /**
   * Stops gracefully: stops accepting connections and pinging, closes every websocket with 1001
   * ("server shutting down") and waits up to the stop timeout for them to close, stops Jetty (which
   * drops what is left), then closes the gateway. Idempotent; never throws. Call it from an
   * application thread (it waits), not from a Jetty thread.
   */
  @Override
  public void close() {
    boolean wasStarted;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      wasStarted = started;
    }
    try {
      if (wasStarted) {
        stopServing();
      }
    } finally {
      closeGateway();
      if (meters != null) {
        gcMetrics.close();
        meters.close();
      }
      terminated.countDown();
      log.info("gateway {}: websocket server stopped", gateway.name());
    }
  }

  /**
   * Puts a new certificate and key in force: new TLS connections get it, open ones (and their
   * websockets) go on with the one they started with. For renewals without a restart (the CLI calls
   * it when the certificate files change or on SIGHUP).
   *
   * @throws IllegalStateException when the server has no TLS
   * @throws CluWsException when Jetty refuses the new key store (the old one stays in force)
   */
  public void reloadTls(TlsSettings newTls) {
    Objects.requireNonNull(newTls, "newTls");
    if (tls == null) {
      throw new IllegalStateException("the websocket server has no TLS to reload");
    }
    try {
      tls.reload(
          factory -> {
            factory.setKeyStore(newTls.keyStore());
            factory.setKeyStorePassword(newTls.password());
            factory.setKeyManagerPassword(newTls.password());
          });
    } catch (Exception e) {
      throw new CluWsException("cannot use the new TLS certificate: " + e.getMessage(), e);
    }
    log.info(
        "gateway {}: TLS certificate from {} in force for new connections",
        gateway.name(),
        newTls.description());
  }

  /** Waits until the server is closed. */
  public void join() throws InterruptedException {
    terminated.await();
  }

  private void stopServing() {
    long deadline = System.nanoTime() + settings.stopTimeout().toNanos();
    if (keepAlive != null) {
      keepAlive.stop();
    }
    try {
      connector.close(); // stop accepting; open connections stay
    } catch (RuntimeException e) {
      log.warn("closing the listening socket failed", e);
    }
    // Stop taking replies and let every outbox write out what it holds (half the stop timeout).
    gateway.quiesce(settings.stopTimeout().dividedBy(2));
    int closing = sessions.closeAll(StatusCode.SHUTDOWN, SessionRegistry.SHUTDOWN_REASON);
    if (closing > 0) {
      log.info("closing {} websocket(s)", closing);
      try {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (!sessions.awaitEmpty(left)) {
          log.info(
              "{} websocket(s) did not close within {}; dropping them",
              sessions.size(),
              settings.stopTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stopJetty();
  }

  private void stopJetty() {
    try {
      server.stop();
    } catch (Exception e) {
      log.warn("stopping Jetty failed", e);
    }
  }

  private void failStart() {
    closed = true;
    if (meters != null) {
      gcMetrics.close();
      meters.close();
    }
    closeGateway();
    terminated.countDown();
  }

  private void closeGateway() {
    try {
      gateway.close();
    } catch (RuntimeException e) {
      log.warn("closing gateway {} failed", gateway.name(), e);
    }
  }

  private String hostForLog() {
    return settings.host() == null ? "*" : settings.host();
  }

  @Override
  public String toString() {
    return "WebsocketServer[" + gateway.name() + ", " + hostForLog() + ":" + port() + "]";
  }
}
