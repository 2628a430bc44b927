package dev.cluws.core.command;

/** A token bucket: {@code burst} tokens, refilled at {@code perSecond}. Thread-safe. */
public final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private double tokens;
  private long lastNanos;

  public TokenBucket(double perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.capacity = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** Takes one token if there is one. */
  public synchronized boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * perNano);
      lastNanos = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
