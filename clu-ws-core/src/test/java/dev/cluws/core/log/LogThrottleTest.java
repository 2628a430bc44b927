package dev.cluws.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void theFirstEventIsLoggedAndTheRestOfTheIntervalIsCounted() {
    LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10));
    long start = 123 * SECOND;

    assertThat(throttle.admit(start)).isZero();
    for (int i = 1; i < 1000; i++) {
      assertThat(throttle.admit(start + i * 5_000_000L)).isEqualTo(-1);
    }
    assertThat(throttle.admit(start + 10 * SECOND)).isEqualTo(999);
    assertThat(throttle.admit(start + 11 * SECOND)).isEqualTo(-1);
    assertThat(throttle.admit(start + 25 * SECOND)).isEqualTo(1);
  }

  @Test
  void drainReturnsWhatWasHeldBackOnce() {
    LogThrottle throttle = LogThrottle.everyTenSeconds();

    throttle.admit(0);
    throttle.admit(1);
    throttle.admit(2);

    assertThat(throttle.drain()).isEqualTo(2);
    assertThat(throttle.drain()).isZero();
  }

  @Test
  void aNegativeClockIsHandledLikeAnyOther() {
    LogThrottle throttle = new LogThrottle(Duration.ofSeconds(1));

    assertThat(throttle.admit(Long.MIN_VALUE + 5)).isZero();
    assertThat(throttle.admit(Long.MIN_VALUE + 6)).isEqualTo(-1);
  }

  @Test
  void theNoteSaysHowManyWereNotLogged() {
    assertThat(LogThrottle.skippedNote(0)).isEmpty();
    assertThat(LogThrottle.skippedNote(12)).isEqualTo(" (12 more not logged since the last one)");
  }
}
