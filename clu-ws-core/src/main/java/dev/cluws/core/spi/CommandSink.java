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
   * confirmed (or returned) it, or exceptionally with a {@link CluWsException} when it could not
   * be published.
   */
  CompletionStage<CommandOutcome> send(Command command);

  /** Releases the connection. Idempotent. */
  @Override
  void close();
}
