package dev.cluws.jetty.internal;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Small {@code text/plain} answers for requests that do not become websockets. */
final class PlainText {
  private PlainText() {}

  /** Writes a status and a one-line UTF-8 body, then completes {@code callback}. Never blocks. */
  static void respond(Response response, Callback callback, int status, String text) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    Content.Sink.write(response, true, text + "\n", callback);
  }
}
