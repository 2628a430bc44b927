package dev.cluws.core;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ReplyHistory} in memory, for unit tests of the core: the replies the test appends, read
 * at once on the caller's thread, or held until the test lets them go ({@link #holdReads}).
 */
final class InMemoryHistory implements ReplyHistory {
  private final List<Reply> replies = new CopyOnWriteArrayList<>();
  private final List<Runnable> heldReads = new CopyOnWriteArrayList<>();
  private volatile boolean hold;
  private volatile Instant keptSince;
  volatile boolean started;
  volatile boolean closed;

  void append(Reply reply) {
    replies.add(reply);
  }

  /** From now on, reads wait for {@link #releaseReads}. */
  void holdReads() {
    hold = true;
  }

  void releaseReads() {
    hold = false;
    List<Runnable> reads = new ArrayList<>(heldReads);
    heldReads.clear();
    reads.forEach(Runnable::run);
  }

  /** Reads say that the history keeps replies only since {@code since} (retention). */
  void keptSince(Instant since) {
    keptSince = since;
  }

  @Override
  public String name() {
    return "test-history";
  }

  @Override
  public void start() {
    started = true;
  }

  @Override
  public CompletionStage<Read> read(Instant from, Visitor visitor) {
    CompletableFuture<Read> result = new CompletableFuture<>();
    List<Reply> snapshot = List.copyOf(replies); // what the history held when the read began
    Runnable read =
        () -> {
          long count = 0;
          for (Reply reply : snapshot) {
            if (reply.timestamp() != null && reply.timestamp().isBefore(from)) {
              continue;
            }
            count++;
            if (!visitor.accept(reply)) {
              result.complete(new Read(count, true, keptSince));
              return;
            }
          }
          result.complete(new Read(count, false, keptSince));
        };
    if (hold) {
      heldReads.add(read);
    } else {
      read.run();
    }
    return result;
  }

  @Override
  public void close() {
    closed = true;
  }
}
