package dev.cluws.core.spi;

/**
 * The one unchecked exception family of clu-ws. SPI implementations translate their transport's
 * checked exceptions into it at the module edge.
 */
public class CluWsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CluWsException(String message) {
    super(message);
  }

  public CluWsException(String message, Throwable cause) {
    super(message, cause);
  }
}
