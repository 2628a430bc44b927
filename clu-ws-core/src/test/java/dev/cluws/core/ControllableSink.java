package dev.cluws.core;

import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.CommandSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CommandSink} that records commands and answers each with a future the test completes.
 * Records its lifecycle in a shared log.
 */
public final class ControllableSink implements CommandSink {
  private final List<String> events;
  private final List<Command> commands = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<CommandOutcome>> futures = new CopyOnWriteArrayList<>();
  private final AtomicInteger closes = new AtomicInteger();
  private volatile RuntimeException startFailure;
  private volatile RuntimeException sendFailure;

  public ControllableSink(List<String> events) {
    this.events = events;
  }

  /** Makes {@link #start} throw this. */
  void failStartWith(RuntimeException failure) {
    startFailure = failure;
  }

  /** Makes {@link #send} throw this instead of returning a stage. */
  void throwOnSend(RuntimeException failure) {
    sendFailure = failure;
  }

  @Override
  public void start() {
    events.add("sink.start");
    if (startFailure != null) {
      throw startFailure;
    }
  }

  @Override
  public CompletionStage<CommandOutcome> send(Command command) {
    commands.add(command);
    if (sendFailure != null) {
      throw sendFailure;
    }
    CompletableFuture<CommandOutcome> future = new CompletableFuture<>();
    futures.add(future);
    return future;
  }

  /** The commands sent, in order. */
  List<Command> commands() {
    return commands;
  }

  /** The future answering the most recent command. */
  CompletableFuture<CommandOutcome> lastFuture() {
    if (futures.isEmpty()) {
      throw new AssertionError("no command was sent");
    }
    return futures.get(futures.size() - 1);
  }

  @Override
  public void close() {
    events.add("sink.close");
    closes.incrementAndGet();
  }

  boolean isClosed() {
    return closes.get() > 0;
  }
}
