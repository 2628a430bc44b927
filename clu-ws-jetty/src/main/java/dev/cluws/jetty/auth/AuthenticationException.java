package dev.cluws.jetty.auth;

import dev.cluws.core.spi.CluWsException;

/**
 * A token that does not authenticate its client. The message is the reason the client is told (with
 * status 401): it never contains the token or any secret.
 */
public class AuthenticationException extends CluWsException {
  private static final long serialVersionUID = 1L;

  private final boolean recognized;

  /**
   * @param message why the token is refused, safe to show to the client
   * @param recognized whether the token was of the kind the authenticator checks (a JWT for a JWT
   *     authenticator), so that its reason is the one to tell
   */
  public AuthenticationException(String message, boolean recognized) {
    super(message);
    this.recognized = recognized;
  }

  /** Whether the token was of this authenticator's kind (its reason is then the one to tell). */
  public boolean recognized() {
    return recognized;
  }
}
