package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.reply.Hub;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.Reply;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The current state and its snapshots: contents, filters, and order against the live stream. */
class SnapshotTest extends InMemoryGatewayTestBase {
  private static Reply reply(String actor, String body, Instant timestamp) {
    Reply r = TestReplies.reply(actor, "i", null, body);
    return new Reply(
        r.headers(), r.exchange(), r.routingKey(), r.messageId(), null, timestamp, r.body());
  }

  private void push(String actor, String body) {
    source.push(TestReplies.reply(actor, "i", null, body));
  }

  private static boolean isSnapshot(JsonNode frame) {
    return frame.path("headers").path("snapshot").asBoolean(false);
  }

  /**
   * Short descriptions of the frames: "snapshot lvmecp {...}", "live lvmecp {...}", "gw : {...}".
   */
  private static List<String> describe(RecordingTransport transport) {
    List<String> result = new ArrayList<>();
    for (JsonNode frame : transport.json()) {
      String sender = frame.path("headers").path("sender").asText();
      String kind = isSnapshot(frame) ? "snapshot" : NAME.equals(sender) ? "gw" : "live";
      result.add(
          kind
              + " "
              + (kind.equals("gw") ? code(frame) : sender)
              + " "
              + (kind.equals("gw")
                  ? frame.path("body").path("actors").asText()
                  : frame.path("body")));
    }
    return result;
  }

  // --- what a snapshot holds

  @Test
  void aSnapshotCarriesTheLatestValueOfEveryKeywordOfEachActorInOneFrameEach() {
    Instant first = Instant.parse("2026-11-24T01:00:00Z");
    Instant newest = Instant.parse("2026-11-24T01:02:03Z");
    source.push(reply("lvmecp", "{\"dome\": \"open\", \"lights\": 1}", first));
    source.push(reply("lvmecp", "{\"lights\": 2}", newest));
    source.push(reply("lvmecp", "{\"hvac\": true}", first));
    source.push(reply("jaeger", "{\"state\": \"idle\"}", first));
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n1\"}");

    List<JsonNode> frames = transport.json();
    assertThat(frames).hasSize(3);
    JsonNode jaeger = frames.get(0);
    JsonNode lvmecp = frames.get(1);
    assertThat(jaeger.path("headers").path("sender").asText()).isEqualTo("jaeger");
    assertThat(lvmecp.path("headers").toString())
        .isEqualTo(
            "{\"command_id\":\"n1\",\"commander_id\":null,\"internal\":false,"
                + "\"message_code\":\"i\",\"sender\":\"lvmecp\",\"snapshot\":true}");
    assertThat(lvmecp.path("exchange").asText()).isEmpty();
    assertThat(lvmecp.path("routing_key").asText()).isEmpty();
    assertThat(lvmecp.path("message_id").asText()).matches("[0-9a-f]{32}");
    assertThat(lvmecp.path("timestamp").asText()).isEqualTo("2026-11-24T01:02:03+00:00");
    assertThat(lvmecp.path("body").toString())
        .isEqualTo("{\"dome\":\"open\",\"lights\":2,\"hvac\":true}");
    JsonNode done = frames.get(2);
    assertThat(code(done)).isEqualTo(":");
    assertThat(done.path("headers").path("sender").asText()).isEqualTo(NAME);
    assertThat(done.path("headers").path("command_id").asText()).isEqualTo("n1");
    assertThat(done.path("body").toString())
        .isEqualTo(
            "{\"control\":\"snapshot\",\"actors\":2,\"text\":\"snapshot of 2 actors sent\"}");
  }

  @Test
  void aSnapshotForSomeActorsHoldsOnlyTheActorsTheNamesAndPatternsMatch() {
    push("lvmecp", "{\"a\": 1}");
    push("lvmnps", "{\"a\": 1}");
    push("jaeger", "{\"a\": 1}");
    push("fliswarm", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\", \"actors\": [\"lvm*\", \"fliswarm\"]}");

    assertThat(describe(transport))
        .containsExactly(
            "snapshot fliswarm {\"a\":1}",
            "snapshot lvmecp {\"a\":1}",
            "snapshot lvmnps {\"a\":1}",
            "gw : 3");
  }

  @Test
  void aSnapshotOfActorsWithoutStateSaysSo() {
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n2\", \"actors\": \"nobody\"}");

    assertThat(transport.json())
        .singleElement()
        .extracting(f -> f.path("body").toString())
        .isEqualTo(
            "{\"control\":\"snapshot\",\"actors\":0,"
                + "\"text\":\"snapshot: the gateway holds no state for the actors asked for\"}");
  }

  @Test
  void theGatewaysOwnFramesAreNotPartOfTheState() {
    source.changeState(dev.cluws.core.spi.SourceState.DOWN);
    source.changeState(dev.cluws.core.spi.SourceState.UP);
    push(NAME, "{\"broker\": \"connected\"}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\"}");

    assertThat(describe(transport)).containsExactly("gw : 0");
  }

  // --- through the client's filters

  @Test
  void aSnapshotPassesThroughTheClientsFilters() {
    push("lvmecp", "{\"dome\": \"open\", \"text\": \"x\"}");
    push("lvmnps", "{\"dome\": \"n/a\"}");
    push("jaeger", "{\"text\": \"y\"}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvm*&keywords=dome", transport);

    client.onText("{\"control\": \"snapshot\"}");

    assertThat(describe(transport))
        .containsExactly(
            "snapshot lvmecp {\"dome\":\"open\"}", "snapshot lvmnps {\"dome\":\"n/a\"}", "gw : 2");
  }

  @Test
  void aSnapshotHoldsNoActorTheAccessPolicyHidesFromTheClient() {
    gateway.close();
    gateway = gateway(b -> b, hidingRepliesFrom("secret"));
    push("secret", "{\"key\": 1}");
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();

    ClientConnection client = connect("everything=on&snapshot=true", transport);
    client.onText("{\"control\": \"snapshot\", \"actors\": [\"secret\"]}");

    assertThat(describe(transport))
        .containsExactly("snapshot lvmecp {\"a\":1}", "gw i 1", "gw : 0");
  }

  @Test
  void aSnapshotFollowsTheSubscriptionAControlFrameChanged() {
    push("lvmecp", "{\"a\": 1}");
    push("jaeger", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp", transport);

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"actors\": \"jaeger\"}}");
    client.onText("{\"control\": \"snapshot\"}");

    assertThat(describe(transport)).containsExactly("gw : ", "snapshot jaeger {\"a\":1}", "gw : 1");
  }

  @Test
  void snapshotFramesPassAFilterForTheClientsOwnCommands() {
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("own=true", transport);

    client.onText("{\"control\": \"snapshot\"}");
    push("lvmecp", "{\"a\": 2}");

    assertThat(describe(transport)).containsExactly("snapshot lvmecp {\"a\":1}", "gw : 1");
  }

  @Test
  void aFilterThatFailsOnASnapshotFrameIsReportedAndTheFrameNotSent() {
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("throwing=on", transport);

    client.onText("{\"control\": \"snapshot\"}");

    List<JsonNode> frames = transport.json();
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).path("body").path("error").asText())
        .startsWith("filter 'throwing' failed on a reply from lvmecp;");
    assertThat(frames.get(1).path("body").path("actors").asInt()).isZero();
  }

  // --- at connect

  @Test
  void snapshotAtConnectComesBeforeAnyLiveReplyAndEndsWithAnInfoFrame() {
    push("lvmecp", "{\"a\": 1}");
    push("lvmecp", "{\"a\": 2, \"b\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("snapshot=true", transport);
    push("lvmecp", "{\"a\": 3}");

    assertThat(describe(transport))
        .containsExactly("snapshot lvmecp {\"a\":2,\"b\":1}", "gw i 1", "live lvmecp {\"a\":3}");
    assertThat(transport.json().get(1).path("headers").path("command_id").isNull()).isTrue();
  }

  @Test
  void withSinceAndSnapshotTheReplayComesFirstThenTheSnapshotThenLiveReplies() {
    push("lvmecp", "{\"a\": 1}");
    push("lvmecp", "{\"a\": 2}");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=1&snapshot=true", transport);
    push("lvmecp", "{\"a\": 3}");

    assertThat(describe(transport))
        .containsExactly(
            "live lvmecp {\"a\":2}",
            "gw i ", // the replay notice
            "snapshot lvmecp {\"a\":2}",
            "gw i 1",
            "live lvmecp {\"a\":3}");
  }

  @Test
  void aClientWithoutSnapshotGetsNoSnapshotFrames() {
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("snapshot=false", transport);
    push("lvmecp", "{\"a\": 2}");

    assertThat(describe(transport)).containsExactly("live lvmecp {\"a\":2}");
  }

  // --- without state

  @Test
  void snapshotAtConnectIsRefusedByAGatewayThatKeepsNoState() {
    gateway.close();
    gateway = gateway(b -> b.state(0, 1, 1));

    assertThatThrownBy(() -> gateway.subscribe(query("snapshot=true")))
        .isInstanceOf(SubscriptionException.class)
        .hasMessage(
            "invalid parameter 'snapshot': this gateway keeps no state (it runs with"
                + " --state-actors 0)");
  }

  @Test
  void aSnapshotFrameIsAnsweredWithAnErrorByAGatewayThatKeepsNoState() {
    gateway.close();
    gateway = gateway(b -> b.state(0, 1, 1));
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n3\"}");

    JsonNode error = transport.json().get(0);
    assertThat(transport.json()).hasSize(1);
    assertThat(code(error)).isEqualTo("e");
    assertThat(error.path("headers").path("command_id").asText()).isEqualTo("n3");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "this gateway keeps no state, so it has no snapshot (it runs with --state-actors 0)");
  }

  @Test
  void theHubReportsTheStateAndItsEvictions() {
    gateway.close();
    gateway = gateway(b -> b.state(2, 2, 1_000_000));

    push("a", "{\"k1\": 1, \"k2\": 2, \"k3\": 3}");
    push("b", "{\"k1\": 1}");
    push("c", "{\"k1\": 1}");

    Hub hub = gateway.hub();
    assertThat(hub.stateActors()).isEqualTo(2);
    assertThat(hub.stateActorsEvicted()).isEqualTo(1);
    assertThat(hub.stateKeywordsEvicted()).isEqualTo(1 + 2); // k1 of a, then a's k2 and k3
    assertThat(hub.stateBytes()).isPositive();
  }

  @Test
  void aSnapshotIsRefusedWhileTheClientHasNotReadTheFramesQueuedForIt() {
    gateway.close();
    gateway = gateway(b -> b.outbox(40, 1_000_000));
    for (int i = 0; i < 50; i++) {
      push("actor" + i, "{\"a\": " + i + "}");
    }
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    ClientConnection client = connect("", transport);
    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n1\"}");
    int queued = client.outbox().queued(); // all but the frame in flight
    assertThat(queued).isEqualTo(50);

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n2\"}");

    // Only the refusal was queued, not another snapshot; the client is still connected.
    assertThat(client.outbox().queued()).isEqualTo(queued + 1);
    assertThat(client.isClosed()).isFalse();
    transport.completeInlineFromNowOn();
    transport.completeNext();
    JsonNode refusal = transport.json().get(transport.json().size() - 1);
    assertThat(code(refusal)).isEqualTo("e");
    assertThat(refusal.path("headers").path("command_id").asText()).isEqualTo("n2");
    assertThat(refusal.path("body").path("error").asText())
        .isEqualTo(
            "snapshot refused: 50 frames are still waiting to be sent to this connection (its"
                + " outbox is full); read them, then ask again");

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"n3\"}");

    JsonNode done = transport.json().get(transport.json().size() - 1);
    assertThat(done.path("headers").path("command_id").asText()).isEqualTo("n3");
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(50);
  }

  @Test
  void snapshotsCountAgainstTheClientsCommandRate() {
    gateway.close();
    gateway = gateway(b -> b.commandRate(0.001, 2));
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"snapshot\", \"command_id\": \"r1\"}");
    client.onText("{\"control\": \"snapshot\", \"command_id\": \"r2\"}");
    client.onText("{\"control\": \"snapshot\", \"command_id\": \"r3\"}");

    JsonNode refusal = transport.json().get(transport.json().size() - 1);
    assertThat(code(refusal)).isEqualTo("e");
    assertThat(refusal.path("headers").path("command_id").asText()).isEqualTo("r3");
    assertThat(refusal.path("body").path("error").asText())
        .startsWith("snapshot refused: rate limit exceeded (a snapshot counts as a command;");
    assertThat(transport.json().stream().filter(SnapshotTest::isSnapshot)).hasSize(2);
  }

  @Test
  void aSnapshotLargerThanTwiceTheOutboxBoundStillReachesAClientThatJustConnected() {
    gateway.close();
    gateway = gateway(b -> b.outbox(4, 1_000));
    for (int i = 0; i < 30; i++) {
      push("actor" + i, "{\"text\": \"" + "x".repeat(100) + "\"}");
    }
    RecordingTransport transport = RecordingTransport.completingOnDemand();

    ClientConnection client = connect("snapshot=true", transport);

    assertThat(client.isClosed()).isFalse();
    transport.completeInlineFromNowOn();
    transport.completeNext();
    assertThat(transport.json().stream().filter(SnapshotTest::isSnapshot)).hasSize(30);
  }

  @Test
  void snapshotGivenWithoutAValueMeansTrue() {
    push("lvmecp", "{\"a\": 1}");
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("snapshot", transport);

    assertThat(transport.json()).anyMatch(SnapshotTest::isSnapshot);
  }

  // --- order against the live stream

  @Test
  void noReplyInTheSnapshotArrivesAfterItAndEveryLaterOneArrivesAfterIt() {
    push("lvmecp", "{\"n\": 1}");
    push("lvmecp", "{\"n\": 2}");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);
    push("lvmecp", "{\"n\": 3}");

    client.onText("{\"control\": \"snapshot\"}");
    push("lvmecp", "{\"n\": 4}");

    assertThat(describe(transport))
        .containsExactly(
            "live lvmecp {\"n\":3}",
            "snapshot lvmecp {\"n\":3}",
            "gw : 1",
            "live lvmecp {\"n\":4}");
  }

  @Test
  void snapshotsAskedForDuringALiveStreamNeverRollTheStateBack() throws Exception {
    int replies = 3000;
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);
    ExecutorService pusher = Executors.newSingleThreadExecutor();
    try {
      Future<?> pushing =
          pusher.submit(
              () -> {
                for (int n = 1; n <= replies; n++) {
                  push("lvmecp", "{\"n\": " + n + "}");
                }
              });
      for (int i = 0; i < 200 && !pushing.isDone(); i++) {
        client.onText("{\"control\": \"snapshot\"}");
        Thread.yield();
      }
      pushing.get(30, TimeUnit.SECONDS);
    } finally {
      pusher.shutdownNow();
    }

    // Live replies arrive in order, each once; every snapshot sits right after the live reply
    // whose value it holds, so the state a client builds never goes back.
    int lastLive = 0;
    int state = 0;
    int snapshots = 0;
    for (JsonNode frame : transport.json()) {
      if (NAME.equals(frame.path("headers").path("sender").asText())) {
        continue;
      }
      int n = frame.path("body").path("n").asInt();
      if (isSnapshot(frame)) {
        assertThat(n).as("snapshot after live reply %d", lastLive).isEqualTo(lastLive);
        snapshots++;
      } else {
        assertThat(n).isEqualTo(lastLive + 1);
        lastLive = n;
      }
      assertThat(n).isGreaterThanOrEqualTo(state);
      state = n;
    }
    assertThat(lastLive).isEqualTo(replies);
    assertThat(snapshots).isPositive();
  }

  @Test
  void clientsThatConnectWithSnapshotDuringALiveStreamMissNothingAndGetNothingTwice()
      throws Exception {
    int replies = 3000;
    List<RecordingTransport> transports = new ArrayList<>();
    ExecutorService pusher = Executors.newSingleThreadExecutor();
    try {
      Future<?> pushing =
          pusher.submit(
              () -> {
                for (int n = 1; n <= replies; n++) {
                  push("lvmecp", "{\"n\": " + n + "}");
                }
              });
      for (int i = 0; i < 100 && !pushing.isDone(); i++) {
        RecordingTransport transport = RecordingTransport.completingInline();
        connect("snapshot=true", transport);
        transports.add(transport);
        Thread.yield();
      }
      pushing.get(30, TimeUnit.SECONDS);
    } finally {
      pusher.shutdownNow();
    }

    assertThat(transports).isNotEmpty();
    for (RecordingTransport transport : transports) {
      Iterator<JsonNode> frames = transport.json().iterator();
      int expected = 1;
      JsonNode first = frames.next();
      if (isSnapshot(first)) {
        expected = first.path("body").path("n").asInt() + 1;
        assertThat(code(frames.next())).isEqualTo("i"); // the end of the snapshot
      } else {
        // the state was still empty: only the end of the snapshot, then every reply
        assertThat(first.path("body").path("actors").asInt()).isZero();
      }
      while (frames.hasNext()) {
        assertThat(frames.next().path("body").path("n").asInt()).isEqualTo(expected++);
      }
      assertThat(expected - 1).isEqualTo(replies);
    }
  }

  @Test
  void aSnapshotHoldsEachActorOnceWhateverTheOrderOfItsUpdates() {
    Map<String, Integer> latest = new LinkedHashMap<>();
    String[] actors = {"c", "a", "b"};
    for (int i = 0; i < 30; i++) {
      String actor = actors[i % 3];
      push(actor, "{\"n\": " + i + "}");
      latest.put(actor, i);
    }
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("snapshot=true", transport);

    assertThat(describe(transport))
        .containsExactly(
            "snapshot a {\"n\":" + latest.get("a") + "}",
            "snapshot b {\"n\":" + latest.get("b") + "}",
            "snapshot c {\"n\":" + latest.get("c") + "}",
            "gw i 3");
  }
}
