package dev.cluws.core.client;

import java.util.concurrent.Executor;

/**
 * Where the outboxes start their writes (their send executor): sender threads, except for a reply
 * that arrives while the gateway is idle, whose first frames the fanning-out thread writes itself.
 *
 * <p>Below saturation a reply finds its clients' outboxes idle, and handing each frame to a sender
 * thread costs a thread wake-up per frame: on a busy machine the woken thread may wait for a core,
 * which is what a client's tail latency is made of. So when a fan-out starts more than {@code
 * quietNanos} after the previous one ended (the delivery thread had nothing to do in between), the
 * first {@code directPerReply} outboxes that start sending during it write on the fanning-out
 * thread ({@link Outbox} writes without blocking: the transport's send returns at once, and a write
 * the socket cannot take at once completes later on the transport's thread). Under a flood,
 * fan-outs follow each other without a pause, and every write goes to the sender threads, where
 * frames that queue up meanwhile leave in batches; a reply with many clients hands all but the
 * first {@code directPerReply} to them, so one fan-out never makes hundreds of system calls on the
 * delivery thread.
 *
 * <p>{@link #fanOutStarts()} and {@link #fanOutEnds()} are called by the hub around each fan-out,
 * under its lock, so on one thread at a time; only that thread, between the two, ever runs a task
 * itself. Tasks submitted on other threads (a join's replay, answers to control frames, upkeep) go
 * to the sender threads, as does a task submitted from within a task run here. (A write that
 * completes later goes on draining its outbox on the thread that completed it, as before.)
 */
public final class FanOutSenders implements Executor {
  /** The pause after a fan-out beyond which the next one counts as below saturation. */
  public static final long DEFAULT_QUIET_NANOS = 200_000L;

  /** How many clients of a reply that follows a pause are written to on the delivery thread. */
  public static final int DEFAULT_DIRECT_PER_REPLY = 16;

  private final Executor pool;
  private final int directPerReply;
  private final long quietNanos;

  /** The thread fanning out a reply that may write directly, or {@code null}. */
  private volatile Thread fanningOut;

  // Confined to the fanning-out thread (written and read between the hub's start and end calls,
  // under the hub's lock).
  private int budget;
  private boolean running;
  private long lastEndNanos;
  private boolean ended;

  /** Writes on {@code pool}, with the default pause and number of direct writes per reply. */
  public FanOutSenders(Executor pool) {
    this(pool, DEFAULT_DIRECT_PER_REPLY, DEFAULT_QUIET_NANOS);
  }

  /**
   * @param pool the sender threads
   * @param directPerReply how many outboxes of one fan-out may write on the fanning-out thread (0:
   *     none, every write on {@code pool})
   * @param quietNanos the pause since the previous fan-out from which a fan-out may write directly
   */
  public FanOutSenders(Executor pool, int directPerReply, long quietNanos) {
    if (directPerReply < 0 || quietNanos < 0) {
      throw new IllegalArgumentException("direct writes and pause must not be negative");
    }
    this.pool = pool;
    this.directPerReply = directPerReply;
    this.quietNanos = quietNanos;
  }

  /**
   * A fan-out starts on this thread: it may write directly if the previous one ended a while ago.
   */
  public void fanOutStarts() {
    if (directPerReply == 0) {
      return;
    }
    if (!ended || System.nanoTime() - lastEndNanos >= quietNanos) {
      budget = directPerReply;
      fanningOut = Thread.currentThread();
    } else {
      budget = 0;
    }
  }

  /** The fan-out that {@link #fanOutStarts()} announced is over. */
  public void fanOutEnds() {
    if (directPerReply == 0) {
      return;
    }
    fanningOut = null;
    budget = 0;
    lastEndNanos = System.nanoTime();
    ended = true;
  }

  @Override
  public void execute(Runnable task) {
    if (fanningOut == Thread.currentThread() && budget > 0 && !running) {
      budget--;
      running = true;
      try {
        task.run();
      } finally {
        running = false;
      }
      return;
    }
    pool.execute(task);
  }
}
