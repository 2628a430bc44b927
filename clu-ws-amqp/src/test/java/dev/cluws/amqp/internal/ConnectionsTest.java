package dev.cluws.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.RecoveryDelayHandler;
import dev.cluws.amqp.AmqpSettings;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConnectionsTest {
  /**
   * The waits as amqp-client takes them: {@code getDelay(0)} before the first reconnection attempt,
   * {@code getDelay(n)} after the n-th failed one.
   */
  private static long[] waits(RecoveryDelayHandler backoff, int attempts) {
    return IntStream.range(0, attempts).mapToLong(backoff::getDelay).toArray();
  }

  @Test
  void withTheDefaultsTheGatewayReconnectsAfterTwoTwoFourEightThenEveryFifteenSeconds() {
    ConnectionFactory factory = Connections.factory(AmqpSettings.defaults());

    assertThat(waits(factory.getRecoveryDelayHandler(), 8))
        .containsExactly(2_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000);
  }

  @Test
  void theLongestWaitIsAQuarterOfTheRepliesQueueExpirySoAShortOutageLosesNoReply() {
    AmqpSettings settings = AmqpSettings.defaults();

    assertThat(Connections.maxRecoveryDelayMillis(settings))
        .isEqualTo(settings.repliesQueueExpiry().toMillis() / 4);
    assertThat(
            Connections.maxRecoveryDelayMillis(
                settings.withRepliesQueueExpiry(Duration.ofMinutes(10))))
        .isEqualTo(Connections.MAX_RECOVERY_DELAY_MILLIS);
    assertThat(
            Connections.maxRecoveryDelayMillis(
                settings
                    .withRecoveryInterval(Duration.ofSeconds(5))
                    .withRepliesQueueExpiry(Duration.ofSeconds(8))))
        .isEqualTo(5_000);
  }

  @Test
  void reconnectionWaitsDoubleFromTheSecondFailureUpToTheLongestWait() {
    RecoveryDelayHandler backoff = Connections.backoff(500, 30_000);

    assertThat(waits(backoff, 4)).containsExactly(500, 500, 1000, 2000);
    assertThat(backoff.getDelay(7)).isEqualTo(30_000);
    assertThat(backoff.getDelay(1000)).isEqualTo(30_000);
  }
}
