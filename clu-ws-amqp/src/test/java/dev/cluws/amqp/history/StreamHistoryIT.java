package dev.cluws.amqp.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import dev.cluws.amqp.AmqpMessageSource;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.testing.TcpProxy;
import dev.cluws.amqp.testing.TestAmqp;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyHistory;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The history stream on the real RabbitMQ: declared, fed by the exchange, read from a time. */
class StreamHistoryIT {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final AmqpSettings settings = TestAmqp.settings();
  private final String stream = TestBroker.uniqueName("history");
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
    // Streams are durable: each test deletes its own, and with it the binding that kept the
    // auto-delete exchange.
    TestBroker.deleteQueue(stream);
  }

  private StreamHistory start(AmqpSettings amqp, HistorySettings history) {
    StreamHistory h = new StreamHistory(amqp, history, TestBroker.uniqueName("gw"));
    resources.add(h);
    h.start();
    return h;
  }

  private StreamHistory start() {
    return start(settings, HistorySettings.named(stream));
  }

  private CluTestActor actor() {
    CluTestActor actor = CluTestActor.start(settings.exchange(), TestBroker.uniqueName("actor"));
    resources.add(actor);
    return actor;
  }

  private static ReplyHistory.Read read(ReplyHistory history, Instant from, List<Reply> into)
      throws Exception {
    return history
        .read(from, into::add)
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private static List<Integer> numbers(List<Reply> replies) {
    return replies.stream().map(r -> r.body().path("n").asInt()).toList();
  }

  @Test
  void everyReplyPublishedToTheExchangeIsKeptAndReadBackInOrder() throws Exception {
    StreamHistory history = start();
    CluTestActor actor = actor();
    for (int i = 1; i <= 50; i++) {
      actor.broadcast(Map.of("n", i));
    }

    List<Reply> replies = new ArrayList<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              replies.clear();
              read(history, Instant.EPOCH, replies);
              return replies.size() == 50;
            });
    assertThat(numbers(replies))
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 50).boxed().toList());
    assertThat(replies.get(0).sender()).isEqualTo(actor.name());
    assertThat(replies.get(0).headers()).doesNotContainKey(StreamHistory.OFFSET_HEADER);
    assertThat(replies.get(0).exchange()).isEqualTo(settings.exchange());
  }

  @Test
  void aReadEndsAtWhatTheStreamHeldWhenItBeganWhileRepliesKeepArriving() throws Exception {
    StreamHistory history = start();
    CluTestActor actor = actor();
    for (int i = 1; i <= 20; i++) {
      actor.broadcast(Map.of("n", i));
    }
    List<Reply> seen = new CopyOnWriteArrayList<>();
    await()
        .atMost(WAIT)
        .until(() -> read(history, Instant.EPOCH, new ArrayList<>()).replies() == 20);

    // A reader that makes the actor publish more with every reply it reads still comes to an end.
    ReplyHistory.Read read =
        history
            .read(
                Instant.EPOCH,
                reply -> {
                  seen.add(reply);
                  actor.broadcast(Map.of("n", 1000 + seen.size()));
                  return true;
                })
            .toCompletableFuture()
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(read.stopped()).isFalse();
    assertThat(numbers(seen).subList(0, 20))
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 20).boxed().toList());
    assertThat(read.replies()).isEqualTo(seen.size());
  }

  @Test
  void aReadFromATimeSkipsRepliesOlderThanThatTime() throws Exception {
    StreamHistory history = start();
    CluTestActor actor = actor();
    Instant now = Instant.now();
    actor.publishRaw("reply.broadcast", props(now.minusSeconds(3600)), json("{\"n\": 1}"));
    actor.publishRaw("reply.broadcast", props(now.minusSeconds(600)), json("{\"n\": 2}"));
    actor.publishRaw("reply.broadcast", props(now), json("{\"n\": 3}"));
    await()
        .atMost(WAIT)
        .until(() -> read(history, Instant.EPOCH, new ArrayList<>()).replies() == 3);

    List<Reply> replies = new ArrayList<>();
    ReplyHistory.Read read = read(history, now.minusSeconds(900), replies);

    assertThat(numbers(replies)).containsExactly(2, 3);
    assertThat(read.keptSince()).isNull();
  }

  @Test
  void aReaderThatHasEnoughEndsTheRead() throws Exception {
    StreamHistory history = start();
    CluTestActor actor = actor();
    for (int i = 1; i <= 10; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await()
        .atMost(WAIT)
        .until(() -> read(history, Instant.EPOCH, new ArrayList<>()).replies() == 10);

    List<Reply> replies = new ArrayList<>();
    ReplyHistory.Read read =
        history
            .read(
                Instant.EPOCH,
                reply -> {
                  replies.add(reply);
                  return replies.size() < 3;
                })
            .toCompletableFuture()
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(read.stopped()).isTrue();
    assertThat(numbers(replies)).containsExactly(1, 2, 3);
  }

  @Test
  void aReaderGetsOnlyTheSendersItWantsAndCountsOnlyThose() throws Exception {
    StreamHistory history = start();
    CluTestActor wanted = actor();
    CluTestActor other = actor();
    for (int i = 1; i <= 10; i++) {
      wanted.broadcast(Map.of("n", i));
      other.broadcast(Map.of("n", 100 + i));
    }
    await()
        .atMost(WAIT)
        .until(() -> read(history, Instant.EPOCH, new ArrayList<>()).replies() == 20);

    List<Reply> replies = new ArrayList<>();
    ReplyHistory.Read read =
        history
            .read(
                Instant.EPOCH,
                new ReplyHistory.Visitor() {
                  @Override
                  public boolean wants(String sender) {
                    return wanted.name().equals(sender);
                  }

                  @Override
                  public boolean accept(Reply reply) {
                    replies.add(reply);
                    return true;
                  }
                })
            .toCompletableFuture()
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(numbers(replies))
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, 10).boxed().toList());
    assertThat(read.replies()).isEqualTo(10);
  }

  @Test
  void aReaderThatIsNotReadyReceivesAboutOneWindowUntilItIsReadyAgain() throws Exception {
    StreamHistory history = start();
    CluTestActor actor = actor();
    int count = 3 * StreamHistory.READ_PREFETCH;
    for (int i = 1; i <= count; i++) {
      actor.broadcast(Map.of("n", i));
    }
    await()
        .atMost(WAIT)
        .until(() -> read(history, Instant.EPOCH, new ArrayList<>()).replies() == count);

    List<Reply> replies = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean ready =
        new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<ReplyHistory.Read> read =
        history
            .read(
                Instant.EPOCH,
                new ReplyHistory.Visitor() {
                  @Override
                  public boolean ready() {
                    return ready.get();
                  }

                  @Override
                  public boolean accept(Reply reply) {
                    replies.add(reply);
                    return true;
                  }
                })
            .toCompletableFuture();

    // The broker sends one prefetch window (up to the end of the stream chunk it is in), and no
    // more while nothing is acknowledged.
    await().atMost(WAIT).until(() -> replies.size() >= StreamHistory.READ_PREFETCH);
    assertThat(read).isNotDone();
    assertThat(replies.size()).isLessThan(2 * StreamHistory.READ_PREFETCH);

    ready.set(true);
    ReplyHistory.Read outcome = read.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(outcome.replies()).isEqualTo(count);
    assertThat(numbers(replies))
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, count).boxed().toList());
  }

  @Test
  void whenRetentionDroppedTheOldestRepliesAReadSaysSinceWhenTheHistoryIsComplete()
      throws Exception {
    // 20 kB kept, in segments of 2 kB: a few hundred replies roll the oldest segments out.
    StreamHistory history =
        start(settings, HistorySettings.named(stream).withRetention(Duration.ofHours(1), 20_000));
    CluTestActor actor = actor();
    String padding = "x".repeat(200);
    int published = 0;
    ReplyHistory.Read read = null;
    List<Reply> replies = new ArrayList<>();
    for (int round = 0; round < 50; round++) {
      for (int i = 0; i < 100; i++) {
        actor.broadcast(Map.of("n", ++published, "padding", padding));
      }
      // The round is in the stream before the read appends its end marker: a marker appended
      // amid the round could be rolled out by the rest of it (more than the whole retention)
      // before the read reaches it, and the read would wait for it in vain.
      actor.awaitPublished();
      replies.clear();
      read = read(history, Instant.EPOCH, replies);
      // A busy broker may write a whole round in one chunk, whose segment retention then drops at
      // once: the read then rightly finds nothing kept before its own end marker. Go on until a
      // read finds part of the replies kept.
      if (read.keptSince() != null && !replies.isEmpty()) {
        break;
      }
    }

    assertThat(read.keptSince()).isNotNull();
    assertThat(replies).isNotEmpty();
    assertThat(replies.get(0).body().path("n").asInt()).isGreaterThan(1);
  }

  @Test
  void aHistoryClosedRightAfterItsReadsLeavesNoChannelForAmqpClientToWaitFor() throws Exception {
    // A read's channel is closed on the history's thread after the read ends; a close of the
    // history that overtook it left amqp-client waiting 10 s for the channel's consumers, on a
    // thread of its own, then logging a warning (9 of 40 closes here).
    for (int i = 0; i < 20; i++) {
      StreamHistory history =
          new StreamHistory(settings, HistorySettings.named(stream), TestBroker.uniqueName("gw"));
      history.start();
      try {
        read(history, Instant.EPOCH, new ArrayList<>());
      } finally {
        history.close();
      }
    }

    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () ->
                assertThat(Thread.getAllStackTraces().keySet())
                    .extracting(Thread::getName)
                    .doesNotContain("ConsumerWorkService shutdown monitor"));
  }

  @Test
  void aReadMarkerNeverReachesAGatewaysRepliesQueue() throws Exception {
    StreamHistory history = start();
    AmqpMessageSource source = new AmqpMessageSource(settings, TestBroker.uniqueName("gw"));
    resources.add(source);
    List<Reply> live = new CopyOnWriteArrayList<>();
    source.start(live::add);
    CluTestActor actor = actor();

    read(history, Instant.EPOCH, new ArrayList<>());
    actor.broadcast(Map.of("n", 1));

    await().atMost(WAIT).until(() -> live.size() == 1);
    assertThat(source.deliveredCount()).isEqualTo(1);
    assertThat(source.invalidCount()).isZero();
  }

  @Test
  void aSecondInstanceWithOtherRetentionIsRefusedWithAReason() {
    start();
    StreamHistory other =
        new StreamHistory(
            settings,
            HistorySettings.named(stream).withRetention(Duration.ofMinutes(5), 1_000_000),
            TestBroker.uniqueName("gw"));
    resources.add(other);

    assertThatThrownBy(other::start)
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("exists with other arguments")
        .hasMessageContaining("--history-max-age");
  }

  @Test
  void afterABrokerRestartReCreatesTheExchangeTheStreamIsBoundAgain() throws Exception {
    TcpProxy proxy = TcpProxy.toTestBroker();
    resources.add(proxy);
    StreamHistory history =
        start(
            settings.withPort(proxy.port()).withRecoveryInterval(Duration.ofMillis(300)),
            HistorySettings.named(stream));
    proxy.cut();
    // What a broker restart does to CLU's exchange: it is gone, and with it the stream's binding.
    try (Connection admin = TestBroker.connect(TestBroker.uniqueName("admin"))) {
      admin.createChannel().exchangeDelete(settings.exchange());
    }
    proxy.restore();
    await().atMost(WAIT).until(() -> history.bindCount() == 2);

    CluTestActor actor = actor();
    actor.broadcast(Map.of("n", 7));
    List<Reply> replies = new ArrayList<>();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              replies.clear();
              read(history, Instant.EPOCH, replies);
              return !replies.isEmpty();
            });
    assertThat(numbers(replies)).containsExactly(7);
  }

  private static AMQP.BasicProperties props(Instant timestamp) {
    return new AMQP.BasicProperties.Builder()
        .contentType("text/json")
        .messageId(TestBroker.uniqueName("m"))
        .timestamp(Date.from(timestamp))
        .headers(Map.of("message_code", "i", "sender", "someone", "internal", false))
        .build();
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
