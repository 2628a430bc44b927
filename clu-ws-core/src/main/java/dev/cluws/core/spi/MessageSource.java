package dev.cluws.core.spi;

/**
 * Where replies come from (for clu-ws: the RabbitMQ exchange). The reply path starts here.
 *
 * <p>A source validates what it receives the way CLU does and hands only valid replies to the
 * listener; it logs and counts the invalid ones and never lets one stall the flow. A source that
 * can leave replies with its broker follows the listener's {@linkplain ReplyListener#hasRoom()
 * room} (flow control), and tells it when replies may have been lost for good ({@link
 * ReplyListener#onRepliesLost}).
 */
public interface MessageSource extends AutoCloseable {

  /**
   * Connects and starts delivering replies to the listener. Returns once consuming has started.
   *
   * @throws BrokerUnavailableException when the broker cannot be reached
   */
  void start(ReplyListener listener);

  /** The current connection state. */
  SourceState state();

  /** Stops delivering and releases the connection. Idempotent. */
  @Override
  void close();
}
