package dev.cluws.jetty.internal;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every open websocket every interval, from one task on the server's scheduler (never a
 * thread per client), and closes the clients that have answered nothing for the timeout. Pings are
 * control frames: Jetty sends them ahead of queued text frames.
 */
public final class KeepAlive implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(KeepAlive.class);

  private final SessionRegistry registry;
  private final Duration interval;
  private final long timeoutNanos;
  private final Object lock = new Object();
  private Scheduler scheduler;
  private Scheduler.Task task;
  private boolean stopped;

  /**
   * @param interval time between two rounds of pings
   * @param timeout a client from which nothing (not even a pong) arrived for this long is closed
   */
  public KeepAlive(SessionRegistry registry, Duration interval, Duration timeout) {
    if (interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("interval must be positive");
    }
    this.registry = registry;
    this.interval = interval;
    this.timeoutNanos = timeout.toNanos();
  }

  /** Starts the rounds on the given (started) scheduler. */
  public void start(Scheduler onScheduler) {
    synchronized (lock) {
      this.scheduler = onScheduler;
      scheduleNext();
    }
  }

  /** Stops the rounds; a round under way finishes. Idempotent. */
  public void stop() {
    synchronized (lock) {
      stopped = true;
      if (task != null) {
        task.cancel();
        task = null;
      }
    }
  }

  @Override
  public void run() {
    synchronized (lock) {
      if (stopped) {
        return;
      }
    }
    long now = System.nanoTime();
    long graceNanos = interval.toNanos();
    for (ClientEndpoint endpoint : registry.endpoints()) {
      try {
        endpoint.keepAlive(now, timeoutNanos, graceNanos);
      } catch (RuntimeException e) {
        log.debug("keep-alive of {} failed", endpoint, e);
      }
    }
    synchronized (lock) {
      scheduleNext();
    }
  }

  private void scheduleNext() {
    if (stopped || scheduler == null) {
      return;
    }
    try {
      task = scheduler.schedule(this, interval);
    } catch (RejectedExecutionException e) {
      // The scheduler is stopping with the server.
      stopped = true;
    }
  }
}
