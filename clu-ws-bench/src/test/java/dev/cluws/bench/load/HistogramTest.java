package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {

  @Test
  void percentilesAreWithinOnePercentOfTheExactValues() {
    Random random = new Random(42);
    long[] values = new long[100_000];
    Histogram histogram = new Histogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble() * Math.log(10_000_000)); // 1 µs .. 10 s
      histogram.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {1, 10, 50, 90, 99, 99.9}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      assertThat((double) histogram.percentile(p)).isCloseTo(exact, within(exact * 0.01 + 1));
    }
    assertThat(histogram.max()).isEqualTo(values[values.length - 1]);
    assertThat(histogram.count()).isEqualTo(values.length);
  }

  @Test
  void smallValuesAreExact() {
    Histogram histogram = new Histogram();
    for (int v = 0; v < 200; v++) {
      histogram.record(v);
    }
    assertThat(histogram.percentile(50)).isEqualTo(99);
    assertThat(histogram.percentile(100)).isEqualTo(199);
  }

  @Test
  void bucketsCoverEveryValueOnce() {
    for (long v = 0; v < 1 << 20; v += 7) {
      int index = Histogram.index(v);
      assertThat(Histogram.lowerBound(index)).isLessThanOrEqualTo(v);
      assertThat(Histogram.lowerBound(index + 1)).isGreaterThan(v);
    }
  }

  @Test
  void addedHistogramsCountBoth() {
    Histogram a = new Histogram();
    Histogram b = new Histogram();
    a.record(10);
    b.record(1_000_000);
    a.add(b);
    assertThat(a.count()).isEqualTo(2);
    assertThat(a.max()).isEqualTo(1_000_000);
    assertThat(a.percentile(50)).isEqualTo(10);
  }

  @Test
  void anEmptyHistogramReportsZero() {
    assertThat(new Histogram().percentile(99)).isZero();
  }
}
