package dev.cluws.core.client;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.codec.EncodedFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's queue of frames, with one send in flight. The slow-client policy lives here and
 * nowhere else.
 *
 * <p>{@link #offer} never blocks: the hub calls it on the delivery thread for every client. The
 * queue has a bound in frames and in bytes, and what happens beyond it depends on the client's
 * {@link Policy}:
 *
 * <ul>
 *   <li>{@link Policy#COMPLETE} (the default): nothing is ever dropped. A frame that does not fit
 *       is queued anyway, and the outbox is <em>over its bound</em> until its queue is back within
 *       the bounds: it tells its {@link Pressure} listener (the hub), which stops taking replies
 *       from the broker while any outbox is over (flow control: the broker's queue is the buffer,
 *       and live frames beyond the bound are limited by the broker's prefetch window). Its owner
 *       closes a client that stays over its bound past the slow-client timeout ({@link
 *       #overForNanos}) with {@link #TOO_SLOW} and its {@linkplain #tooSlowReason() resume point}.
 *       A frame larger than the byte bound is queued and sent like any other; it never costs
 *       another frame.
 *   <li>{@link Policy#LATEST} (a client's explicit choice, {@code ?policy=latest}): the oldest
 *       <em>sheddable</em> frames are dropped until the newcomer fits (a sheddable newcomer that
 *       still does not fit, because only protected frames are queued, is dropped itself), and the
 *       client is told how many it missed by a notice frame, at most one per second ({@link
 *       #maintain}). Such an outbox never holds the hub back.
 * </ul>
 *
 * <p>A frame offered as {@code protect = true} (a reply that ends one of this client's own
 * commands, or a frame the gateway addressed to this client) is never shed. Protected frames are
 * the client's own doing (its commands, control frames, bad frames): a client that makes the
 * gateway queue more of them than <em>twice</em> the bounds (plus room for one snapshot, see {@link
 * #withHeadroom}) without reading them is closed at once with {@link #TOO_SLOW}: the hard bound
 * that keeps even answers to a client's own actions from growing without limit.
 *
 * <p>So the frames queued for one client are bounded by: the bounds; plus, while over them, what
 * the broker's prefetch window still delivers to the hub, a replay ({@code since=}, bounded by the
 * replay ring) and a snapshot (bounded by the state store); plus protected frames up to the hard
 * bound.
 *
 * <p>While a client joins (its replay or snapshot is filtered and encoded outside the hub's lock),
 * the outbox is {@linkplain #hold held}: live frames wait in a pending list behind the replay and
 * snapshot frames ({@link #offerAhead}) until {@link #release}. The pending list counts against the
 * bounds like the queue, so a join that takes long puts the outbox over its bound (flow control
 * holds the broker's replies back) and, past the slow-client timeout, closes the client like any
 * slow one; closing drops it.
 *
 * <p>Every frame dropped for {@code latest} is counted ({@link #shedCount()}, {@code
 * GatewayStats.framesShed} and {@code framesShedOldest}/{@code framesShedNewest}); frames queued
 * beyond the bound in {@code framesOverBound}. The queue drains as the transport completes each
 * send, on whichever thread completes it.
 *
 * <p>Each completed write counts in {@code GatewayStats.framesOut} and {@code bytesOut}; for a
 * reply frame (one with a {@link EncodedFrame#sequence() sequence}) encoded after this outbox was
 * made, the time from its encoding to the completed write goes to {@code
 * GatewayStats.deliveryLatency}.
 */
public final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  /** Writes on the thread that offers (or completes) a frame: for tests and single-thread use. */
  public static final Executor DIRECT = Runnable::run;

  /**
   * Close code for a client that cannot keep up: its outbox stayed over its bound past the
   * slow-client timeout, or it let the answers to its own frames pile up beyond the hard bound. The
   * reason carries its resume point, see {@link #tooSlowReason()}.
   */
  public static final int TOO_SLOW = 4001;

  /** The longest close reason a websocket close frame carries, in UTF-8 bytes. */
  static final int MAX_REASON_BYTES = 123;

  /** At most one missed-frames notice per this many nanoseconds. */
  static final long NOTICE_INTERVAL_NANOS = 1_000_000_000L;

  /**
   * How many frames one outbox writes before it lets other clients' writes use the sender thread
   * (with a pool executor); also the most frames batched into one write.
   */
  static final int FRAMES_PER_TURN = 64;

  /** The queue's first capacity: one frame in flight with a couple behind it needs no more. */
  private static final int INITIAL_QUEUE_CAPACITY = 3;

  /** What an outbox does with frames beyond its bound. */
  public enum Policy {
    /** Keep every frame; hold the hub back; close the client if it stays behind too long. */
    COMPLETE,
    /** Drop the oldest sheddable frames and tell the client how many it missed. */
    LATEST;

    /** The policy named by a {@code policy=} parameter, or {@code null} for an unknown name. */
    public static Policy named(String name) {
      return switch (name) {
        case "complete" -> COMPLETE;
        case "latest" -> LATEST;
        default -> null;
      };
    }
  }

  /** Told when an outbox goes over its bound and when it is back under (or closed). */
  public interface Pressure {
    /** Nobody listens. */
    Pressure NONE =
        new Pressure() {
          @Override
          public void over() {}

          @Override
          public void under() {}
        };

    /** The outbox went over its bound. Called under the outbox's lock: never block. */
    void over();

    /** The outbox is back within its bound, or closed. Called under its lock: never block. */
    void under();
  }

  /**
   * What a {@code latest} client missed since its last notice.
   *
   * @param count frames dropped
   * @param sinceSeq the number of the last reply before the first one dropped (what {@code since=}
   *     would resume from)
   */
  public record Missed(long count, long sinceSeq) {}

  private final ClientTransport transport;
  private final int maxFrames;
  private final long maxBytes;
  private final GatewayStats stats;
  private final Object lock = new Object();

  /**
   * Queued frames: an {@link EncodedFrame} (sheddable) or a {@link Protected} wrapper. Starts with
   * room for a few frames (an idle client's outbox stays small) and grows with the backlog.
   */
  private final ArrayDeque<Object> queue = new ArrayDeque<>(INITIAL_QUEUE_CAPACITY);

  /**
   * Live frames offered while a replay or snapshot is being queued ahead of them ({@link #hold}),
   * in the order offered, or {@code null} when the outbox is not held. Counted in the bounds
   * (frames, bytes, protected frames) like the queue.
   */
  private ArrayDeque<Object> held;

  private final LongAdder shed = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Runnable onSendFailure;
  private final Executor sendExecutor;

  /** Frames encoded before this are replays: they take no part in the delivery latency. */
  private final long createdNanos = System.nanoTime();

  private Policy policy = Policy.COMPLETE;
  private Pressure pressure = Pressure.NONE;
  private Function<Missed, EncodedFrame> missedNotice;
  private long queuedBytes;

  /** Frames (and bytes) the client asked for at once, allowed on top of the bound until sent. */
  private long backlogFrames;

  private long backlogBytes;
  private int protectedQueued;
  private long protectedBytes;

  /** Beyond these, protected frames are not queued: the client is closed. */
  private long hardMaxFrames;

  private long hardMaxBytes;
  private long overSinceNanos;
  private boolean over;
  private boolean inFlight;
  private boolean closed;

  /** The last reply handed to the transport: the client's resume point. */
  private long lastSeq;

  private String lastMessageId;

  /** Dropped since the last notice ({@code latest}), and where the first one was. */
  private long missed;

  private long missedSinceSeq;
  private long lastNoticeNanos = System.nanoTime() - NOTICE_INTERVAL_NANOS;

  /** A queued frame that must not be shed. */
  private record Protected(EncodedFrame frame) {}

  public Outbox(ClientTransport transport, int maxFrames, long maxBytes, GatewayStats stats) {
    this(transport, maxFrames, maxBytes, stats, () -> {}, DIRECT);
  }

  /**
   * An outbox that runs {@code onSendFailure} once when a send fails (the websocket is gone) or
   * when it closes the client itself, so its owner can forget the client even if the transport
   * never reports the close.
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
   * Raises the hard bound for protected frames (default: twice the bounds) by some frames and
   * bytes, e.g. room for one whole current-state snapshot, which a client receives at once when it
   * connects. Call before the first {@link #offer}.
   */
  public Outbox withHeadroom(long frames, long bytes) {
    synchronized (lock) {
      hardMaxFrames = 2L * maxFrames + frames;
      hardMaxBytes = 2 * maxBytes + bytes;
    }
    return this;
  }

  /** Keeps every frame (the default) and reports going over the bound to {@code listener}. */
  public Outbox withPressure(Pressure listener) {
    synchronized (lock) {
      pressure = listener;
    }
    return this;
  }

  /**
   * Sheds the oldest frames beyond the bound instead of keeping them ({@link Policy#LATEST}); the
   * client is told what it missed with the frame {@code notice} makes. Call before the first {@link
   * #offer}.
   */
  public Outbox sheddingOldest(Function<Missed, EncodedFrame> notice) {
    synchronized (lock) {
      policy = Policy.LATEST;
      missedNotice = notice;
    }
    return this;
  }

  /** What this outbox does beyond its bound. */
  public Policy policy() {
    synchronized (lock) {
      return policy;
    }
  }

  /**
   * Holds live frames back: from now until {@link #release}, frames offered with {@link #offer}
   * wait in a pending list (counted against the bounds like queued frames, so flow control and the
   * slow-client timeout bound it as they bound the queue) while {@link #offerAhead} queues the
   * frames of a replay or snapshot ahead of them. Used by a join: the hub holds the outbox under
   * its lock, then filters and encodes outside it. No-op when closed or already held.
   */
  public void hold() {
    synchronized (lock) {
      if (!closed && held == null) {
        held = new ArrayDeque<>();
      }
    }
  }

  /**
   * Ends {@link #hold}: the pending live frames follow what was queued ahead of them, in the order
   * they were offered, and later frames are queued as usual. Atomic with respect to {@link #offer}.
   * No-op when not held (or closed, which drops the pending frames).
   */
  public void release() {
    boolean start = false;
    synchronized (lock) {
      if (held == null) {
        return;
      }
      queue.addAll(held);
      held = null;
      if (!closed && !queue.isEmpty() && !inFlight) {
        inFlight = true;
        start = true;
      }
    }
    if (start) {
      startDrain();
    }
  }

  /** Whether live frames are being held back ({@link #hold}). */
  public boolean isHeld() {
    synchronized (lock) {
      return held != null;
    }
  }

  /**
   * Queues a frame of a replay or snapshot the client asked for: ahead of live frames held back
   * ({@link #hold}), and excused from the bound until sent, so a client that reads its replay at
   * its own pace neither holds the hub back nor counts as slow for it. The replay ring and the
   * state store bound such frames.
   */
  public boolean offerAhead(EncodedFrame frame, boolean protect) {
    return offer(frame, protect, true);
  }

  /** Queues a sheddable frame; see {@link #offer(EncodedFrame, boolean)}. */
  public boolean offer(EncodedFrame frame) {
    return offer(frame, false);
  }

  /**
   * Queues a frame for sending; returns {@code false} when the outbox is closed, or (policy {@code
   * latest}) when the frame itself was shed.
   */
  public boolean offer(EncodedFrame frame, boolean protect) {
    return offer(frame, protect, false);
  }

  private boolean offer(EncodedFrame frame, boolean protect, boolean ahead) {
    boolean overflowed = false;
    synchronized (lock) {
      if (closed) {
        return false;
      }
      if (protect
          && (protectedQueued + 1L > hardMaxFrames
              || protectedBytes + frame.size() > hardMaxBytes)) {
        // Past the hard bound: the client does not read what it asks for. Close it (once).
        closeLocked();
        overflowed = true;
      } else {
        if (policy == Policy.LATEST) {
          while (count() > 0 && !fits(frame) && shedOldestSheddable()) {
            // shed until it fits
          }
          if (count() > 0 && !fits(frame) && !protect) {
            miss(frame);
            stats.framesShedNewest.increment();
            return false;
          }
        }
        if (count() > 0 && !fits(frame)) {
          stats.framesOverBound.increment();
        }
        Object entry = protect ? new Protected(frame) : frame;
        boolean pending = held != null && !ahead;
        if (pending) {
          held.addLast(entry);
        } else {
          queue.addLast(entry);
        }
        queuedBytes += frame.size();
        if (ahead) {
          backlogFrames++;
          backlogBytes += frame.size();
        }
        if (protect) {
          protectedQueued++;
          protectedBytes += frame.size();
        }
        if (policy == Policy.COMPLETE && !over && overBound()) {
          over = true;
          overSinceNanos = System.nanoTime();
          pressure.over();
        }
        if (inFlight || pending) {
          return true;
        }
        inFlight = true;
      }
    }
    if (overflowed) {
      closeTooSlow(
          "client at {} does not read the answers to its own frames (over twice its outbox bounds"
              + " queued); closing it");
      return false;
    }
    startDrain();
    return true;
  }

  private void startDrain() {
    try {
      sendExecutor.execute(this::drain);
    } catch (RejectedExecutionException e) {
      drain(); // the executor is shutting down: send from here
    }
  }

  /** Frames queued and held back. Under the lock. */
  private int count() {
    return queue.size() + (held == null ? 0 : held.size());
  }

  /** Closes the client with {@link #TOO_SLOW} and its resume point, and tells the owner. */
  private void closeTooSlow(String message) {
    stats.slowClientsClosed.increment();
    log.warn(message, transport.remoteAddress());
    try {
      // The close frame says why to a client that still reads a little; one that reads nothing
      // would never take it, and may keep sending: drop the connection as well.
      transport.close(TOO_SLOW, tooSlowReason());
      transport.abort();
    } catch (RuntimeException e) {
      log.debug("closing an overflowing client failed", e);
    }
    onSendFailure.run();
  }

  private boolean fits(EncodedFrame frame) {
    return count() < maxFrames && queuedBytes + frame.size() <= maxBytes;
  }

  private boolean overBound() {
    return count() > maxFrames + backlogFrames || queuedBytes > maxBytes + backlogBytes;
  }

  private boolean shedOldestSheddable() {
    if (protectedQueued == count()) {
      return false;
    }
    return shedOldestSheddable(queue) || (held != null && shedOldestSheddable(held));
  }

  private boolean shedOldestSheddable(ArrayDeque<Object> frames) {
    Iterator<Object> it = frames.iterator();
    while (it.hasNext()) {
      Object entry = it.next();
      if (entry instanceof EncodedFrame) {
        it.remove();
        EncodedFrame frame = (EncodedFrame) entry;
        queuedBytes -= frame.size();
        miss(frame);
        stats.framesShedOldest.increment();
        return true;
      }
    }
    return false;
  }

  private void miss(EncodedFrame frame) {
    shed.increment();
    stats.framesShed.increment();
    if (missed == 0) {
      missedSinceSeq = frame.sequence() > 0 ? frame.sequence() - 1 : lastSeq;
    } else if (frame.sequence() > 0) {
      missedSinceSeq = Math.min(missedSinceSeq, frame.sequence() - 1);
    }
    missed++;
    if (System.nanoTime() - lastNoticeNanos >= NOTICE_INTERVAL_NANOS) {
      queueMissedNotice();
    }
  }

  /** Queues the notice of what was missed (protected: it is never shed itself). Under the lock. */
  private void queueMissedNotice() {
    if (missed == 0 || missedNotice == null) {
      return;
    }
    EncodedFrame notice = missedNotice.apply(new Missed(missed, missedSinceSeq));
    missed = 0;
    lastNoticeNanos = System.nanoTime();
    queue.addLast(new Protected(notice));
    queuedBytes += notice.size();
    protectedQueued++;
    protectedBytes += notice.size();
  }

  /**
   * Periodic upkeep (about once a second): tells a {@code latest} client what it missed since its
   * last notice, when nothing else did within the last second.
   */
  public void maintain(long nowNanos) {
    boolean start = false;
    synchronized (lock) {
      if (closed || missed == 0 || nowNanos - lastNoticeNanos < NOTICE_INTERVAL_NANOS) {
        return;
      }
      queueMissedNotice();
      if (!inFlight) {
        inFlight = true;
        start = true;
      }
    }
    if (start) {
      try {
        sendExecutor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        drain();
      }
    }
  }

  /**
   * How long this outbox has been over its bound without a break (from the frame that took it over
   * until its queue is back within the bounds), or 0 when it is not. Always 0 for {@code latest}.
   */
  public long overForNanos(long nowNanos) {
    synchronized (lock) {
      return over ? Math.max(1, nowNanos - overSinceNanos) : 0;
    }
  }

  /** Whether the outbox is over its bound now (and so holds the hub back). */
  public boolean isOver() {
    synchronized (lock) {
      return over;
    }
  }

  /**
   * The close reason for {@link #TOO_SLOW}: {@code too slow; seq=<n>; message_id=<id>}, where
   * {@code n} is the number of the last reply handed to this client (0 for none) and {@code id} its
   * {@code message_id} ({@code -} when it has none, none was sent, or the reason would not fit in a
   * close frame). A client resumes with {@code since=<id>} (any gateway) or {@code since=<n>} (this
   * gateway instance).
   */
  public String tooSlowReason() {
    long seq;
    String id;
    synchronized (lock) {
      seq = lastSeq;
      id = lastMessageId;
    }
    String reason = "too slow; seq=" + seq + "; message_id=" + (id == null ? "-" : id);
    if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
      reason = "too slow; seq=" + seq + "; message_id=-";
    }
    return reason;
  }

  /** The number of the last reply handed to the transport (0 for none). */
  public long lastSequenceSent() {
    synchronized (lock) {
      return lastSeq;
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
      return count() == 0 && !inFlight;
    }
  }

  /** Frames waiting behind the one in flight (including live frames held back). */
  public int queued() {
    synchronized (lock) {
      return count();
    }
  }

  /** Bytes waiting behind the frame in flight. */
  public long queuedBytes() {
    synchronized (lock) {
      return queuedBytes;
    }
  }

  /** Frames dropped ({@code latest} only). */
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
      closeLocked();
    }
  }

  private void closeLocked() {
    if (over) {
      over = false;
      pressure.under();
    }
    closed = true;
    queue.clear();
    held = null;
    queuedBytes = 0;
    backlogFrames = 0;
    backlogBytes = 0;
    protectedQueued = 0;
    protectedBytes = 0;
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
          if (over && !overBound()) {
            over = false;
            pressure.under();
          }
          return;
        }
        if (entry instanceof Protected) {
          protectedQueued--;
          next = ((Protected) entry).frame();
          protectedBytes -= next.size();
        } else {
          next = (EncodedFrame) entry;
        }
        queuedBytes -= next.size();
        if (backlogFrames > 0) {
          backlogFrames--;
          backlogBytes = Math.max(0, backlogBytes - next.size());
        }
        if (over && !overBound()) {
          over = false;
          pressure.under();
        }
        if (next.sequence() > 0) {
          lastSeq = next.sequence();
          lastMessageId = next.messageId();
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
