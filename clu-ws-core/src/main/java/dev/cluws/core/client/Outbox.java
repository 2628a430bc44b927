package dev.cluws.core.client;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.codec.EncodedFrame;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's bounded queue of frames, with one send in flight. The slow-client policy lives here
 * and nowhere else.
 *
 * <p>{@link #offer} never blocks: the hub calls it on the delivery thread for every client. The
 * queue is bounded in frames and in bytes. When a frame does not fit:
 *
 * <ol>
 *   <li>the oldest <em>sheddable</em> queued frames are dropped until it fits; a frame offered as
 *       {@code protect = true} (a reply that ends one of this client's own commands, or a frame
 *       the gateway addressed to this client) is never shed;
 *   <li>if only protected frames are queued, a sheddable newcomer is dropped itself, and a
 *       protected newcomer is queued beyond the bound (protected frames are few: they are bounded
 *       by the client's tracked commands and its command rate);
 *   <li>a client that makes the gateway queue protected frames beyond <em>twice</em> the bounds
 *       (plus room for one snapshot, see {@link #withHeadroom}) — one that sends bad frames,
 *       control frames or commands without reading the answers — is closed at once with {@link
 *       ClientConnection#TOO_SLOW} ({@code 1008}): the hard bound that keeps even answers to a
 *       client's own actions from growing without limit;
 *   <li>every dropped frame is counted ({@link #shedCount()}, {@code GatewayStats.framesShed}, and
 *       by policy in {@code framesShedOldest} and {@code framesShedNewest}; protected frames
 *       queued beyond the bound in {@code framesOverBound}).
 * </ol>
 *
 * The outbox counts as <em>full</em> from the first shed until its queue falls to half its
 * bounds; {@link #fullForNanos(long)} tells its owner how long, so that a client that stays full
 * past a deadline can be closed. The queue drains as the transport completes each send, on
 * whichever thread completes it.
 *
 * <p>Each completed write counts in {@code GatewayStats.framesOut} and {@code bytesOut}; for a
 * reply frame (one with a {@link EncodedFrame#sequence() sequence}) encoded after this outbox was
 * made, the time from its encoding to the completed write goes to {@code
 * GatewayStats.deliveryLatency}. Frames replayed from before the client connected were encoded before its outbox
 * (except replies that no client took unchanged when they arrived: the replay ring encodes those
 * when they are replayed, and their short encoding-to-write time is counted), and
 * frames the gateway made for this client alone (errors, acknowledgements, snapshots) carry no
 * sequence, so neither is reported.
 */
public final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  /** Writes on the thread that offers (or completes) a frame: for tests and single-thread use. */
  public static final Executor DIRECT = Runnable::run;

  /**
   * How many frames one outbox writes before it lets other clients' writes use the sender thread
   * (with a pool executor); also the most frames batched into one write.
   */
  static final int FRAMES_PER_TURN = 64;

  private final ClientTransport transport;
  private final int maxFrames;
  private final long maxBytes;
  private final GatewayStats stats;
  private final Object lock = new Object();
  /** Queued frames: an {@link EncodedFrame} (sheddable) or a {@link Protected} wrapper. */
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private final LongAdder shed = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Runnable onSendFailure;
  private final Executor sendExecutor;
  /** Frames encoded before this are replays: they take no part in the delivery latency. */
  private final long createdNanos = System.nanoTime();
  private long queuedBytes;
  private int protectedQueued;
  /** Beyond these, even protected frames are not queued: the client is closed. */
  private long hardMaxFrames;
  private long hardMaxBytes;
  private long fullSinceNanos;
  private boolean full;
  private boolean inFlight;
  private boolean closed;

  /** A queued frame that must not be shed. */
  private record Protected(EncodedFrame frame) {}

  public Outbox(ClientTransport transport, int maxFrames, long maxBytes, GatewayStats stats) {
    this(transport, maxFrames, maxBytes, stats, () -> {}, DIRECT);
  }

  /**
   * An outbox that runs {@code onSendFailure} once when a send fails (the websocket is gone), so
   * its owner can forget the client even if the transport never reports the close.
   */
  public Outbox(
      ClientTransport transport,
      int maxFrames,
      long maxBytes,
      GatewayStats stats,
      Runnable onSendFailure) {
    this(transport, maxFrames, maxBytes, stats, onSendFailure, DIRECT);
  }

  /**
   * An outbox whose sending starts on {@code sendExecutor}: {@link #offer} only queues, and the
   * transport's writes happen on the executor's threads, so one thread fanning out to many clients
   * never makes their system calls itself. While a client's writes lag, frames queue up and leave
   * in batches ({@link ClientTransport#send(EncodedFrame, boolean, ClientTransport.SendCallback)}).
   * At most one task per outbox is pending on the executor at any time.
   */
  public Outbox(
      ClientTransport transport,
      int maxFrames,
      long maxBytes,
      GatewayStats stats,
      Runnable onSendFailure,
      Executor sendExecutor) {
    if (maxFrames < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("outbox bounds must be positive");
    }
    this.transport = transport;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    this.stats = stats;
    this.onSendFailure = onSendFailure;
    this.sendExecutor = sendExecutor;
    this.hardMaxFrames = 2L * maxFrames;
    this.hardMaxBytes = 2 * maxBytes;
  }

  /**
   * Raises the hard bound for protected frames (default: twice the bounds) by some frames and bytes,
   * e.g. room for one whole current-state snapshot, which a client receives at once when it
   * connects. Call before the first {@link #offer}.
   */
  public Outbox withHeadroom(long frames, long bytes) {
    synchronized (lock) {
      hardMaxFrames = 2L * maxFrames + frames;
      hardMaxBytes = 2 * maxBytes + bytes;
    }
    return this;
  }

  /** Queues a sheddable frame; see {@link #offer(EncodedFrame, boolean)}. */
  public boolean offer(EncodedFrame frame) {
    return offer(frame, false);
  }

  /**
   * Queues a frame for sending, applying the shedding policy; returns {@code false} when the
   * outbox is closed or the frame itself was shed. A frame larger than the byte bound is still sent
   * when it is alone in the queue.
   */
  public boolean offer(EncodedFrame frame, boolean protect) {
    boolean overflowed = false;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      while (!queue.isEmpty() && !fits(frame)) {
        if (!shedOldestSheddable()) {
          break; // only protected frames are queued
        }
      }
      if (!queue.isEmpty() && !fits(frame)) {
        if (!protect) {
          countShed();
          stats.framesShedNewest.increment();
          return false;
        }
        if (queue.size() >= hardMaxFrames || queuedBytes + frame.size() > hardMaxBytes) {
          // Past the hard bound: the client does not read what it asks for. Close it (once).
          closed = true;
          queue.clear();
          queuedBytes = 0;
          protectedQueued = 0;
          overflowed = true;
        } else {
          stats.framesOverBound.increment();
        }
      }
      if (!overflowed) {
        queue.addLast(protect ? new Protected(frame) : frame);
        queuedBytes += frame.size();
        if (protect) {
          protectedQueued++;
        }
        if (inFlight) {
          return true;
        }
        inFlight = true;
      }
    }
    if (overflowed) {
      closeOverflowed();
      return false;
    }
    try {
      sendExecutor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      drain(); // the executor is shutting down: send from here
    }
    return true;
  }

  private void closeOverflowed() {
    stats.slowClientsClosed.increment();
    log.warn(
        "client at {} does not read the answers to its own frames (over twice its outbox bounds"
            + " queued); closing it",
        transport.remoteAddress());
    try {
      // The close frame says why to a client that still reads a little; one that reads nothing
      // would never take it, and may keep sending: drop the connection as well.
      transport.close(
          ClientConnection.TOO_SLOW, "client too slow: it does not read the answers to its frames");
      transport.abort();
    } catch (RuntimeException e) {
      log.debug("closing an overflowing client failed", e);
    }
    onSendFailure.run();
  }

  private boolean fits(EncodedFrame frame) {
    return queue.size() < maxFrames && queuedBytes + frame.size() <= maxBytes;
  }

  private boolean shedOldestSheddable() {
    if (protectedQueued == queue.size()) {
      return false;
    }
    Iterator<Object> it = queue.iterator();
    while (it.hasNext()) {
      Object entry = it.next();
      if (entry instanceof EncodedFrame) {
        it.remove();
        queuedBytes -= ((EncodedFrame) entry).size();
        countShed();
        stats.framesShedOldest.increment();
        return true;
      }
    }
    return false;
  }

  private void countShed() {
    shed.increment();
    stats.framesShed.increment();
    if (!full) {
      full = true;
      fullSinceNanos = System.nanoTime();
    }
  }

  /**
   * How long this outbox has been full (from its first shed until its queue falls to half its
   * bounds), or 0 when it is not.
   */
  public long fullForNanos(long nowNanos) {
    synchronized (lock) {
      return full ? Math.max(1, nowNanos - fullSinceNanos) : 0;
    }
  }

  /** Frames queued (behind the one in flight) that will not be shed. */
  public int protectedQueued() {
    synchronized (lock) {
      return protectedQueued;
    }
  }

  /** Whether nothing is queued or in flight. */
  public boolean isIdle() {
    synchronized (lock) {
      return queue.isEmpty() && !inFlight;
    }
  }

  /** Frames waiting behind the one in flight. */
  public int queued() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** Bytes waiting behind the frame in flight. */
  public long queuedBytes() {
    synchronized (lock) {
      return queuedBytes;
    }
  }

  /** Frames dropped because this outbox was full. */
  public long shedCount() {
    return shed.sum();
  }

  /** Frames written to the transport. */
  public long sentCount() {
    return sent.sum();
  }

  /** Drops everything queued and refuses further frames. Idempotent. */
  public void close() {
    synchronized (lock) {
      closed = true;
      queue.clear();
      queuedBytes = 0;
      protectedQueued = 0;
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void drain() {
    int sentThisTurn = 0;
    while (true) {
      EncodedFrame next;
      boolean more;
      synchronized (lock) {
        Object entry = closed ? null : queue.pollFirst();
        if (entry == null) {
          inFlight = false;
          full = false;
          return;
        }
        if (entry instanceof Protected) {
          protectedQueued--;
          next = ((Protected) entry).frame();
        } else {
          next = (EncodedFrame) entry;
        }
        queuedBytes -= next.size();
        if (full && queue.size() <= maxFrames / 2 && queuedBytes <= maxBytes / 2) {
          full = false;
        }
        // Batch while more is queued, but flush the last frame of a turn.
        more = !queue.isEmpty() && sentThisTurn + 1 < FRAMES_PER_TURN;
      }
      Send send = new Send(next);
      try {
        transport.send(next, more, send);
      } catch (RuntimeException e) {
        send.completed(e);
      }
      if (send.leaveToCallback()) {
        return;
      }
      // The send completed before transport.send returned: go on here instead of recursing,
      // unless this client has had its turn and other clients' writes wait for the same threads.
      if (++sentThisTurn >= FRAMES_PER_TURN && sendExecutor != DIRECT && nextTurn()) {
        return;
      }
    }
  }

  /** Queues the rest of this outbox's writes behind the other clients'; false if it cannot. */
  private boolean nextTurn() {
    try {
      sendExecutor.execute(this::drain);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  /** Tracks one send; whoever comes second (the drain loop or the callback) continues draining. */
  private final class Send extends AtomicInteger implements ClientTransport.SendCallback {
    private static final long serialVersionUID = 1L;
    private static final int PENDING = 0;
    private static final int COMPLETED_INLINE = 1;
    private static final int LEFT_TO_CALLBACK = 2;

    private final EncodedFrame frame;

    Send(EncodedFrame frame) {
      this.frame = frame;
    }

    @Override
    public void completed(Throwable failure) {
      if (failure == null) {
        sent.increment();
        stats.framesOut.increment();
        stats.bytesOut.add(frame.size());
        GatewayStats.LatencyHistogram latency = stats.deliveryLatency;
        if (latency.enabled() && frame.sequence() > 0 && frame.createdNanos() - createdNanos > 0) {
          latency.record(System.nanoTime() - frame.createdNanos());
        }
      } else {
        log.debug("send to {} failed; closing its outbox", transport.remoteAddress(), failure);
        boolean first;
        synchronized (lock) {
          first = !closed;
        }
        close();
        if (first) {
          try {
            onSendFailure.run();
          } catch (RuntimeException e) {
            log.warn("outbox failure handler failed", e);
          }
        }
      }
      if (compareAndSet(PENDING, COMPLETED_INLINE)) {
        return;
      }
      drain();
    }

    boolean leaveToCallback() {
      return compareAndSet(PENDING, LEFT_TO_CALLBACK);
    }
  }
}
