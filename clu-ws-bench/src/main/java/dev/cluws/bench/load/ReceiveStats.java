package dev.cluws.bench.load;

/**
 * What one consumer (a websocket client or the plain AMQP consumer) received of a run of bench
 * replies numbered {@code 0..expected-1}: counts, duplicates, order violations (a number lower than
 * the highest seen), the time of the first and last receive, and the latency of each reply (receive
 * time minus the send time it carries). Warm-up replies (negative numbers) are only counted.
 *
 * <p>One writer (Jetty calls one session's listener one at a time; amqp-client one consumer's);
 * other threads poll {@link #received()} and {@link #warmupSeen()}, and read the rest once the
 * writer is done.
 */
final class ReceiveStats {
  private final int expected;
  private final long[] seen;
  private final Histogram latency = new Histogram();
  private volatile long received;
  private volatile long warmupSeen = -1;
  private volatile long unreadable;
  private long distinct;
  private long duplicates;
  private long orderViolations;
  private long highest = -1;
  private long outOfRange;
  private long firstNanos;
  private long lastNanos;

  ReceiveStats(int expected) {
    this.expected = expected;
    this.seen = new long[(expected + 63) / 64];
  }

  /** Records a frame that carried no readable bench number (e.g. a frame from the gateway). */
  void unreadable() {
    unreadable++;
  }

  /** Records bench reply {@code seq} sent at {@code sentMicros}, received now. */
  void record(long seq, long sentMicros) {
    long nowNanos = System.nanoTime();
    long nowMicros = BenchMessages.nowMicros();
    if (seq == FrameScan.MISSING) {
      unreadable++;
      return;
    }
    if (seq < 0) {
      long warm = -seq - 1;
      if (warm > warmupSeen) {
        warmupSeen = warm;
      }
      return;
    }
    if (seq >= expected) {
      outOfRange++;
      return;
    }
    if (received == 0) {
      firstNanos = nowNanos;
    }
    lastNanos = nowNanos;
    int word = (int) (seq >>> 6);
    long bit = 1L << (seq & 63);
    if ((seen[word] & bit) != 0) {
      duplicates++;
    } else {
      seen[word] |= bit;
      distinct++;
    }
    if (seq < highest) {
      orderViolations++;
    } else {
      highest = seq;
    }
    if (sentMicros != FrameScan.MISSING) {
      latency.record(nowMicros - sentMicros);
    }
    received = received + 1; // volatile write last: publishes the fields above
  }

  /**
   * Records a measured reply that carries no number (a PerfTest reply), received now: counted, not
   * checked for loss order or latency beyond the count.
   */
  void recordUnnumbered() {
    long nowNanos = System.nanoTime();
    if (received == 0) {
      firstNanos = nowNanos;
    }
    lastNanos = nowNanos;
    distinct++;
    received = received + 1; // volatile write last: publishes the fields above
  }

  /** The measured replies expected. */
  int expected() {
    return expected;
  }

  /** Measured replies received so far (duplicates included). */
  long received() {
    return received;
  }

  /** The highest warm-up index received, or -1. */
  long warmupSeen() {
    return warmupSeen;
  }

  long distinct() {
    return distinct;
  }

  long lost() {
    return expected - distinct;
  }

  long duplicates() {
    return duplicates;
  }

  long orderViolations() {
    return orderViolations;
  }

  long unreadableCount() {
    return unreadable + outOfRange;
  }

  Histogram latency() {
    return latency;
  }

  long firstNanos() {
    return firstNanos;
  }

  long lastNanos() {
    return lastNanos;
  }

  /** Replies per second between the first and the last receive (0 with fewer than two). */
  double rate() {
    long n = received;
    long span = lastNanos - firstNanos;
    return n < 2 || span <= 0 ? 0 : n * 1e9 / span;
  }
}
