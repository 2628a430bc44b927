package dev.cluws.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.RecoveryDelayHandler;
import org.junit.jupiter.api.Test;

class ConnectionsTest {
  @Test
  void reconnectionWaitsDoubleFromTheRecoveryIntervalUpToThirtySeconds() {
    RecoveryDelayHandler backoff = Connections.backoff(500);

    assertThat(backoff.getDelay(0)).isEqualTo(500);
    assertThat(backoff.getDelay(1)).isEqualTo(500);
    assertThat(backoff.getDelay(2)).isEqualTo(1000);
    assertThat(backoff.getDelay(3)).isEqualTo(2000);
    assertThat(backoff.getDelay(7)).isEqualTo(30_000);
    assertThat(backoff.getDelay(1000)).isEqualTo(30_000);
  }
}
