package dev.cluws.jetty.internal;

import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.auth.AuthenticationException;
import dev.cluws.jetty.auth.MetricsAccess;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer-token check of a plain HTTP request (a websocket upgrade, {@code /metrics}): the
 * identity the server's authenticator gives the token, or a 401 with a one-line reason (never the
 * token) and a log line; for {@code /metrics} also the role check ({@link MetricsAccess}: 403 for a
 * client token without a metrics role).
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

  /**
   * The check of a {@code /metrics} request that needs a token: a dedicated metrics token, or a
   * valid bearer token whose subject has a metrics role. Without a valid token answers 401, for any
   * other valid token 403, and returns {@code false}.
   */
  static boolean authorizeMetrics(
      SecuritySettings security,
      String token,
      String remote,
      Response response,
      Callback callback) {
    MetricsAccess access = security.metricsAccess();
    if (access.isMetricsToken(token)) {
      return true;
    }
    if (!security.authenticationEnabled()) {
      // Only the metrics tokens open /metrics: client tokens do not exist here.
      log.info(
          "refused /metrics from {}: {}",
          remote,
          token == null ? "no bearer token" : "not a metrics token");
      unauthorized(
          response,
          callback,
          token == null
              ? "authentication required: send the metrics bearer token"
              : "invalid token: not a metrics token");
      return false;
    }
    ClientIdentity identity =
        authenticate(
            security,
            token,
            remote,
            "/metrics",
            "authentication required: send a bearer token",
            response,
            callback);
    if (identity == null) {
      return false;
    }
    if (access.allows(identity)) {
      return true;
    }
    log.info(
        "refused /metrics from {}: {} has none of the metrics roles {}",
        remote,
        LogText.field(identity.describe()),
        access.roles());
    PlainText.respond(
        response,
        callback,
        HttpStatus.FORBIDDEN_403,
        "forbidden: /metrics needs a token with "
            + (access.roles().isEmpty()
                ? "the metrics token"
                : "the role " + String.join(" or ", access.roles()) + ", or a metrics token"));
    return false;
  }

  private static void unauthorized(Response response, Callback callback, String reason) {
    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"clu-ws\"");
    PlainText.respond(response, callback, HttpStatus.UNAUTHORIZED_401, reason);
  }
}
