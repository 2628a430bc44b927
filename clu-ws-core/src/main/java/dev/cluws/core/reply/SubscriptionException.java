package dev.cluws.core.reply;

import dev.cluws.core.spi.CluWsException;

/** A client's subscription (its query parameters) cannot be honoured; the message says why. */
public final class SubscriptionException extends CluWsException {
  private static final long serialVersionUID = 1L;

  public SubscriptionException(String message) {
    super(message);
  }
}
