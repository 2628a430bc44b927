package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client's joining (its replay with {@code since=}, its snapshot at connect or on request) is
 * filtered and encoded outside the hub's lock: the other clients' live replies never wait for it,
 * and the joining client still gets its replay or snapshot, then every live reply, in order, each
 * once.
 */
class JoinTest extends InMemoryGatewayTestBase {
  /** Generous: only a hub blocked by the join (30 s, the filter's own limit) would miss it. */
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ExecutorService joiner = Executors.newSingleThreadExecutor();
  private final ExecutorService pusher = Executors.newSingleThreadExecutor();

  @AfterEach
  void releaseAndStop() {
    filters.unblock.countDown();
    joiner.shutdownNow();
    pusher.shutdownNow();
  }

  private void push(String actor, int n) {
    source.push(TestReplies.reply(actor, "i", null, "{\"n\": " + n + "}"));
  }

  private static boolean fromGateway(JsonNode frame) {
    return NAME.equals(frame.path("headers").path("sender").asText());
  }

  private static boolean isSnapshot(JsonNode frame) {
    return frame.path("headers").path("snapshot").asBoolean(false);
  }

  private static List<Integer> numbers(List<JsonNode> frames) {
    List<Integer> result = new ArrayList<>();
    for (JsonNode frame : frames) {
      if (!fromGateway(frame) && !isSnapshot(frame)) {
        result.add(frame.path("body").path("n").asInt());
      }
    }
    return result;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> result = new ArrayList<>();
    for (int n = from; n <= to; n++) {
      result.add(n);
    }
    return result;
  }

  /** Pushes live replies {@code from..to} of {@code actor} on another thread, within the bound. */
  private void pushWithinBound(String actor, int from, int to) throws Exception {
    Future<?> pushing =
        pusher.submit(
            () -> {
              for (int n = from; n <= to; n++) {
                push(actor, n);
              }
            });
    pushing.get(BOUND.toSeconds(), TimeUnit.SECONDS); // times out if the join holds the hub
  }

  @Test
  void anotherClientKeepsReceivingLiveRepliesWhileAReplayOf10000FramesIsFiltered()
      throws Exception {
    gateway.close();
    gateway = gateway(b -> b.replay(10_000, 64L << 20));
    RecordingTransport reader = RecordingTransport.completingInline();
    connect("", reader);
    for (int n = 1; n <= 10_000; n++) {
      push("lvmecp", n);
    }
    RecordingTransport joining = RecordingTransport.completingInline();
    filters.blockArmed.set(true);
    Future<ClientConnection> join = joiner.submit(() -> connect("since=0&blocking", joining));
    assertThat(filters.blockEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

    pushWithinBound("lvmecp", 10_001, 10_100);

    assertThat(numbers(reader.json())).isEqualTo(range(1, 10_100));
    assertThat(joining.frames()).isEmpty(); // its first replayed reply is still being filtered
    assertThat(gateway.hub().clientCount()).isEqualTo(2); // registered before its replay
    filters.unblock.countDown();
    join.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    push("lvmecp", 10_101);

    List<JsonNode> frames = joining.json();
    assertThat(numbers(frames)).isEqualTo(range(1, 10_101));
    JsonNode notice = frames.get(10_000);
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("replayed").asInt()).isEqualTo(10_000);
    assertThat(notice.path("body").path("last").asInt()).isEqualTo(10_000);
  }

  @Test
  void anotherClientKeepsReceivingLiveRepliesWhileASnapshotOf1000ActorsIsFiltered()
      throws Exception {
    gateway.close();
    gateway = gateway(b -> b.state(1_000, 100, 64L << 20));
    RecordingTransport reader = RecordingTransport.completingInline();
    connect("", reader);
    for (int a = 0; a < 1_000; a++) {
      push(String.format("actor%04d", a), a);
    }
    RecordingTransport joining = RecordingTransport.completingInline();
    filters.blockArmed.set(true);
    Future<ClientConnection> join = joiner.submit(() -> connect("snapshot=true&blocking", joining));
    assertThat(filters.blockEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

    // actor0000's value changes while its old value is being filtered for the snapshot.
    pushWithinBound("actor0000", 1_000, 1_099);

    assertThat(numbers(reader.json()).subList(1_000, 1_100)).isEqualTo(range(1_000, 1_099));
    assertThat(joining.frames()).isEmpty();
    filters.unblock.countDown();
    join.get(BOUND.toSeconds(), TimeUnit.SECONDS);

    List<JsonNode> frames = joining.json();
    assertThat(frames).hasSize(1_000 + 1 + 100);
    for (int a = 0; a < 1_000; a++) {
      assertThat(isSnapshot(frames.get(a))).isTrue();
      assertThat(frames.get(a).path("body").path("n").asInt()).isEqualTo(a);
    }
    assertThat(frames.get(1_000).path("body").path("actors").asInt()).isEqualTo(1_000);
    // The live replies held back meanwhile follow the snapshot: the state never rolls back.
    assertThat(numbers(frames)).isEqualTo(range(1_000, 1_099));
  }

  @Test
  void aSnapshotAskedForLaterDoesNotHoldOtherClientsLiveReplies() throws Exception {
    RecordingTransport reader = RecordingTransport.completingInline();
    connect("", reader);
    push("lvmecp", 1);
    RecordingTransport asking = RecordingTransport.completingInline();
    ClientConnection client = connect("blocking", asking);
    filters.blockArmed.set(true);
    Future<?> snapshot =
        joiner.submit(() -> client.onText("{\"control\": \"snapshot\", \"command_id\": \"s\"}"));
    assertThat(filters.blockEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

    pushWithinBound("lvmecp", 2, 50);

    assertThat(numbers(reader.json())).isEqualTo(range(1, 50));
    filters.unblock.countDown();
    snapshot.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    List<JsonNode> frames = asking.json();
    // The snapshot (taken before reply 2), its end, then the live replies held back meanwhile.
    assertThat(isSnapshot(frames.get(0))).isTrue();
    assertThat(frames.get(0).path("body").path("n").asInt()).isEqualTo(1);
    assertThat(code(frames.get(1))).isEqualTo(":");
    assertThat(frames.get(1).path("headers").path("command_id").asText()).isEqualTo("s");
    assertThat(numbers(frames)).isEqualTo(range(2, 50));
  }

  @Test
  void clientsThatConnectWithSinceDuringALiveStreamGetEveryReplyOnceInOrder() throws Exception {
    int replies = 3000;
    gateway.close();
    gateway = gateway(b -> b.replay(replies, 64L << 20));
    List<RecordingTransport> transports = new ArrayList<>();
    // The stream is live when the first client joins, and goes on until it has: on a fast
    // machine the pusher would otherwise finish before the first connect.
    CountDownLatch streaming = new CountDownLatch(1);
    CountDownLatch joined = new CountDownLatch(1);
    Future<?> pushing =
        pusher.submit(
            () -> {
              for (int n = 1; n <= replies; n++) {
                push("lvmecp", n);
                if (n == replies / 3) {
                  streaming.countDown();
                  assertThat(joined.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
                }
              }
              return null;
            });
    assertThat(streaming.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 100 && (i == 0 || !pushing.isDone()); i++) {
      RecordingTransport transport = RecordingTransport.completingInline();
      connect("since=0", transport);
      transports.add(transport);
      joined.countDown();
      Thread.yield();
    }
    pushing.get(30, TimeUnit.SECONDS);

    for (RecordingTransport transport : transports) {
      List<JsonNode> frames = transport.json();
      assertThat(numbers(frames)).isEqualTo(range(1, replies));
      // The replay notice sits exactly between the replayed replies and the live ones.
      int noticeAt = -1;
      for (int i = 0; i < frames.size(); i++) {
        if (fromGateway(frames.get(i))) {
          assertThat(noticeAt).as("one replay notice").isEqualTo(-1);
          noticeAt = i;
        }
      }
      assertThat(frames.get(noticeAt).path("body").path("last").asInt()).isEqualTo(noticeAt);
    }
  }

  @Test
  void aClientThatClosesWhileJoiningLeavesNothingQueuedOrRegistered() throws Exception {
    push("lvmecp", 1);
    RecordingTransport joining = RecordingTransport.completingInline();
    filters.blockArmed.set(true);
    Future<ClientConnection> join = joiner.submit(() -> connect("since=0&blocking", joining));
    assertThat(filters.blockEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
    pushWithinBound("lvmecp", 2, 20);
    ClientConnection client = gateway.hub().clients().get(0);
    assertThat(client.outbox().queued()).isEqualTo(19); // held back behind its replay

    client.close();

    assertThat(client.outbox().queued()).isZero();
    assertThat(client.outbox().isHeld()).isFalse();
    assertThat(gateway.hub().clientCount()).isZero();
    filters.unblock.countDown();
    assertThat(join.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isSameAs(client);
    push("lvmecp", 21);
    assertThat(joining.frames()).isEmpty();
    assertThat(client.outbox().queued()).isZero();
    assertThat(gateway.hub().clientCount()).isZero();
    assertThat(gateway.admission().inUse()).isZero();
  }

  @Test
  void liveRepliesHeldBackDuringAJoinCountAgainstTheOutboxBoundAndFlowControl() throws Exception {
    gateway.close();
    gateway = gateway(b -> b.outbox(10, 1L << 20));
    push("lvmecp", 0);
    RecordingTransport joining = RecordingTransport.completingInline();
    filters.blockArmed.set(true);
    Future<ClientConnection> join = joiner.submit(() -> connect("since=0&blocking", joining));
    assertThat(filters.blockEntered.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();

    pushWithinBound("lvmecp", 1, 20);

    // Over its bound: the gateway takes no more from the broker until the client catches up.
    assertThat(gateway.hub().hasRoom()).isFalse();
    filters.unblock.countDown();
    join.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(gateway.hub().hasRoom()).isTrue(); // sends complete inline in these tests
    assertThat(numbers(joining.json())).isEqualTo(range(0, 20));
  }
}
