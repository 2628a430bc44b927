package dev.cluws.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PerfTestPublisherTest {
  private static final String OUTPUT =
      """
      id: test-031042-926, starting producer #0
      id: test-031042-926, time 1.001 s, sent: 4139 msg/s, confirmed: 3330 msg/s, nacked: 0 msg/s, \
      min/median/75th/95th/99th confirm latency: 204/36525/78015/132521/137247 µs
      id: test-031042-926, time 2.001 s, sent: 14810 msg/s, confirmed: 4619 msg/s, nacked: 0 msg/s, \
      min/median/75th/95th/99th confirm latency: 51898/173337/222468/295672/307110 µs
      test stopped (Producer reached message limit)
      id: test-031042-926, sending rate avg: 3581 msg/s
      id: test-031042-926, receiving rate avg: 0 msg/s
      """;

  @Test
  void theAverageAndTheBestSecondAreReadFromPerfTestsOutput() {
    PerfTestPublisher.Report report = PerfTestPublisher.parse(OUTPUT);

    assertThat(report.averageRate()).isEqualTo(3581);
    assertThat(report.peakSecondRate()).isEqualTo(14810);
    assertThat(report.nacked()).isFalse();
  }

  @Test
  void aSecondWithNacksIsReported() {
    PerfTestPublisher.Report report =
        PerfTestPublisher.parse(
            OUTPUT.replace(
                "nacked: 0 msg/s, min/median/75th/95th/99th confirm latency: 51898",
                "nacked: 12 msg/s, min/median/75th/95th/99th confirm latency: 51898"));

    assertThat(report.nacked()).isTrue();
  }

  @Test
  void anOutputWithoutSummaryHasNoAverage() {
    assertThat(PerfTestPublisher.parse("Exception in thread main").averageRate()).isNegative();
  }
}
