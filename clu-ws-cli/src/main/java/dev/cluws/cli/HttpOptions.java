package dev.cluws.cli;

import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.ServerSettings;
import picocli.CommandLine.Option;

/**
 * Where the websocket server listens, and the plain HTTP endpoints next to the websockets (health,
 * metrics, web console): all on by default, each can be turned off.
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
          "With bearer tokens required (--token-file, --jwt-*), serve /metrics without a token"
              + " too (default: it needs one, like a websocket).")
  boolean metricsWithoutToken;

  /** The endpoints these options ask for. */
  HttpEndpoints endpoints() {
    return HttpEndpoints.all()
        .withHealth(!noHealth)
        .withMetrics(!noMetrics)
        .withConsole(!noConsole)
        .withMetricsNeedToken(!metricsWithoutToken);
  }

  /** {@code settings} with this address and these endpoints. */
  ServerSettings applyTo(ServerSettings settings) {
    return settings.withHost(host).withPort(port).withHttp(endpoints());
  }
}
