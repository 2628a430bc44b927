package dev.cluws.core.log;

import java.time.Duration;

/**
 * Lets at most one log line of a kind through per interval (say, one client's denied commands) and
 * counts the ones it holds back, so that the next line can say how many were not logged. A client
 * that repeats a refused action as fast as it can then writes one line per interval, not one per
 * action. Thread-safe.
 *
 * <pre>{@code
 * long skipped = deniedLog.admit(System.nanoTime());
 * if (skipped >= 0) {
 *   log.info("denied ...{}", LogThrottle.skippedNote(skipped));
 * }
 * }</pre>
 */
public final class LogThrottle {
  /** One line per kind and client every 10 seconds. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private final Duration interval;
  private final long intervalNanos;
  private boolean started;
  private long lastLoggedNanos;
  private long skipped;

  public LogThrottle(Duration interval) {
    if (interval.isNegative()) {
      throw new IllegalArgumentException("the interval must not be negative: " + interval);
    }
    this.interval = interval;
    this.intervalNanos = interval.toNanos();
  }

  /** A throttle with the {@link #DEFAULT_INTERVAL}. */
  public static LogThrottle everyTenSeconds() {
    return new LogThrottle(DEFAULT_INTERVAL);
  }

  public Duration interval() {
    return interval;
  }

  /**
   * Whether an event at {@code nowNanos} ({@link System#nanoTime()}) is logged: {@code -1} when it
   * is not (it is counted instead), else how many events were held back since the last logged one
   * (that count starts again from zero).
   */
  public synchronized long admit(long nowNanos) {
    if (started && nowNanos - lastLoggedNanos < intervalNanos) {
      skipped++;
      return -1;
    }
    started = true;
    lastLoggedNanos = nowNanos;
    long held = skipped;
    skipped = 0;
    return held;
  }

  /**
   * How many events were held back since the last logged one, and forgets them: for a last line
   * when the client goes away.
   */
  public synchronized long drain() {
    long held = skipped;
    skipped = 0;
    return held;
  }

  /**
   * {@code ""} for none, else a note to append to the logged line: {@code " (12 more not logged
   * since the last one)"}.
   */
  public static String skippedNote(long skipped) {
    return skipped <= 0 ? "" : " (" + skipped + " more not logged since the last one)";
  }
}
