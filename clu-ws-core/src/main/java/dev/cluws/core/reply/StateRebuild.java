package dev.cluws.core.reply;

import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rebuilds the hub's current state from a shared history when the gateway starts, so that {@code
 * snapshot=true} right after a restart shows the state from before it.
 *
 * <p>The history is read from its oldest reply up to what it held when the read began, into a store
 * of its own (the hub keeps taking live replies meanwhile, into its own store), which is then put
 * <em>under</em> the live state in one step under the hub's lock ({@link Hub#restoreState}): a
 * keyword that a live reply set while the history was read keeps its live value, so the state never
 * rolls back to an older value read from the history.
 */
public final class StateRebuild {
  private final Hub hub;
  private final ReplyHistory history;
  private final AtomicLong read = new AtomicLong();
  private volatile boolean done;

  public StateRebuild(Hub hub, ReplyHistory history) {
    this.hub = hub;
    this.history = history;
  }

  /**
   * Starts the rebuild; the stage completes with the number of replies read once the rebuilt state
   * is in the hub, or fails as the read failed (the hub's state is then left as it is).
   */
  public CompletionStage<Long> start() {
    StateStore rebuilt = hub.emptyState();
    // One reader thread at a time (the history's), and the stage's completion publishes the
    // store to the thread that restores it.
    return history
        .read(
            Instant.EPOCH,
            reply -> {
              rebuilt.update(reply.withOrigin(Origin.ACTOR), Instant::now);
              read.incrementAndGet();
              return true;
            })
        .thenApply(
            outcome -> {
              hub.restoreState(rebuilt);
              done = true;
              return outcome.replies();
            });
  }

  /** Replies read so far. */
  public long repliesRead() {
    return read.get();
  }

  /** Whether the rebuilt state is in the hub. */
  public boolean done() {
    return done;
  }
}
