package dev.cluws.jetty;

import dev.cluws.jetty.auth.AllowedOrigins;
import dev.cluws.jetty.auth.Authenticator;
import dev.cluws.jetty.auth.MetricsAccess;
import java.util.Objects;

/**
 * Who may open a websocket, checked at the upgrade, who may read {@code /metrics}, and whether the
 * server speaks TLS. {@link #none()} is CLU's behaviour: any origin, no authentication, plain
 * {@code ws://}.
 *
 * <p>Which commands an authenticated client may send, and which replies it sees, is the gateway's
 * {@link dev.cluws.core.access.AccessPolicy}; this only establishes who the client is.
 *
 * @param allowedOrigins the web origins whose pages may connect (403 for others)
 * @param authenticator checks the bearer token of every upgrade (401 without a valid one), or
 *     {@code null} for no authentication
 * @param tls the server's certificate for {@code wss://}, or {@code null} for plain {@code ws://}
 * @param metricsAccess which tokens read {@code /metrics} when it needs one ({@link
 *     HttpEndpoints#metricsNeedToken()}): those with an operator role, or a dedicated metrics token
 */
public record SecuritySettings(
    AllowedOrigins allowedOrigins,
    Authenticator authenticator,
    TlsSettings tls,
    MetricsAccess metricsAccess) {

  private static final SecuritySettings NONE =
      new SecuritySettings(AllowedOrigins.any(), null, null);

  public SecuritySettings {
    Objects.requireNonNull(allowedOrigins, "allowedOrigins");
    Objects.requireNonNull(metricsAccess, "metricsAccess");
  }

  /** With the default {@link MetricsAccess}: tokens with the role {@code operator}. */
  public SecuritySettings(
      AllowedOrigins allowedOrigins, Authenticator authenticator, TlsSettings tls) {
    this(allowedOrigins, authenticator, tls, MetricsAccess.defaults());
  }

  /** Any origin, no authentication, no TLS. */
  public static SecuritySettings none() {
    return NONE;
  }

  public SecuritySettings withAllowedOrigins(AllowedOrigins origins) {
    return new SecuritySettings(origins, authenticator, tls, metricsAccess);
  }

  public SecuritySettings withAuthenticator(Authenticator newAuthenticator) {
    return new SecuritySettings(allowedOrigins, newAuthenticator, tls, metricsAccess);
  }

  public SecuritySettings withTls(TlsSettings newTls) {
    return new SecuritySettings(allowedOrigins, authenticator, newTls, metricsAccess);
  }

  public SecuritySettings withMetricsAccess(MetricsAccess access) {
    return new SecuritySettings(allowedOrigins, authenticator, tls, access);
  }

  /** Whether every upgrade must carry a valid token. */
  public boolean authenticationEnabled() {
    return authenticator != null;
  }

  /**
   * Whether {@code /metrics} is behind a token (unless the endpoints say it needs none): with
   * authentication on, or with dedicated metrics tokens.
   */
  public boolean metricsTokenPossible() {
    return authenticationEnabled() || metricsAccess.hasTokens();
  }

  /** Whether the server speaks {@code wss://}. */
  public boolean tlsEnabled() {
    return tls != null;
  }
}
