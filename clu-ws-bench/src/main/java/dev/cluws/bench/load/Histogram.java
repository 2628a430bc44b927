package dev.cluws.bench.load;

/**
 * A small log-bucketed histogram of non-negative values (microseconds, here), in the manner of
 * HdrHistogram: values below 256 are counted exactly; above, every power of two is split into 128
 * equal buckets, and a bucket reports its midpoint, so a percentile is within 1/256 (0.4 %) of the
 * true value. The maximum is kept exactly. 16 KiB per histogram; values up to 2^38 (three days in
 * microseconds). Not thread-safe: one writer, read after it is done.
 */
final class Histogram {
  private static final int SUB_BITS = 7;
  private static final int SUB = 1 << SUB_BITS; // buckets per power of two
  private static final int LINEAR = 2 * SUB; // values below are exact
  private static final int MAX_SHIFT = 30;
  private static final int BUCKETS = LINEAR + MAX_SHIFT * SUB;

  private final int[] counts = new int[BUCKETS];
  private long count;
  private long max;
  private long sum;

  /** Counts one value; negative values count as 0. */
  void record(long value) {
    long v = Math.max(0, value);
    counts[index(v)]++;
    count++;
    sum += v;
    if (v > max) {
      max = v;
    }
  }

  /** Adds every value of {@code other} to this histogram. */
  void add(Histogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    count += other.count;
    sum += other.sum;
    max = Math.max(max, other.max);
  }

  long count() {
    return count;
  }

  long max() {
    return max;
  }

  double mean() {
    return count == 0 ? 0 : (double) sum / count;
  }

  /**
   * The value at or below which {@code percent} % of the values lie (0 when empty); within 0.4 % of
   * the exact value, never above the maximum.
   */
  long percentile(double percent) {
    if (count == 0) {
      return 0;
    }
    long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * count));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min(max, midpoint(i));
      }
    }
    return max;
  }

  static int index(long v) {
    if (v < LINEAR) {
      return (int) v;
    }
    int shift = 64 - Long.numberOfLeadingZeros(v) - (SUB_BITS + 1);
    if (shift > MAX_SHIFT) {
      return BUCKETS - 1;
    }
    int top = (int) (v >>> shift); // 128..255
    return LINEAR + (shift - 1) * SUB + (top - SUB);
  }

  static long lowerBound(int index) {
    if (index < LINEAR) {
      return index;
    }
    int shift = (index - LINEAR) / SUB + 1;
    long top = (index - LINEAR) % SUB + SUB;
    return top << shift;
  }

  static long midpoint(int index) {
    if (index < LINEAR) {
      return index;
    }
    int shift = (index - LINEAR) / SUB + 1;
    return lowerBound(index) + (1L << (shift - 1));
  }
}
