package dev.cluws.core.reply;

import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.ReplyHistory;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * Rebuilds the hub's current state from a shared history: in full when the gateway starts, so that
 * {@code snapshot=true} right after a restart shows the state from before it, and in part after the
 * source lost replies, so that the state does not keep values the lost replies had changed.
 *
 * <p>The history is read from a time up to what it held when the read began, into a store of its
 * own (the hub keeps taking live replies meanwhile, into its own store), which is then merged into
 * the live state in one step under the hub's lock: at start it goes <em>under</em> the live state
 * ({@link Hub#restoreState}), so a keyword that a live reply set while the history was read keeps
 * its live value; after a loss it replaces every value no reply received since the loss has set
 * ({@link Hub#repairState}). Either way the state never rolls back to an older value read from the
 * history.
 */
public final class StateRebuild {
  private final Hub hub;
  private final ReplyHistory history;
  private final Instant from;
  private final ToIntFunction<StateStore> merge;
  private final AtomicLong read = new AtomicLong();
  private volatile boolean done;
  private volatile int changed;

  private StateRebuild(
      Hub hub, ReplyHistory history, Instant from, ToIntFunction<StateStore> merge) {
    this.hub = hub;
    this.history = history;
    this.from = from;
    this.merge = merge;
  }

  /** The rebuild at start: the whole history, under the live state. */
  public StateRebuild(Hub hub, ReplyHistory history) {
    this(
        hub,
        history,
        Instant.EPOCH,
        rebuilt -> {
          hub.restoreState(rebuilt);
          return 0;
        });
  }

  /**
   * The repair after the source lost replies: the history from {@code from} (no later than the
   * oldest lost reply), over every keyword no reply numbered above {@code lastBefore} has set.
   */
  public static StateRebuild repair(Hub hub, ReplyHistory history, Instant from, long lastBefore) {
    return new StateRebuild(hub, history, from, rebuilt -> hub.repairState(rebuilt, lastBefore));
  }

  /**
   * Starts the read; the stage completes with the number of replies read once the state read is in
   * the hub, or fails as the read failed (the hub's state is then left as it is).
   */
  public CompletionStage<Long> start() {
    StateStore rebuilt = hub.emptyState();
    // One reader thread at a time (the history's), and the stage's completion publishes the
    // store to the thread that merges it.
    return history
        .read(
            from,
            reply -> {
              rebuilt.update(reply.withOrigin(Origin.ACTOR), Instant::now);
              read.incrementAndGet();
              return true;
            })
        .thenApply(
            outcome -> {
              changed = merge.applyAsInt(rebuilt);
              done = true;
              return outcome.replies();
            });
  }

  /** Replies read so far. */
  public long repliesRead() {
    return read.get();
  }

  /** Whether the state read is in the hub. */
  public boolean done() {
    return done;
  }

  /** Keywords a repair changed or added (once {@link #done()}; 0 for the rebuild at start). */
  public int keywordsChanged() {
    return changed;
  }
}
