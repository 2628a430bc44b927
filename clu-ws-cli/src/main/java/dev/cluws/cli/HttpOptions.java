package dev.cluws.cli;

import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.ServerSettings;
import picocli.CommandLine.Option;

/**
 * The plain HTTP endpoints next to the websockets (health, metrics, web console): all on by
 * default, each can be turned off.
 */
final class HttpOptions {
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

  /** {@code settings} with these endpoints. */
  ServerSettings applyTo(ServerSettings settings) {
    return settings.withHttp(endpoints());
  }
}
