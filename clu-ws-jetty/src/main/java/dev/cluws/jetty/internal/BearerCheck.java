package dev.cluws.jetty.internal;

import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.auth.AuthenticationException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer-token check of a plain HTTP request (a websocket upgrade, {@code /metrics}): the
 * identity the server's authenticator gives the token, or a 401 with a one-line reason (never the
 * token) and a log line.
 */
final class BearerCheck {
  private static final Logger log = LoggerFactory.getLogger(BearerCheck.class);

  private BearerCheck() {}

  /**
   * Authenticates {@code token} (may be {@code null}); on failure answers 401 and returns {@code
   * null}.
   *
   * @param what what the request asked for, for logs ({@code "a websocket"})
   * @param missing the reason to answer when there is no token
   */
  static ClientIdentity authenticate(
      SecuritySettings security,
      String token,
      String remote,
      String what,
      String missing,
      Response response,
      Callback callback) {
    if (token == null) {
      log.info("refused {} from {}: no bearer token", what, remote);
      unauthorized(response, callback, missing);
      return null;
    }
    try {
      return security.authenticator().authenticate(token, remote);
    } catch (AuthenticationException e) {
      log.info("refused {} from {}: invalid token: {}", what, remote, LogText.of(e.getMessage()));
      unauthorized(response, callback, "invalid token: " + e.getMessage());
    } catch (RuntimeException e) {
      log.warn("refused {} from {}: the token check failed", what, remote, e);
      unauthorized(response, callback, "invalid token: the check failed on the server");
    }
    return null;
  }

  private static void unauthorized(Response response, Callback callback, String reason) {
    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"clu-ws\"");
    PlainText.respond(response, callback, HttpStatus.UNAUTHORIZED_401, reason);
  }
}
