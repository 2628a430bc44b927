package dev.cluws.core;

import dev.cluws.core.spi.CommandSink;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.MessageCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides whether a command is published and what its client hears if not.
 * Today it hands every decoded command to the sink and answers a failed publish with an {@code f}
 * frame naming the command; permissions and rate limits belong here too.
 */
public final class CommandGate {
  private static final Logger log = LoggerFactory.getLogger(CommandGate.class);

  private final CommandSink sink;
  private final FrameCodec codec;
  private final GatewayStats stats;

  public CommandGate(CommandSink sink, FrameCodec codec, GatewayStats stats) {
    this.sink = sink;
    this.codec = codec;
    this.stats = stats;
  }

  /** Publishes the command without blocking; the outcome arrives later. */
  public CompletionStage<CommandOutcome> submit(ClientConnection client, Command command) {
    stats.commandsReceived.increment();
    CompletionStage<CommandOutcome> stage;
    try {
      stage = sink.send(command);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.whenComplete(
        (outcome, failure) -> {
          if (failure == null) {
            if (outcome == CommandOutcome.RETURNED) {
              stats.commandsReturned.increment();
              log.info(
                  "command {} from {} to unknown consumer '{}' was returned by the broker",
                  command.commandId(),
                  client.id(),
                  command.consumer());
            } else {
              stats.commandsPublished.increment();
            }
            return;
          }
          stats.commandsFailed.increment();
          String reason = reasonOf(failure);
          log.warn(
              "command {} from {} to '{}' was not sent: {}",
              command.commandId(),
              client.id(),
              command.consumer(),
              reason);
          client.send(
              codec.errorFrame(
                  MessageCode.FAILED,
                  command.commandId(),
                  "command to '" + command.consumer() + "' was not sent: " + reason));
        });
  }

  private static String reasonOf(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof CluWsException && cause.getMessage() != null) {
      return cause.getMessage();
    }
    return cause.getClass().getSimpleName()
        + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
