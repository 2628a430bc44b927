package dev.cluws.core.spi;

/** A provider could not be found, is ambiguous, or failed to create its component. */
public class ProviderException extends CluWsException {
  private static final long serialVersionUID = 1L;

  public ProviderException(String message) {
    super(message);
  }

  public ProviderException(String message, Throwable cause) {
    super(message, cause);
  }
}
