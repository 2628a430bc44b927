package dev.cluws.core.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's connection limit, exact: a client takes a {@link Permit} before its websocket
 * upgrade is answered (a refused upgrade gets none), and gives it back exactly once, when it leaves
 * however it leaves — or, when its upgrade never completes, when the transport says so or after
 * {@link #reclaimStale} finds the permit unused for too long (a connection reset while the upgrade
 * response is written is never reported to the websocket endpoint). A client that connects after
 * its permit was taken back must {@linkplain Permit#confirm() take one again}, or be closed. So at
 * no time are more permits out than the limit, and every client that left has given its permit
 * back. Thread-safe.
 */
public final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  private final int limit;
  private final AtomicInteger inUse = new AtomicInteger();

  /** Permits taken whose client has not connected yet, with when they were taken. */
  private final Map<Permit, Long> pending = new ConcurrentHashMap<>();

  public Admission(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the connection limit must be positive");
    }
    this.limit = limit;
  }

  /** A permit for one more client, or {@code null} when the limit is reached. */
  public Permit tryAdmit() {
    if (!take()) {
      return null;
    }
    Permit permit = new Permit();
    pending.put(permit, System.nanoTime());
    return permit;
  }

  private boolean take() {
    while (true) {
      int now = inUse.get();
      if (now >= limit) {
        return false;
      }
      if (inUse.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Permits out now: clients connected and upgrades being answered. */
  public int inUse() {
    return inUse.get();
  }

  /** The connection limit. */
  public int limit() {
    return limit;
  }

  /**
   * Gives back the permits of upgrades that never connected within {@code timeoutNanos} (a
   * transport that lost such a connection without a word); returns how many.
   */
  public int reclaimStale(long nowNanos, long timeoutNanos) {
    int reclaimed = 0;
    for (Map.Entry<Permit, Long> entry : pending.entrySet()) {
      if (nowNanos - entry.getValue() > timeoutNanos && entry.getKey().release()) {
        reclaimed++;
      }
    }
    if (reclaimed > 0) {
      log.warn("{} connection permits of upgrades that never completed were given back", reclaimed);
    }
    return reclaimed;
  }

  /** One client's place under the limit. */
  public final class Permit {
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit() {}

    /**
     * The client connected: from now on its permit is given back only when it leaves. Returns
     * {@code false} when the permit was taken back meanwhile and the limit is reached again: the
     * client must not stay.
     */
    public synchronized boolean confirm() {
      pending.remove(this);
      if (released.get()) {
        if (!take()) {
          return false;
        }
        released.set(false);
      }
      return true;
    }

    /** Gives the permit back; only the first call counts. Returns whether this call did. */
    public synchronized boolean release() {
      if (released.compareAndSet(false, true)) {
        pending.remove(this);
        inUse.decrementAndGet();
        return true;
      }
      return false;
    }

    public boolean isReleased() {
      return released.get();
    }
  }
}
