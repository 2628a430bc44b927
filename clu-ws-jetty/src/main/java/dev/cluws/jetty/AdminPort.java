package dev.cluws.jetty;

/**
 * The operations port: a second, plain HTTP connector that answers {@code /healthz}, {@code
 * /readyz} and {@code /metrics} (as turned on in {@link HttpEndpoints}) and nothing else: no
 * websocket, no console, 404 for any other path. It keeps answering {@code /readyz} (503, "shutting
 * down") while the server drains its websockets at a stop.
 *
 * @param host the interface to listen on; {@code null} or blank means {@value #DEFAULT_HOST}
 * @param port the TCP port; {@code 0} picks a free one (see {@link WebsocketServer#adminPort()})
 * @param alsoOnPublicPort whether the websocket port keeps answering these endpoints too
 */
public record AdminPort(String host, int port, boolean alsoOnPublicPort) {
  /** Loopback: the operations port is for the machine's own probes and scrapers. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  public AdminPort {
    host = host == null || host.isBlank() ? DEFAULT_HOST : host.strip();
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("admin port must be between 0 and 65535, got " + port);
    }
  }

  /** The endpoints on {@value #DEFAULT_HOST}:{@code port}, and on the public port too. */
  public static AdminPort on(int port) {
    return new AdminPort(DEFAULT_HOST, port, true);
  }

  public AdminPort withHost(String newHost) {
    return new AdminPort(newHost, port, alsoOnPublicPort);
  }

  /** Sets whether the websocket port keeps answering these endpoints. */
  public AdminPort withAlsoOnPublicPort(boolean keep) {
    return new AdminPort(host, port, keep);
  }
}
