package dev.cluws.jetty;

import dev.cluws.jetty.auth.AllowedOrigins;
import dev.cluws.jetty.auth.Authenticator;
import java.util.Objects;

/**
 * Who may open a websocket, checked at the upgrade, and whether the server speaks TLS. {@link
 * #none()} is CLU's behaviour: any origin, no authentication, plain {@code ws://}.
 *
 * <p>Which commands an authenticated client may send, and which replies it sees, is the gateway's
 * {@link dev.cluws.core.access.AccessPolicy}; this only establishes who the client is.
 *
 * @param allowedOrigins the web origins whose pages may connect (403 for others)
 * @param authenticator checks the bearer token of every upgrade (401 without a valid one), or
 *     {@code null} for no authentication
 * @param tls the server's certificate for {@code wss://}, or {@code null} for plain {@code ws://}
 */
public record SecuritySettings(
    AllowedOrigins allowedOrigins, Authenticator authenticator, TlsSettings tls) {

  private static final SecuritySettings NONE =
      new SecuritySettings(AllowedOrigins.any(), null, null);

  public SecuritySettings {
    Objects.requireNonNull(allowedOrigins, "allowedOrigins");
  }

  /** Any origin, no authentication, no TLS. */
  public static SecuritySettings none() {
    return NONE;
  }

  public SecuritySettings withAllowedOrigins(AllowedOrigins origins) {
    return new SecuritySettings(origins, authenticator, tls);
  }

  public SecuritySettings withAuthenticator(Authenticator newAuthenticator) {
    return new SecuritySettings(allowedOrigins, newAuthenticator, tls);
  }

  public SecuritySettings withTls(TlsSettings newTls) {
    return new SecuritySettings(allowedOrigins, authenticator, newTls);
  }

  /** Whether every upgrade must carry a valid token. */
  public boolean authenticationEnabled() {
    return authenticator != null;
  }

  /** Whether the server speaks {@code wss://}. */
  public boolean tlsEnabled() {
    return tls != null;
  }
}
