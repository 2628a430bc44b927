package dev.cluws.core.spi;

/** The message broker cannot be reached, or the connection to it is down. */
public class BrokerUnavailableException extends CluWsException {
  private static final long serialVersionUID = 1L;

  public BrokerUnavailableException(String message) {
    super(message);
  }

  public BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
