package dev.cluws.jetty;

/**
 * Which plain HTTP endpoints the websocket server answers next to the websockets (on the same port;
 * a websocket upgrade is accepted on every path, these included). {@link #all()} is the default.
 *
 * @param health {@code /healthz} (200 while the process serves) and {@code /readyz} (200 while the
 *     broker connection is up and replies are consumed, else 503 with the reason)
 * @param metrics {@code /metrics}: the gateway's meters in Prometheus text format
 * @param console the web console: {@code /} ({@code index.html}), {@code /clu-ws.js} and {@code
 *     /console/*}, served from the jar
 * @param metricsNeedToken whether {@code /metrics} needs a token when there are tokens ({@link
 *     SecuritySettings#metricsTokenPossible()}: authentication on, or dedicated metrics tokens); it
 *     then takes only a token with a metrics role or a metrics token ({@link
 *     dev.cluws.jetty.auth.MetricsAccess}), as the meters name actors and show all traffic. Without
 *     tokens there is nothing to check and {@code /metrics} is open.
 */
public record HttpEndpoints(
    boolean health, boolean metrics, boolean console, boolean metricsNeedToken) {

  private static final HttpEndpoints ALL = new HttpEndpoints(true, true, true, true);
  private static final HttpEndpoints NONE = new HttpEndpoints(false, false, false, true);

  /** Health, metrics and console on; {@code /metrics} needs a token when authentication is on. */
  public static HttpEndpoints all() {
    return ALL;
  }

  /** No endpoint: every plain HTTP request gets 426 Upgrade Required, as from {@code clu}. */
  public static HttpEndpoints none() {
    return NONE;
  }

  public HttpEndpoints withHealth(boolean on) {
    return new HttpEndpoints(on, metrics, console, metricsNeedToken);
  }

  public HttpEndpoints withMetrics(boolean on) {
    return new HttpEndpoints(health, on, console, metricsNeedToken);
  }

  public HttpEndpoints withConsole(boolean on) {
    return new HttpEndpoints(health, metrics, on, metricsNeedToken);
  }

  public HttpEndpoints withMetricsNeedToken(boolean need) {
    return new HttpEndpoints(health, metrics, console, need);
  }
}
