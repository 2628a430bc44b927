package dev.cluws.core;

import dev.cluws.core.spi.CluWsException;

/** The gateway serves its maximum number of clients and refuses another (HTTP 503). */
public final class GatewayBusyException extends CluWsException {
  private static final long serialVersionUID = 1L;

  public GatewayBusyException(String message) {
    super(message);
  }
}
