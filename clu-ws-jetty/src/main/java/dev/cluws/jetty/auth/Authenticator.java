package dev.cluws.jetty.auth;

import dev.cluws.core.spi.ClientIdentity;
import java.util.List;

/**
 * Checks a bearer token presented at the websocket upgrade and says who it belongs to.
 * Implementations are thread-safe, never block on I/O (keys are loaded up front) and never log a
 * token or a secret.
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
