package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code --wait-for-broker}: its values, and the backoff it retries with (on a fake clock). */
class BrokerWaitTest {
  private long now;
  private final List<Long> pauses = new ArrayList<>();
  private final AtomicInteger attempts = new AtomicInteger();

  private String retry(BrokerWait wait, int succeedAt, RuntimeException failure) {
    return wait.retry(
        () -> {
          if (attempts.incrementAndGet() < succeedAt) {
            throw failure;
          }
          return "started";
        },
        () -> now,
        millis -> {
          pauses.add(millis);
          now += millis * 1_000_000;
        });
  }

  @Test
  void simpleAndIsoDurationsAndForeverAreAccepted() {
    assertThat(BrokerWait.parse("30s").limit()).isEqualTo(Duration.ofSeconds(30));
    assertThat(BrokerWait.parse("500ms").limit()).isEqualTo(Duration.ofMillis(500));
    assertThat(BrokerWait.parse("2m").limit()).isEqualTo(Duration.ofMinutes(2));
    assertThat(BrokerWait.parse("1h").limit()).isEqualTo(Duration.ofHours(1));
    assertThat(BrokerWait.parse("PT1M").limit()).isEqualTo(Duration.ofMinutes(1));
    assertThat(BrokerWait.parse("pt1m30s").limit()).isEqualTo(Duration.ofSeconds(90));
    assertThat(BrokerWait.parse("forever").limit()).isNull();
  }

  @Test
  void aValueThatIsNoDurationIsRejectedWithExamples() {
    for (String bad : List.of("soon", "30", "-5s", "PT-1S", "1d")) {
      assertThatThrownBy(() -> BrokerWait.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("30s, 2m");
    }
  }

  @Test
  void withoutWaitingTheFirstFailureIsFinal() {
    BrokerUnavailableException down = new BrokerUnavailableException("down");

    assertThatThrownBy(() -> retry(BrokerWait.NONE, 2, down)).isSameAs(down);
    assertThat(attempts).hasValue(1);
    assertThat(pauses).isEmpty();
  }

  @Test
  void theBackoffDoublesFromHalfASecondAndTheLastAttemptComesWhenTheTimeRunsOut() {
    BrokerUnavailableException down = new BrokerUnavailableException("down");

    assertThatThrownBy(() -> retry(BrokerWait.upTo(Duration.ofSeconds(20)), 100, down))
        .isSameAs(down);
    assertThat(pauses).containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 4500L);
    assertThat(attempts).hasValue(7);
  }

  @Test
  void waitingForeverCapsThePauseAtTenSecondsAndEndsWhenAnAttemptSucceeds() {
    String result = retry(BrokerWait.forever(), 9, new BrokerUnavailableException("down"));

    assertThat(result).isEqualTo("started");
    assertThat(pauses).containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L);
  }

  @Test
  void aFailureThatIsNotTheBrokerIsNotRetried() {
    CluWsException portTaken = new CluWsException("cannot listen on 127.0.0.1:9876");

    assertThatThrownBy(() -> retry(BrokerWait.forever(), 5, portTaken)).isSameAs(portTaken);
    assertThat(attempts).hasValue(1);
  }

  @Test
  void pausesAreWrittenForPeople() {
    assertThat(BrokerWait.human(500)).isEqualTo("500ms");
    assertThat(BrokerWait.human(2000)).isEqualTo("2s");
    assertThat(BrokerWait.human(4500)).isEqualTo("4.5s");
    assertThat(BrokerWait.human(150_000)).isEqualTo("2m30s");
  }
}
