package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.SourceState;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class GatewayStatsTest {
  private final GatewayStats stats = new GatewayStats();

  private static EncodedFrame frame(long sequence, int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 'x');
    return new EncodedFrame(bytes, null, null, sequence);
  }

  @Test
  void repliesAreCountedPerActorAndCode() {
    stats.replyIn(TestReplies.reply("alpha", ">", "1", "{}"));
    stats.replyIn(TestReplies.reply("alpha", ":", "1", "{}"));
    stats.replyIn(TestReplies.reply("alpha", ":", "2", "{}"));
    stats.replyIn(TestReplies.reply("beta", "i", null, "{}"));
    stats.replyIn(TestReplies.reply("beta", "?", null, "{}"));

    assertThat(stats.repliesIn.sum()).isEqualTo(5);
    assertThat(stats.repliesByActorAndCode())
        .isEqualTo(
            Map.of(
                "alpha", Map.of(">", 1L, ":", 2L),
                "beta", Map.of("i", 1L, GatewayStats.NO_CODE, 1L)));
  }

  @Test
  void actorsBeyondTheBoundAreCountedTogether() {
    for (int i = 0; i < GatewayStats.MAX_COUNTED_ACTORS + 50; i++) {
      stats.replyIn(TestReplies.reply("actor-" + i, "i", null, "{}"));
    }
    stats.replyIn(TestReplies.reply("actor-0", "i", null, "{}"));

    Map<String, Map<String, Long>> counts = stats.repliesByActorAndCode();
    assertThat(counts).hasSize(GatewayStats.MAX_COUNTED_ACTORS + 1);
    assertThat(counts.get(GatewayStats.OTHER_ACTORS)).isEqualTo(Map.of("i", 50L));
    assertThat(counts.get("actor-0")).isEqualTo(Map.of("i", 2L));
    assertThat(stats.repliesIn.sum()).isEqualTo(GatewayStats.MAX_COUNTED_ACTORS + 51);
  }

  @Test
  void aListenerHearsOfEveryPairOnceTheOldOnesFirst() {
    stats.replyIn(TestReplies.reply("alpha", ":", "1", "{}"));
    List<String> heard = new CopyOnWriteArrayList<>();

    stats.forEachReplyCount((actor, code, count) -> heard.add(actor + " " + code));
    stats.replyIn(TestReplies.reply("alpha", ":", "2", "{}"));
    stats.replyIn(TestReplies.reply("alpha", "f", "3", "{}"));
    stats.replyIn(TestReplies.reply("beta", "f", "4", "{}"));
    stats.replyIn(TestReplies.reply("beta", "f", "5", "{}"));

    assertThat(heard).containsExactly("alpha :", "alpha f", "beta f");
  }

  @Test
  void aFailingListenerDoesNotStopTheCounting() {
    stats.forEachReplyCount(
        (actor, code, count) -> {
          throw new IllegalStateException("broken listener");
        });

    stats.replyIn(TestReplies.reply("alpha", ":", "1", "{}"));
    stats.replyIn(TestReplies.reply("alpha", ":", "2", "{}"));

    assertThat(stats.repliesByActorAndCode()).isEqualTo(Map.of("alpha", Map.of(":", 2L)));
  }

  @Test
  void losingTheBrokerAndGettingItBackAreCountedButNotTheFirstConnection() {
    stats.sourceStateChanged(SourceState.CONNECTING, SourceState.UP);
    stats.sourceStateChanged(SourceState.UP, SourceState.DOWN);
    stats.sourceStateChanged(SourceState.DOWN, SourceState.RECOVERING);
    stats.sourceStateChanged(SourceState.RECOVERING, SourceState.UP);
    stats.sourceStateChanged(SourceState.UP, SourceState.RECOVERING);
    stats.sourceStateChanged(SourceState.RECOVERING, SourceState.UP);
    stats.sourceStateChanged(SourceState.UP, SourceState.CLOSED);

    assertThat(stats.brokerDisconnects.sum()).isEqualTo(2);
    assertThat(stats.brokerReconnects.sum()).isEqualTo(2);
  }

  @Test
  void theOutboxCountsBytesAndReportsTheLatencyOfLiveReplyFramesOnly() {
    stats.deliveryLatency.enable();
    EncodedFrame replayed = frame(1, 7); // encoded before the client connected
    Outbox outbox = new Outbox(RecordingTransport.completingInline(), 10, 1_000, stats);

    outbox.offer(replayed);
    outbox.offer(frame(0, 5)); // the gateway's own frame: no sequence
    outbox.offer(frame(2, 11)); // a live reply

    assertThat(stats.framesOut.sum()).isEqualTo(3);
    assertThat(stats.bytesOut.sum()).isEqualTo(23);
    assertThat(stats.deliveryLatency.count()).isEqualTo(1);
  }

  @Test
  void withTheHistogramOffNothingIsRecorded() {
    Outbox outbox = new Outbox(RecordingTransport.completingInline(), 10, 1_000, stats);

    outbox.offer(frame(1, 7));

    assertThat(stats.framesOut.sum()).isEqualTo(1);
    assertThat(stats.deliveryLatency.count()).isZero();
  }

  @Test
  void durationsFallIntoTheBucketWhoseBoundTheyDoNotExceed() {
    GatewayStats.LatencyHistogram histogram =
        new GatewayStats.LatencyHistogram(new long[] {10, 100});

    histogram.record(-5);
    histogram.record(10);
    histogram.record(11);
    histogram.record(100);
    histogram.record(101);
    histogram.record(5_000);

    assertThat(histogram.counts()).containsExactly(2, 2, 2);
    assertThat(histogram.count()).isEqualTo(6);
    assertThat(histogram.sumNanos()).isEqualTo(10 + 11 + 100 + 101 + 5_000);
  }

  @Test
  void shedFramesAreCountedByPolicy() {
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    Outbox outbox = new Outbox(transport, 2, 1_000, stats).sheddingOldest(m -> frame(0, 5));
    outbox.offer(frame(1, 10)); // in flight
    outbox.offer(frame(2, 10));
    outbox.offer(frame(3, 10));

    outbox.offer(frame(4, 10)); // sheds 2, the oldest queued, and 3 to make room for the notice
    Outbox full =
        new Outbox(RecordingTransport.completingOnDemand(), 2, 1_000, stats)
            .sheddingOldest(m -> frame(0, 5));
    full.offer(frame(5, 10)); // in flight
    full.offer(frame(6, 10), true);
    full.offer(frame(7, 10), true);
    full.offer(frame(8, 10)); // only protected frames queued: 8 itself is shed
    full.offer(frame(9, 10), true); // protected: queued past the bound

    assertThat(stats.framesShedOldest.sum()).isEqualTo(2);
    assertThat(stats.framesShedNewest.sum()).isEqualTo(1);
    assertThat(stats.framesShed.sum()).isEqualTo(3);
    assertThat(stats.framesOverBound.sum()).isEqualTo(1);
  }
}
