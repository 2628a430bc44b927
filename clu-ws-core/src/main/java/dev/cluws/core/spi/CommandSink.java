package dev.cluws.core.spi;

import java.util.concurrent.CompletionStage;

/** Where commands go (for clu-ws: the RabbitMQ exchange). The command path ends here. */
public interface CommandSink extends AutoCloseable {

  /**
   * Connects. Returns once commands can be sent.
   *
   * @throws BrokerUnavailableException when the broker cannot be reached
   */
  void start();

  /**
   * Publishes a command without blocking the caller. The stage completes when the broker has
   * confirmed (or returned) it, or exceptionally with a {@link CluWsException} when it could not be
   * published.
   */
  CompletionStage<CommandOutcome> send(Command command);

  /**
   * Whether a command sent now can be published: the sink is started and its connection is up (not
   * lost, not still being recovered). Cheap, thread-safe, never blocks. The message source and the
   * sink may use separate connections that recover at slightly different moments, so the gateway
   * reads both before it says it can take commands. The default, for sinks that cannot tell, is
   * {@code true}.
   */
  default boolean isConnected() {
    return true;
  }

  /** Releases the connection. Idempotent. */
  @Override
  void close();
}
