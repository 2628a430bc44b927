package dev.cluws.core;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ReplyHistory} in memory, for unit tests of the core: the replies the test appends, read
 * at once on the caller's thread, or held until the test lets them go ({@link #holdReads}). Like
 * the stream, a read pauses while its visitor is not {@link Visitor#ready ready}; the test lets it
 * go on with {@link #releaseReads}.
 */
final class InMemoryHistory implements ReplyHistory {
  private final List<Reply> replies = new CopyOnWriteArrayList<>();
  private final List<Runnable> heldReads = new CopyOnWriteArrayList<>();
  private volatile boolean hold;
  private volatile Instant keptSince;
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicInteger failing = new AtomicInteger();
  private final AtomicInteger reads = new AtomicInteger();
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

  /** The next {@code count} reads fail at once, as reads of a history whose broker is away. */
  void failReads(int count) {
    failing.set(count);
  }

  /** Reads begun (failed ones too). */
  int reads() {
    return reads.get();
  }

  /** How often a read paused because its visitor was not ready. */
  int pauses() {
    return pauses.get();
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
    reads.incrementAndGet();
    if (failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return CompletableFuture.failedFuture(new IllegalStateException("the broker is away"));
    }
    CompletableFuture<Read> result = new CompletableFuture<>();
    List<Reply> snapshot = List.copyOf(replies); // what the history held when the read began
    Runnable read =
        new Runnable() {
          private int next;
          private long count;

          @Override
          public void run() {
            while (next < snapshot.size()) {
              Reply reply = snapshot.get(next);
              if (reply.timestamp() != null && reply.timestamp().isBefore(from)) {
                next++;
                continue;
              }
              if (!visitor.ready()) {
                pauses.incrementAndGet();
                heldReads.add(this);
                return;
              }
              next++;
              count++;
              if (!visitor.accept(reply)) {
                result.complete(new Read(count, true, keptSince));
                return;
              }
            }
            result.complete(new Read(count, false, keptSince));
          }
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
