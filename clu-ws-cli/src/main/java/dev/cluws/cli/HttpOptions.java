package dev.cluws.cli;

import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.AdminPort;
import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.ServerSettings;
import picocli.CommandLine.Option;

/**
 * Where the websocket server listens, and the plain HTTP endpoints next to the websockets (health,
 * metrics, web console): all on by default, each can be turned off; the operations port that serves
 * health and metrics apart; and trust in a reverse proxy's headers.
 */
final class HttpOptions {
  @Option(
      names = {"-p", "--port"},
      paramLabel = "<port>",
      defaultValue = "9876",
      description = "Websocket port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      paramLabel = "<host>",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, all interfaces).")
  String host;

  @Option(
      names = "--forwarded",
      description =
          "Behind a reverse proxy: take the client's address (logs, audit log), scheme and host"
              + " from the proxy's Forwarded / X-Forwarded-* headers. Only when nothing but the"
              + " proxy can reach the port (see docs/operations.md).")
  boolean forwarded;

  @Option(
      names = "--permessage-deflate",
      description =
          "Compress frames for clients that offer permessage-deflate (browsers do). Off by"
              + " default: each such websocket then keeps a compressor (about 110 KiB) and every"
              + " frame is compressed once per client (see docs/operations.md).")
  boolean permessageDeflate;

  @Option(
      names = "--admin-port",
      paramLabel = "<port>",
      description =
          "Operations port: serve /healthz, /readyz and /metrics on this plain HTTP port too"
              + " (no websockets there). Default: none.")
  Integer adminPort;

  @Option(
      names = "--admin-host",
      paramLabel = "<host>",
      description = "Address of the operations port (default: " + AdminPort.DEFAULT_HOST + ").")
  String adminHost;

  @Option(
      names = "--no-public-admin",
      description =
          "With --admin-port, serve /healthz, /readyz and /metrics only there, not on the"
              + " websocket port.")
  boolean noPublicAdmin;

  @Option(
      names = "--no-health",
      description = "Do not serve /healthz and /readyz (they get 426, as other plain requests).")
  boolean noHealth;

  @Option(
      names = "--no-metrics",
      description = "Do not serve /metrics (Prometheus text format) and keep no meters.")
  boolean noMetrics;

  @Option(
      names = "--no-console",
      description = "Do not serve the web console (/, /clu-ws.js, /console/*).")
  boolean noConsole;

  @Option(
      names = "--metrics-without-token",
      description =
          "With bearer tokens required (--token-file, --jwt-*) or --metrics-token-file, serve"
              + " /metrics without a token too (default: it needs an operator's or a metrics"
              + " token).")
  boolean metricsWithoutToken;

  /** The endpoints these options ask for. */
  HttpEndpoints endpoints() {
    return HttpEndpoints.all()
        .withHealth(!noHealth)
        .withMetrics(!noMetrics)
        .withConsole(!noConsole)
        .withMetricsNeedToken(!metricsWithoutToken);
  }

  /**
   * The operations port these options ask for, or {@code null}.
   *
   * @throws CluWsException when an operations option is given without {@code --admin-port}
   */
  AdminPort admin() {
    if (adminPort == null) {
      if (adminHost != null || noPublicAdmin) {
        throw new CluWsException(
            (noPublicAdmin ? "--no-public-admin" : "--admin-host") + " needs --admin-port");
      }
      return null;
    }
    try {
      return new AdminPort(adminHost, adminPort, !noPublicAdmin);
    } catch (IllegalArgumentException e) {
      throw new CluWsException("--admin-port: " + e.getMessage());
    }
  }

  /** {@code settings} with this address, these endpoints, the operations port and proxy trust. */
  ServerSettings applyTo(ServerSettings settings) {
    return settings
        .withHost(host)
        .withPort(port)
        .withHttp(endpoints())
        .withForwarded(forwarded)
        .withPermessageDeflate(permessageDeflate)
        .withAdmin(admin());
  }
}
