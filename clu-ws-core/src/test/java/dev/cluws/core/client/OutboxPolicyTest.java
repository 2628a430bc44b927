package dev.cluws.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.RecordingTransport;
import dev.cluws.core.TestReplies;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.codec.FrameCodec;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.MessageCode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The {@code latest} policy of {@link Outbox} (what is shed, what never is, and how the client is
 * told), and the hard bound on the answers to a client's own frames.
 */
class OutboxPolicyTest {
  private final GatewayStats stats = new GatewayStats();
  private final FrameCodec codec = new FrameCodec(JsonMappers.newMapper(), "clu-ws-test");
  private final RecordingTransport stuck = RecordingTransport.completingOnDemand();

  private EncodedFrame frame(String code, String commandId, int seq) {
    return codec.encode(
        TestReplies.reply("lvmecp", code, commandId, "{\"seq\": " + seq + "}"), seq);
  }

  private static List<Integer> seqs(RecordingTransport transport) {
    return transport.json().stream()
        .filter(f -> f.path("body").has("seq"))
        .map(f -> f.path("body").path("seq").asInt())
        .toList();
  }

  private static List<JsonNode> notices(RecordingTransport transport) {
    return transport.json().stream().filter(f -> f.path("body").has("missed")).toList();
  }

  /** An outbox with the {@code latest} policy whose notices say what was missed. */
  private Outbox latest(RecordingTransport transport, int maxFrames, long maxBytes) {
    return new Outbox(transport, maxFrames, maxBytes, stats)
        .sheddingOldest(
            missed ->
                codec.encode(
                    codec.gatewayReply(
                        MessageCode.WARNING,
                        null,
                        codec
                            .mapper()
                            .createObjectNode()
                            .put("missed", missed.count())
                            .put("since_seq", missed.sinceSeq())),
                    0));
  }

  @Test
  void theOldestInformationalFramesAreShedFirstAndProtectedOnesNever() {
    Outbox outbox = latest(stuck, 3, 1_000_000);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "mine", 1), true);
    outbox.offer(frame("i", null, 2));
    outbox.offer(frame("i", null, 3));

    outbox.offer(frame("i", null, 4));
    outbox.offer(frame("i", null, 5));

    // 2 goes first; then 3 and 4 make room for the notice of the first drop and for 5.
    assertThat(outbox.shedCount()).isEqualTo(3);
    stuck.completeInlineFromNowOn();
    stuck.completeNext();
    assertThat(seqs(stuck)).containsExactly(0, 1, 5);
    // Told at the first drop (at most once a second): one missed, after reply 1.
    assertThat(notices(stuck)).hasSize(1);
    assertThat(notices(stuck).get(0).path("body").path("missed").asLong()).isEqualTo(1);
    assertThat(notices(stuck).get(0).path("body").path("since_seq").asLong()).isEqualTo(1);
  }

  @Test
  void aSheddableNewcomerIsDroppedWhenOnlyProtectedFramesAreQueued() {
    Outbox outbox = latest(stuck, 2, 1_000_000);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "a", 1), true);
    outbox.offer(frame("f", "b", 2), true);

    boolean queued = outbox.offer(frame("i", null, 3));

    assertThat(queued).isFalse();
    assertThat(outbox.shedCount()).isEqualTo(1);
    assertThat(outbox.queued()).isEqualTo(3); // and the notice
  }

  @Test
  void aProtectedNewcomerIsQueuedBeyondTheBoundRatherThanLost() {
    Outbox outbox = latest(stuck, 2, 1_000_000);
    outbox.offer(frame("i", null, 0)); // in flight
    outbox.offer(frame(":", "a", 1), true);
    outbox.offer(frame("f", "b", 2), true);

    boolean queued = outbox.offer(frame(":", "c", 3), true);

    assertThat(queued).isTrue();
    assertThat(outbox.queued()).isEqualTo(3);
    assertThat(outbox.shedCount()).isZero();
  }

  @Test
  void missedFramesAfterANoticeAreToldWithinASecondAndNeverHoldTheHubBack() {
    Outbox outbox = latest(stuck, 2, 1_000_000);
    for (int i = 1; i <= 10; i++) {
      outbox.offer(frame("i", null, i));
    }
    assertThat(outbox.isOver()).isFalse();
    assertThat(outbox.overForNanos(System.nanoTime())).isZero();

    outbox.maintain(System.nanoTime()); // within the second of the first notice: nothing yet
    outbox.maintain(System.nanoTime() + 2 * Outbox.NOTICE_INTERVAL_NANOS);
    stuck.completeInlineFromNowOn();
    stuck.completeNext();

    assertThat(notices(stuck))
        .extracting(n -> n.path("body").path("missed").asLong())
        .containsExactly(1L, 7L);
    long told =
        notices(stuck).stream().mapToLong(n -> n.path("body").path("missed").asLong()).sum();
    assertThat(told).isEqualTo(outbox.shedCount());
  }

  @Test
  void theByteBoundShedsLikeTheFrameBound() {
    EncodedFrame sample = frame("i", null, 0);
    Outbox outbox = latest(stuck, 1000, sample.size() * 2L);
    outbox.offer(sample); // in flight
    outbox.offer(frame("i", null, 1));
    outbox.offer(frame("i", null, 2));

    outbox.offer(frame("i", null, 3));

    assertThat(outbox.shedCount()).isPositive();
    assertThat(stats.framesShed.sum()).isEqualTo(outbox.shedCount());
    stuck.completeInlineFromNowOn();
    stuck.completeNext();
    assertThat(seqs(stuck)).endsWith(3); // the newest is kept
  }

  @Test
  void aClientThatNeverReadsTheAnswersToItsOwnFramesIsClosedAtTwiceTheBound() {
    AtomicInteger failures = new AtomicInteger();
    Outbox outbox = new Outbox(stuck, 4, 1_000_000, stats, failures::incrementAndGet);
    outbox.offer(frame("i", null, 3), false); // in flight: reply 3 is the resume point

    int accepted = 0;
    for (int i = 1; i <= 20 && outbox.offer(frame("e", null, i), true); i++) {
      accepted++;
    }

    assertThat(accepted).isEqualTo(8);
    assertThat(stuck.closes())
        .containsExactly(
            "4001 too slow; seq=3; message_id=" + frame("i", null, 3).messageId(), "abort");
    assertThat(failures).hasValue(1);
    assertThat(stats.slowClientsClosed.sum()).isEqualTo(1);
    assertThat(outbox.offer(frame("e", null, 99), true)).isFalse();
  }
}
