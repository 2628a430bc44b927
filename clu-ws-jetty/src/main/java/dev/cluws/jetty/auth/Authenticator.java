package dev.cluws.jetty.auth;

import dev.cluws.core.spi.ClientIdentity;
import java.util.List;

/**
 * Checks a bearer token presented at the websocket upgrade and says who it belongs to.
 * Implementations are thread-safe and never log a token or a secret. They run on the upgrade's
 * thread, so they do not block on I/O: keys are loaded up front, or (a remote key set, {@link
 * JwtAuthenticator}) cached and refreshed in the background, with a fetch bounded by short timeouts
 * and a rate limit only when a token names a key the cache does not hold.
 */
public interface Authenticator {

  /**
   * The identity the token proves.
   *
   * @param token the bearer token, as the client sent it
   * @param remoteAddress the client's address, for the identity and logs
   * @throws AuthenticationException when the token is unknown, invalid or expired
   */
  ClientIdentity authenticate(String token, String remoteAddress);

  /**
   * Tries each authenticator in order and returns the first identity. When all refuse, the reason
   * is that of the first one that recognized the token's kind (e.g. "expired" from the JWT check
   * rather than "unknown token" from the static tokens).
   */
  static Authenticator anyOf(List<Authenticator> authenticators) {
    List<Authenticator> all = List.copyOf(authenticators);
    if (all.size() == 1) {
      return all.get(0);
    }
    return (token, remoteAddress) -> {
      AuthenticationException first = null;
      for (Authenticator authenticator : all) {
        try {
          return authenticator.authenticate(token, remoteAddress);
        } catch (AuthenticationException e) {
          if (first == null || (e.recognized() && !first.recognized())) {
            first = e;
          }
        }
      }
      throw first != null ? first : new AuthenticationException("unknown token", false);
    };
  }
}
