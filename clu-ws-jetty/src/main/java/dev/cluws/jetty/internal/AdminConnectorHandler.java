package dev.cluws.jetty.internal;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The handler of the operations port: takes every request that arrived on that connector and gives
 * it to the operations routes ({@code /healthz}, {@code /readyz}, {@code /metrics}); anything else
 * there, websocket upgrades included, is 404. Requests on other connectors are not its business
 * ({@code false}: the next handler of the {@link Handler.Sequence} takes them).
 */
public final class AdminConnectorHandler extends Handler.Wrapper {
  private final Connector connector;

  /**
   * @param connector the operations connector
   * @param routes the operations routes, built with {@link #notFound()} as their next handler
   */
  public AdminConnectorHandler(Connector connector, Handler routes) {
    super(routes);
    this.connector = connector;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    if (request.getConnectionMetaData().getConnector() != connector) {
      return false;
    }
    return super.handle(request, response, callback);
  }

  /** 404 for every path the operations port does not serve. */
  public static Handler notFound() {
    return new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        PlainText.respond(
            response,
            callback,
            HttpStatus.NOT_FOUND_404,
            "not found: the operations port answers /healthz, /readyz and /metrics only");
        return true;
      }
    };
  }
}
