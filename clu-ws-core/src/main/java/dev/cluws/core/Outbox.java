package dev.cluws.core;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's bounded queue of frames, with one send in flight.
 *
 * <p>{@link #offer} never blocks: the hub calls it on the delivery thread for every client. When
 * the queue is full (in frames or in bytes), the oldest queued frames are shed to make room and
 * counted. The queue drains as the transport completes each send, on whichever thread completes it.
 */
public final class Outbox {
  private static final Logger log = LoggerFactory.getLogger(Outbox.class);

  private final ClientTransport transport;
  private final int maxFrames;
  private final long maxBytes;
  private final GatewayStats stats;
  private final Object lock = new Object();
  private final ArrayDeque<EncodedFrame> queue = new ArrayDeque<>();
  private final LongAdder shed = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final Runnable onSendFailure;
  private long queuedBytes;
  private boolean inFlight;
  private boolean closed;

  public Outbox(ClientTransport transport, int maxFrames, long maxBytes, GatewayStats stats) {
    this(transport, maxFrames, maxBytes, stats, () -> {});
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
    if (maxFrames < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("outbox bounds must be positive");
    }
    this.transport = transport;
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    this.stats = stats;
    this.onSendFailure = onSendFailure;
  }

  /**
   * Queues a frame for sending; returns {@code false} when the outbox is closed. A frame larger
   * than the byte bound is still sent when it is alone in the queue.
   */
  public boolean offer(EncodedFrame frame) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      while (!queue.isEmpty()
          && (queue.size() >= maxFrames || queuedBytes + frame.size() > maxBytes)) {
        EncodedFrame dropped = queue.pollFirst();
        queuedBytes -= dropped.size();
        shed.increment();
        stats.framesShed.increment();
      }
      queue.addLast(frame);
      queuedBytes += frame.size();
      if (inFlight) {
        return true;
      }
      inFlight = true;
    }
    drain();
    return true;
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
    }
  }

  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void drain() {
    while (true) {
      EncodedFrame next;
      synchronized (lock) {
        next = closed ? null : queue.pollFirst();
        if (next == null) {
          inFlight = false;
          return;
        }
        queuedBytes -= next.size();
      }
      Send send = new Send();
      try {
        transport.send(next, send);
      } catch (RuntimeException e) {
        send.completed(e);
      }
      if (send.leaveToCallback()) {
        return;
      }
      // The send completed before transport.send returned: go on here instead of recursing.
    }
  }

  /** Tracks one send; whoever comes second (the drain loop or the callback) continues draining. */
  private final class Send extends AtomicInteger implements ClientTransport.SendCallback {
    private static final long serialVersionUID = 1L;
    private static final int PENDING = 0;
    private static final int COMPLETED_INLINE = 1;
    private static final int LEFT_TO_CALLBACK = 2;

    @Override
    public void completed(Throwable failure) {
      if (failure == null) {
        sent.increment();
        stats.framesOut.increment();
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
