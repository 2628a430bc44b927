package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReceiveStatsTest {

  @Test
  void countsLossDuplicatesAndOrderViolations() {
    ReceiveStats stats = new ReceiveStats(5);
    long now = BenchMessages.nowMicros();
    for (long seq : new long[] {0, 2, 1, 2, 4}) {
      stats.record(seq, now);
    }
    assertThat(stats.received()).isEqualTo(5);
    assertThat(stats.distinct()).isEqualTo(4);
    assertThat(stats.lost()).isEqualTo(1); // 3
    assertThat(stats.duplicates()).isEqualTo(1);
    assertThat(stats.orderViolations()).isEqualTo(1); // 1 after 2
  }

  @Test
  void warmUpRepliesAreOnlyCounted() {
    ReceiveStats stats = new ReceiveStats(3);
    stats.record(-1, BenchMessages.nowMicros());
    stats.record(-3, BenchMessages.nowMicros());
    assertThat(stats.warmupSeen()).isEqualTo(2);
    assertThat(stats.received()).isZero();
    assertThat(stats.lost()).isEqualTo(3);
  }

  @Test
  void latencyIsReceiveTimeMinusSendTime() {
    ReceiveStats stats = new ReceiveStats(1);
    stats.record(0, BenchMessages.nowMicros() - 5_000);
    assertThat(stats.latency().percentile(50)).isBetween(4_900L, 1_000_000L);
  }
}
