package dev.cluws.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.RecordingTransport;
import dev.cluws.core.TestReplies;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.JsonMappers;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The slow-client policy of {@link Outbox}: what is shed, what never is, and when it is full. */
class OutboxPolicyTest {
  private final GatewayStats stats = new GatewayStats();
  private final FrameCodec codec = new FrameCodec(JsonMappers.newMapper(), "clu-ws-test");
  private final RecordingTransport stuck = RecordingTransport.completingOnDemand();

  private EncodedFrame frame(String code, String commandId, int seq) {
    return codec.encode(
        TestReplies.reply("lvmecp", code, commandId, "{\"seq\": " + seq + "}"), seq);
  }

  private static List<Integer> seqs(RecordingTransport transport) {
    return transport.json().stream().map(f -> f.path("body").path("seq").asInt()).toList();
  }

  @Test
  void theOldestInformationalFramesAreShedFirstAndProtectedOnesNever() {
    Outbox outbox = new Outbox(stuck, 3, 1_000_000, stats);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "mine", 1), true);
    outbox.offer(frame("i", null, 2));
    outbox.offer(frame("i", null, 3));

    outbox.offer(frame("i", null, 4));
    outbox.offer(frame("i", null, 5));

    assertThat(outbox.shedCount()).isEqualTo(2);
    assertThat(outbox.protectedQueued()).isEqualTo(1);
    stuck.completeInlineFromNowOn();
    stuck.completeNext();
    assertThat(seqs(stuck)).containsExactly(0, 1, 4, 5);
  }

  @Test
  void aSheddableNewcomerIsDroppedWhenOnlyProtectedFramesAreQueued() {
    Outbox outbox = new Outbox(stuck, 2, 1_000_000, stats);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "a", 1), true);
    outbox.offer(frame("f", "b", 2), true);

    boolean queued = outbox.offer(frame("i", null, 3));

    assertThat(queued).isFalse();
    assertThat(outbox.shedCount()).isEqualTo(1);
    assertThat(outbox.queued()).isEqualTo(2);
  }

  @Test
  void aProtectedNewcomerIsQueuedBeyondTheBoundRatherThanLost() {
    Outbox outbox = new Outbox(stuck, 2, 1_000_000, stats);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "a", 1), true);
    outbox.offer(frame("f", "b", 2), true);

    boolean queued = outbox.offer(frame(":", "c", 3), true);

    assertThat(queued).isTrue();
    assertThat(outbox.queued()).isEqualTo(3);
    assertThat(outbox.shedCount()).isZero();
  }

  @Test
  void anOutboxIsFullFromItsFirstShedUntilItDrainsToHalfItsBound() {
    Outbox outbox = new Outbox(stuck, 4, 1_000_000, stats);
    for (int i = 0; i < 5; i++) {
      outbox.offer(frame("i", null, i));
    }
    assertThat(outbox.fullForNanos(System.nanoTime())).isZero();

    outbox.offer(frame("i", null, 5));
    assertThat(outbox.fullForNanos(System.nanoTime() + 1_000)).isPositive();

    stuck.completeNext(); // 4 queued -> 3 after the next one leaves
    assertThat(outbox.fullForNanos(System.nanoTime())).isPositive();
    stuck.completeNext();
    stuck.completeNext();
    assertThat(outbox.fullForNanos(System.nanoTime())).isZero();
  }

  @Test
  void theByteBoundShedsLikeTheFrameBound() {
    EncodedFrame sample = frame("i", null, 0);
    Outbox outbox = new Outbox(stuck, 1000, sample.size() * 2L, stats);
    outbox.offer(sample); // in flight
    outbox.offer(frame("i", null, 1));
    outbox.offer(frame("i", null, 2));

    outbox.offer(frame("i", null, 3));

    assertThat(outbox.queued()).isEqualTo(2);
    assertThat(outbox.queuedBytes()).isLessThanOrEqualTo(sample.size() * 2L);
    assertThat(stats.framesShed.sum()).isEqualTo(1);
  }

  @Test
  void aClientThatNeverReadsTheAnswersToItsOwnFramesIsClosedAtTwiceTheBound() {
    AtomicInteger failures = new AtomicInteger();
    Outbox outbox = new Outbox(stuck, 4, 1_000_000, stats, failures::incrementAndGet);
    outbox.offer(frame("e", null, 0), true); // in flight

    int accepted = 0;
    for (int i = 1; i <= 20 && outbox.offer(frame("e", null, i), true); i++) {
      accepted++;
    }

    assertThat(accepted).isEqualTo(8);
    assertThat(stuck.closes())
        .containsExactly(
            "1008 client too slow: it does not read the answers to its frames", "abort");
    assertThat(failures).hasValue(1);
    assertThat(stats.slowClientsClosed.sum()).isEqualTo(1);
    assertThat(outbox.offer(frame("e", null, 99), true)).isFalse();
  }
}
