package dev.cluws.jetty.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Answers every plain HTTP request (one that is not a websocket upgrade) with 426 Upgrade Required
 * and a short text saying what this server is. It is the child of the websocket upgrade handler, so
 * a later web console replaces or wraps just this handler.
 */
public final class UpgradeRequiredHandler extends Handler.Abstract.NonBlocking {
  static final int UPGRADE_REQUIRED = 426;

  private final String message;

  public UpgradeRequiredHandler(String gatewayName) {
    this.message =
        "This is clu-ws, the websocket gateway "
            + gatewayName
            + " to CLU actors. Connect with a websocket (ws://) on any path, as to"
            + " `clu websocket`.";
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    response.getHeaders().put(HttpHeader.UPGRADE, "websocket");
    PlainText.respond(response, callback, UPGRADE_REQUIRED, message);
    return true;
  }
}
