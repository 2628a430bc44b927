package dev.cluws.core.spi;

/**
 * The broker connection was lost after a command was published and before the broker confirmed it:
 * the command may or may not have reached the actor. A {@link CommandSink} fails such a command
 * with this exception so the client is not told "not sent" when that may be false.
 */
public class OutcomeUnknownException extends BrokerUnavailableException {
  private static final long serialVersionUID = 1L;

  public OutcomeUnknownException(String message) {
    super(message);
  }
}
