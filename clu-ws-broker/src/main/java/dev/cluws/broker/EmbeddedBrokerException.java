package dev.cluws.broker;

/** The embedded broker could not start; the message says where and why, in one line. */
public final class EmbeddedBrokerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  EmbeddedBrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
