package dev.cluws.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.RecordingTransport;
import dev.cluws.core.codec.EncodedFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutSendersTest {
  private static final long NEVER_QUIET = Long.MAX_VALUE;
  private static final long ALWAYS_QUIET = 0;

  /** The sender threads: tasks wait here until the test runs them. */
  private final List<Runnable> pool = new ArrayList<>();

  private final List<String> ranOn = new CopyOnWriteArrayList<>();
  private final GatewayStats stats = new GatewayStats();
  private ExecutorService completer;
  private ExecutorService joiner;

  @AfterEach
  void stopThreads() throws InterruptedException {
    for (ExecutorService threads : new ExecutorService[] {completer, joiner}) {
      if (threads != null) {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      }
    }
  }

  private Runnable task(String name) {
    return () -> ranOn.add(name + "@" + Thread.currentThread().getName());
  }

  private String here(String name) {
    return name + "@" + Thread.currentThread().getName();
  }

  private static EncodedFrame frame(long sequence) {
    return new EncodedFrame(("{\"n\":" + sequence + "}").getBytes(), null, null, sequence);
  }

  private static List<Long> sequences(RecordingTransport transport) {
    return transport.frames().stream().map(EncodedFrame::sequence).collect(Collectors.toList());
  }

  @Test
  void theFirstFanOutWritesOnItsOwnThread() {
    FanOutSenders senders = new FanOutSenders(pool::add, 16, NEVER_QUIET);

    senders.fanOutStarts();
    senders.execute(task("a"));
    senders.fanOutEnds();

    assertThat(ranOn).containsExactly(here("a"));
    assertThat(pool).isEmpty();
  }

  @Test
  void aFanOutThatFollowsAnotherWithoutAPauseHandsItsWritesToTheSenderThreads() {
    FanOutSenders senders = new FanOutSenders(pool::add, 16, NEVER_QUIET);
    senders.fanOutStarts();
    senders.fanOutEnds();

    senders.fanOutStarts();
    senders.execute(task("a"));
    senders.fanOutEnds();

    assertThat(ranOn).isEmpty();
    assertThat(pool).hasSize(1);
  }

  @Test
  void aFanOutAfterAPauseWritesItsFirstClientsOnItsOwnThreadAndHandsTheRestOn() {
    FanOutSenders senders = new FanOutSenders(pool::add, 2, ALWAYS_QUIET);
    senders.fanOutStarts();
    senders.fanOutEnds();

    senders.fanOutStarts();
    for (int i = 0; i < 5; i++) {
      senders.execute(task("t" + i));
    }
    senders.fanOutEnds();

    assertThat(ranOn).containsExactly(here("t0"), here("t1"));
    assertThat(pool).hasSize(3);
  }

  @Test
  void writesOutsideAFanOutGoToTheSenderThreads() {
    FanOutSenders senders = new FanOutSenders(pool::add, 16, ALWAYS_QUIET);

    senders.execute(task("before"));
    senders.fanOutStarts();
    senders.fanOutEnds();
    senders.execute(task("after"));

    assertThat(ranOn).isEmpty();
    assertThat(pool).hasSize(2);
  }

  @Test
  void writesFromAnotherThreadDuringAFanOutGoToTheSenderThreads() throws Exception {
    FanOutSenders senders = new FanOutSenders(pool::add, 16, ALWAYS_QUIET);
    joiner = Executors.newSingleThreadExecutor();

    senders.fanOutStarts();
    joiner.submit(() -> senders.execute(task("other"))).get(10, TimeUnit.SECONDS);
    senders.fanOutEnds();

    assertThat(ranOn).isEmpty();
    assertThat(pool).hasSize(1);
  }

  @Test
  void aWriteStartedByAWriteOnTheFanningOutThreadGoesToTheSenderThreads() {
    FanOutSenders senders = new FanOutSenders(pool::add, 16, ALWAYS_QUIET);

    senders.fanOutStarts();
    senders.execute(() -> senders.execute(task("nested")));
    senders.fanOutEnds();

    assertThat(ranOn).isEmpty();
    assertThat(pool).hasSize(1);
  }

  @Test
  void noDirectWritesMeansEveryWriteGoesToTheSenderThreads() {
    FanOutSenders senders = new FanOutSenders(pool::add, 0, ALWAYS_QUIET);

    senders.fanOutStarts();
    senders.execute(task("a"));
    senders.fanOutEnds();

    assertThat(ranOn).isEmpty();
    assertThat(pool).hasSize(1);
  }

  @Test
  void negativeSettingsAreRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> new FanOutSenders(pool::add, -1, 0));
    assertThatIllegalArgumentException().isThrownBy(() -> new FanOutSenders(pool::add, 1, -1));
  }

  @Test
  void anIdleOutboxWritesTheFirstFrameOfAFanOutAfterAPauseAtOnceOnTheFanningOutThread() {
    List<String> sendThreads = new CopyOnWriteArrayList<>();
    RecordingTransport recording = RecordingTransport.completingInline();
    ClientTransport transport =
        new ClientTransport() {
          @Override
          public void send(EncodedFrame frame, SendCallback callback) {
            sendThreads.add(Thread.currentThread().getName());
            recording.send(frame, callback);
          }

          @Override
          public void close(int statusCode, String reason) {}

          @Override
          public String remoteAddress() {
            return "test";
          }
        };
    FanOutSenders senders = new FanOutSenders(pool::add, 16, ALWAYS_QUIET);
    Outbox outbox = new Outbox(transport, 10, 10_000, stats, () -> {}, senders);

    senders.fanOutStarts();
    outbox.offer(frame(1));
    senders.fanOutEnds();

    assertThat(sequences(recording)).containsExactly(1L);
    assertThat(sendThreads).containsExactly(Thread.currentThread().getName());
    assertThat(outbox.isIdle()).isTrue();
    assertThat(pool).isEmpty();
  }

  @Test
  void liveFramesWrittenOnTheFanningOutThreadAndHeldBackDuringAJoinKeepTheirOrder()
      throws Exception {
    completer = Executors.newSingleThreadExecutor();
    joiner = Executors.newSingleThreadExecutor();
    ExecutorService senderThreads = Executors.newFixedThreadPool(2);
    try {
      RecordingTransport transport = RecordingTransport.completingOn(completer);
      FanOutSenders senders = new FanOutSenders(senderThreads, 16, ALWAYS_QUIET);
      Outbox outbox = new Outbox(transport, 100, 100_000, stats, () -> {}, senders);

      // Live frame 1 is written on the fanning-out thread; its write completes on another thread.
      senders.fanOutStarts();
      outbox.offer(frame(1));
      senders.fanOutEnds();
      // A join holds the live frames back (under the hub's lock, between fan-outs) ...
      outbox.hold();
      senders.fanOutStarts();
      outbox.offer(frame(100));
      outbox.offer(frame(101));
      senders.fanOutEnds();
      // ... and queues its replay ahead of them on its own thread, then lets them follow.
      joiner
          .submit(
              () -> {
                for (long seq = 2; seq <= 50; seq++) {
                  outbox.offerAhead(frame(seq), false);
                }
                outbox.release();
              })
          .get(10, TimeUnit.SECONDS);
      senders.fanOutStarts();
      outbox.offer(frame(102));
      senders.fanOutEnds();

      await().atMost(Duration.ofSeconds(10)).until(() -> transport.frames().size() == 53);
      List<Long> expected = new ArrayList<>();
      for (long seq = 1; seq <= 50; seq++) {
        expected.add(seq);
      }
      expected.addAll(List.of(100L, 101L, 102L));
      assertThat(sequences(transport)).isEqualTo(expected);
      assertThat(transport.maxInFlight()).isEqualTo(1);
    } finally {
      senderThreads.shutdownNow();
      assertThat(senderThreads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void aClientWhoseWritesNeverCompleteDoesNotHoldUpTheWritesToOthers() {
    RecordingTransport stuck = RecordingTransport.completingOnDemand();
    RecordingTransport reading = RecordingTransport.completingInline();
    FanOutSenders senders = new FanOutSenders(pool::add, 16, ALWAYS_QUIET);
    Outbox stuckOutbox = new Outbox(stuck, 100, 100_000, stats, () -> {}, senders);
    Outbox readingOutbox = new Outbox(reading, 100, 100_000, stats, () -> {}, senders);

    for (long seq = 1; seq <= 20; seq++) {
      senders.fanOutStarts();
      stuckOutbox.offer(frame(seq));
      readingOutbox.offer(frame(seq));
      senders.fanOutEnds();
    }

    assertThat(sequences(reading)).hasSize(20).isSorted();
    assertThat(sequences(stuck)).containsExactly(1L);
    assertThat(stuckOutbox.queued()).isEqualTo(19);
    assertThat(pool).isEmpty();
  }
}
