package dev.cluws.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.RecordingTransport;
import dev.cluws.core.codec.EncodedFrame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OutboxTest {
  private final GatewayStats stats = new GatewayStats();

  /** A frame of {@code size} bytes numbered {@code sequence}. */
  private static EncodedFrame frame(long sequence, int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return new EncodedFrame(bytes, null, null, sequence);
  }

  private static EncodedFrame frame(long sequence) {
    return frame(sequence, 10);
  }

  private static List<Long> sequences(List<EncodedFrame> frames) {
    return frames.stream().map(EncodedFrame::sequence).collect(Collectors.toList());
  }

  @Test
  void aFrameOfferedToAnIdleOutboxIsSentAtOnce() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);

    assertThat(outbox.offer(frame(1))).isTrue();

    assertThat(sequences(transport.frames())).containsExactly(1L);
    assertThat(outbox.queued()).isZero();
  }

  @Test
  void atMostOneSendIsInFlight() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);

    outbox.offer(frame(1));
    outbox.offer(frame(2));
    outbox.offer(frame(3));

    assertThat(transport.frames()).hasSize(1);
    assertThat(transport.pendingSends()).isEqualTo(1);
    assertThat(outbox.queued()).isEqualTo(2);
  }

  @Test
  void theNextFrameIsSentWhenTheSendInFlightCompletes() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    outbox.offer(frame(1));
    outbox.offer(frame(2));

    transport.completeNext();

    assertThat(sequences(transport.frames())).containsExactly(1L, 2L);
    assertThat(transport.pendingSends()).isEqualTo(1);
  }

  @Test
  void framesAreSentInTheOrderTheyWereOffered() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    for (long i = 1; i <= 5; i++) {
      outbox.offer(frame(i));
    }

    for (int i = 0; i < 5; i++) {
      transport.completeNext();
    }

    assertThat(sequences(transport.frames())).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(outbox.sentCount()).isEqualTo(5);
    assertThat(stats.framesOut.sum()).isEqualTo(5);
  }

  @Test
  void concurrentOffersWithSendsCompletingOnAnotherThreadNeverHaveTwoSendsInFlight()
      throws Exception {
    ExecutorService completer = Executors.newSingleThreadExecutor();
    ExecutorService producers = Executors.newFixedThreadPool(4);
    try {
      RecordingTransport transport = RecordingTransport.completingOn(completer);
      Outbox outbox = new Outbox(transport, 100_000, Long.MAX_VALUE, stats);
      int perProducer = 2_000;
      CountDownLatch go = new CountDownLatch(1);
      for (int p = 0; p < 4; p++) {
        long base = p * 1_000_000L;
        producers.execute(
            () -> {
              try {
                go.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              for (int i = 1; i <= perProducer; i++) {
                outbox.offer(frame(base + i));
              }
            });
      }

      go.countDown();

      await().atMost(Duration.ofSeconds(10)).until(() -> outbox.sentCount() == 4L * perProducer);
      assertThat(transport.maxInFlight()).isEqualTo(1);
      for (int p = 0; p < 4; p++) {
        long base = p * 1_000_000L;
        List<Long> ofProducer =
            sequences(transport.frames()).stream()
                .filter(s -> s > base && s <= base + perProducer)
                .collect(Collectors.toList());
        assertThat(ofProducer).isSorted().hasSize(perProducer);
      }
    } finally {
      producers.shutdownNow();
      completer.shutdownNow();
      assertThat(completer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  /** Counts what an outbox tells the hub about its bound. */
  private static final class CountingPressure implements Outbox.Pressure {
    int overs;
    int unders;

    @Override
    public void over() {
      overs++;
    }

    @Override
    public void under() {
      unders++;
    }
  }

  private static EncodedFrame reply(long sequence, String messageId) {
    return new EncodedFrame(
        new byte[10], null, null, sequence, dev.cluws.core.spi.Origin.ACTOR, "a", messageId);
  }

  @Test
  void aFullOutboxKeepsEveryFrameAndSaysOnceThatItIsOverItsBoundUntilItIsBackWithin() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    CountingPressure pressure = new CountingPressure();
    Outbox outbox = new Outbox(transport, 4, 1_000, stats).withPressure(pressure);
    for (long i = 1; i <= 10; i++) {
      assertThat(outbox.offer(frame(i))).isTrue();
    }

    assertThat(outbox.isOver()).isTrue();
    assertThat(outbox.overForNanos(System.nanoTime() + 1_000)).isPositive();
    assertThat(pressure.overs).isEqualTo(1);
    assertThat(outbox.queued()).isEqualTo(9);
    for (int i = 0; i < 5; i++) { // 9 queued: within the bound again at 4
      assertThat(outbox.isOver()).isTrue();
      transport.completeNext();
    }
    assertThat(outbox.isOver()).isFalse();
    assertThat(pressure.unders).isEqualTo(1);
    transport.completeInlineFromNowOn();
    transport.completeNext();
    assertThat(sequences(transport.frames()))
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(outbox.shedCount()).isZero();
    assertThat(stats.framesShed.sum()).isZero();
    assertThat(stats.framesOverBound.sum()).isPositive();
  }

  @Test
  void aFrameLargerThanTheByteBoundIsSentOnItsOwnAndCostsNoOtherFrame() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 100, 100, stats);
    outbox.offer(frame(1, 10)); // in flight
    outbox.offer(frame(2, 10));
    outbox.offer(frame(3, 500));
    outbox.offer(frame(4, 10));
    outbox.offer(frame(5, 500));
    outbox.offer(frame(6, 10));

    transport.completeInlineFromNowOn();
    transport.completeNext();

    assertThat(sequences(transport.frames())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(outbox.shedCount()).isZero();
    assertThat(outbox.isOver()).isFalse();
  }

  @Test
  void aReplayTheClientAskedForIsAllowedOnTopOfTheBoundUntilItIsSent() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    CountingPressure pressure = new CountingPressure();
    Outbox outbox = new Outbox(transport, 2, 1_000, stats).withPressure(pressure);
    for (long i = 1; i <= 6; i++) {
      outbox.offerAhead(frame(i), false); // a replay: 1 in flight, 5 queued
    }
    assertThat(outbox.isOver()).isFalse();

    outbox.offer(frame(7));
    outbox.offer(frame(8)); // live frames: within the bound on top of the replay

    assertThat(outbox.isOver()).isFalse();
    assertThat(pressure.overs).isZero();
    outbox.offer(frame(9)); // one more than the bound allows
    assertThat(outbox.isOver()).isTrue();
  }

  @Test
  void liveFramesHeldBackDuringAJoinFollowTheReplayQueuedAheadOfThem() {
    RecordingTransport transport = RecordingTransport.completingInline();
    Outbox outbox = new Outbox(transport, 100, 100_000, stats);
    outbox.hold();
    outbox.offer(frame(4));
    outbox.offer(frame(5), true);
    assertThat(transport.frames()).isEmpty();
    assertThat(outbox.queued()).isEqualTo(2);

    for (long i = 1; i <= 3; i++) {
      outbox.offerAhead(frame(i), false);
    }
    assertThat(sequences(transport.frames())).containsExactly(1L, 2L, 3L);
    outbox.release();
    outbox.offer(frame(6));

    assertThat(sequences(transport.frames())).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    assertThat(outbox.isHeld()).isFalse();
    assertThat(outbox.isIdle()).isTrue();
  }

  @Test
  void liveFramesHeldBackCountAgainstTheBound() {
    RecordingTransport transport = RecordingTransport.completingInline();
    CountingPressure pressure = new CountingPressure();
    Outbox outbox = new Outbox(transport, 2, 1_000, stats).withPressure(pressure);
    outbox.hold();
    outbox.offer(frame(1));
    outbox.offer(frame(2));
    assertThat(outbox.isOver()).isFalse();

    outbox.offer(frame(3));

    assertThat(outbox.isOver()).isTrue();
    outbox.release();
    assertThat(sequences(transport.frames())).containsExactly(1L, 2L, 3L);
    assertThat(outbox.isOver()).isFalse();
    assertThat(pressure.unders).isEqualTo(pressure.overs);
  }

  @Test
  void closingAHeldOutboxDropsTheFramesHeldBack() {
    RecordingTransport transport = RecordingTransport.completingInline();
    Outbox outbox = new Outbox(transport, 10, 10_000, stats);
    outbox.hold();
    outbox.offer(frame(2));
    outbox.offer(frame(3), true);

    outbox.close();
    outbox.release();

    assertThat(outbox.queued()).isZero();
    assertThat(outbox.queuedBytes()).isZero();
    assertThat(outbox.protectedQueued()).isZero();
    assertThat(outbox.isHeld()).isFalse();
    assertThat(outbox.offerAhead(frame(1), false)).isFalse();
    assertThat(transport.frames()).isEmpty();
  }

  @Test
  void closingAnOutboxOverItsBoundReleasesTheHub() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    CountingPressure pressure = new CountingPressure();
    Outbox outbox = new Outbox(transport, 1, 1_000, stats).withPressure(pressure);
    outbox.offer(frame(1));
    outbox.offer(frame(2));
    outbox.offer(frame(3));
    assertThat(pressure.overs).isEqualTo(1);

    outbox.close();
    outbox.close();

    assertThat(pressure.unders).isEqualTo(1);
    assertThat(outbox.isOver()).isFalse();
  }

  @Test
  void theResumePointIsTheLastReplyHandedToTheTransport() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 100, 1_000, stats);
    assertThat(outbox.tooSlowReason()).isEqualTo("too slow; seq=0; message_id=-");
    outbox.offer(reply(7, "m7")); // handed over at once
    outbox.offer(frame(0)); // a frame of the gateway's own: not a resume point
    outbox.offer(reply(8, "m8"));

    assertThat(outbox.tooSlowReason()).isEqualTo("too slow; seq=7; message_id=m7");
    transport.completeNext();
    transport.completeNext();
    assertThat(outbox.tooSlowReason()).isEqualTo("too slow; seq=8; message_id=m8");
    assertThat(outbox.lastSequenceSent()).isEqualTo(8);
  }

  @Test
  void aMessageIdTooLongForACloseFrameIsLeftOutOfTheResumePoint() {
    RecordingTransport transport = RecordingTransport.completingInline();
    Outbox outbox = new Outbox(transport, 100, 1_000, stats);
    outbox.offer(reply(12, "x".repeat(120)));

    assertThat(outbox.tooSlowReason()).isEqualTo("too slow; seq=12; message_id=-");
  }

  @Test
  void sendsThatCompleteInsideSendDoNotRecurse() {
    int count = 100_000;
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, count + 1, Long.MAX_VALUE, stats);
    for (long i = 1; i <= count; i++) {
      outbox.offer(frame(i, 1));
    }
    assertThat(outbox.queued()).isEqualTo(count - 1);
    transport.completeInlineFromNowOn();

    // The other 99,999 sends now complete before transport.send returns: a drain that recursed
    // through the callback would overflow the stack here.
    transport.completeNext();

    assertThat(outbox.sentCount()).isEqualTo(count);
    assertThat(outbox.queued()).isZero();
    assertThat(transport.frames().get(count - 1).sequence()).isEqualTo(count);
  }

  @Test
  void manyOffersToATransportThatCompletesInlineAreAllSent() {
    RecordingTransport transport = RecordingTransport.completingInline();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);

    for (long i = 1; i <= 100_000; i++) {
      outbox.offer(frame(i, 1));
    }

    assertThat(outbox.sentCount()).isEqualTo(100_000);
    assertThat(outbox.shedCount()).isZero();
  }

  @Test
  void aFailedSendClosesTheOutbox() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    outbox.offer(frame(1));
    outbox.offer(frame(2));

    transport.failNext(new IOException("connection reset"));

    assertThat(outbox.isClosed()).isTrue();
    assertThat(outbox.queued()).isZero();
    assertThat(outbox.queuedBytes()).isZero();
    assertThat(sequences(transport.frames())).containsExactly(1L);
  }

  @Test
  void aFailedSendIsNotCountedAsSent() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    outbox.offer(frame(1));

    transport.failNext(new IOException("connection reset"));

    assertThat(outbox.sentCount()).isZero();
    assertThat(stats.framesOut.sum()).isZero();
  }

  @Test
  void aSendThatThrowsClosesTheOutbox() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    transport.throwOnSend(new IllegalStateException("session closed"));
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);

    outbox.offer(frame(1));

    assertThat(outbox.isClosed()).isTrue();
    assertThat(outbox.offer(frame(2))).isFalse();
  }

  @Test
  void aClosedOutboxRefusesOffers() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);

    outbox.close();

    assertThat(outbox.offer(frame(1))).isFalse();
    assertThat(transport.frames()).isEmpty();
  }

  @Test
  void closingDropsQueuedFramesAndSendsNothingAfterTheFrameInFlight() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    outbox.offer(frame(1));
    outbox.offer(frame(2));

    outbox.close();
    transport.completeNext();

    assertThat(sequences(transport.frames())).containsExactly(1L);
    assertThat(outbox.queued()).isZero();
  }

  @Test
  void closingIsIdempotent() {
    Outbox outbox = new Outbox(RecordingTransport.completingInline(), 10, 1_000, stats);

    outbox.close();
    outbox.close();

    assertThat(outbox.isClosed()).isTrue();
  }

  @Test
  void boundsMustBePositive() {
    RecordingTransport transport = RecordingTransport.completingInline();

    assertThatIllegalArgumentException().isThrownBy(() -> new Outbox(transport, 0, 1_000, stats));
    assertThatIllegalArgumentException().isThrownBy(() -> new Outbox(transport, 10, 0, stats));
  }

  @Test
  void theTransportReceivesTheFramesBytes() {
    RecordingTransport transport = RecordingTransport.completingInline();
    Outbox outbox = new Outbox(transport, 10, 1_000, stats);
    byte[] payload = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

    outbox.offer(new EncodedFrame(payload, null, null, 1));

    assertThat(transport.frames().get(0).text()).isEqualTo("{\"a\":1}");
  }
}
