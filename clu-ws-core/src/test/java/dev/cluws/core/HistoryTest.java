package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.reply.HistoryRequests;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A gateway with a shared history: the state rebuilt from it at start, and history requests
 * (control frame and {@code history=} at connect) with their bounds and visibility.
 */
class HistoryTest extends InMemoryGatewayTestBase {
  private final InMemoryHistory history = new InMemoryHistory();

  private Gateway withHistory(UnaryOperator<GatewaySettings.Builder> adjust, AccessPolicy policy) {
    gateway.close();
    Gateway built =
        Gateway.builder()
            .sendExecutor(Outbox.DIRECT)
            .gatewaySettings(adjust.apply(GatewaySettings.named(NAME).toBuilder()).build())
            .source(source)
            .sink(sink)
            .accessPolicy(policy)
            .filterProviders(filters.catalog())
            .history(history)
            .build();
    built.start();
    gateway = built;
    return built;
  }

  private Gateway withHistory() {
    return withHistory(b -> b, AccessPolicy.ALLOW_ALL);
  }

  private static Reply at(String actor, String body, Instant timestamp) {
    return message(java.util.UUID.randomUUID().toString(), actor, body, timestamp);
  }

  private static Reply message(String id, String actor, String body, Instant timestamp) {
    Reply r = TestReplies.reply(actor, "i", null, body);
    return new Reply(r.headers(), r.exchange(), r.routingKey(), id, null, timestamp, r.body());
  }

  private static Reply n(int n) {
    return message("m" + n, "lvmecp", "{\"n\": " + n + "}", minutesAgo(30 - n));
  }

  private static Instant secondsAgo(long seconds) {
    return Instant.now().minusSeconds(seconds);
  }

  private static Instant minutesAgo(long minutes) {
    return Instant.now().minusSeconds(60 * minutes);
  }

  /** The frames the client received, as "history <actor> <body>", "live ...", "gw <code> <body>". */
  private static List<String> describe(RecordingTransport transport) {
    List<String> result = new ArrayList<>();
    for (JsonNode frame : transport.json()) {
      String sender = frame.path("headers").path("sender").asText();
      boolean history = frame.path("headers").path("history").asBoolean(false);
      boolean snapshot = frame.path("headers").path("snapshot").asBoolean(false);
      String kind =
          history ? "history" : snapshot ? "snapshot" : NAME.equals(sender) ? "gw" : "live";
      result.add(
          kind + " " + (kind.equals("gw") ? code(frame) : sender) + " " + frame.path("body"));
    }
    return result;
  }

  private static JsonNode last(RecordingTransport transport) {
    List<JsonNode> frames = transport.json();
    return frames.get(frames.size() - 1);
  }

  // --- the state, rebuilt at start

  @Test
  void aGatewayWithAHistoryRebuildsItsStateFromItAndIsNotReadyUntilThen() {
    history.append(at("lvmecp", "{\"dome\": \"open\", \"lights\": 1}", minutesAgo(30)));
    history.append(at("jaeger", "{\"state\": \"idle\"}", minutesAgo(20)));
    history.holdReads();
    withHistory();

    assertThat(history.started).isTrue();
    assertThat(gateway.catchingUp()).startsWith("catching up: rebuilding the current state");
    history.releaseReads();
    assertThat(gateway.catchingUp()).isNull();

    RecordingTransport transport = RecordingTransport.completingInline();
    connect("snapshot=true", transport);
    assertThat(describe(transport))
        .containsExactly(
            "snapshot jaeger {\"state\":\"idle\"}",
            "snapshot lvmecp {\"dome\":\"open\",\"lights\":1}",
            "gw i {\"control\":\"snapshot\",\"actors\":2,\"text\":\"snapshot of 2 actors sent\"}");
  }

  @Test
  void aValueALiveReplySetWhileTheStateWasRebuiltIsNotRolledBackByTheHistory() {
    history.append(at("lvmecp", "{\"dome\": \"closed\", \"lights\": 1}", minutesAgo(30)));
    history.holdReads();
    withHistory();
    source.push(at("lvmecp", "{\"dome\": \"open\"}", Instant.now()));
    history.releaseReads();

    RecordingTransport transport = RecordingTransport.completingInline();
    connect("snapshot=true", transport);
    assertThat(describe(transport).get(0))
        .isEqualTo("snapshot lvmecp {\"dome\":\"open\",\"lights\":1}");
  }

  @Test
  void afterTheSourceLostRepliesTheStateTakesTheValuesTheyChangedFromTheHistory() {
    withHistory();
    receivedAndKept(at("lvmecp", "{\"dome\": \"closed\", \"lights\": 1}", secondsAgo(3)));
    history.append(at("lvmecp", "{\"dome\": \"open\", \"lights\": 2}", secondsAgo(2))); // lost
    history.holdReads(); // the repair reads once the test lets it
    gateway.hub().onRepliesLost("the queue was gone");
    receivedAndKept(at("lvmecp", "{\"lights\": 3}", secondsAgo(1))); // received since the loss

    history.releaseReads();

    assertThat(firstSnapshotFrame()).isEqualTo("snapshot lvmecp {\"dome\":\"open\",\"lights\":3}");
  }

  @Test
  void aRepairThatCannotReadTheHistoryYetTriesAgain() {
    withHistory();
    receivedAndKept(at("lvmecp", "{\"dome\": \"closed\"}", secondsAgo(3)));
    history.append(at("lvmecp", "{\"dome\": \"open\"}", secondsAgo(2))); // lost
    history.failReads(1); // its own connection is not back yet
    int readsBefore = history.reads();

    gateway.hub().onRepliesLost("the queue was gone");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> firstSnapshotFrame().equals("snapshot lvmecp {\"dome\":\"open\"}"));
    assertThat(history.reads()).isEqualTo(readsBefore + 2);
  }

  @Test
  void lossesWhileARepairWaitsToTryAgainAreRepairedByOneRead() {
    withHistory();
    receivedAndKept(at("lvmecp", "{\"dome\": \"closed\"}", secondsAgo(5)));
    history.append(at("lvmecp", "{\"dome\": \"open\"}", secondsAgo(4))); // lost
    history.failReads(1);
    int readsBefore = history.reads();
    gateway.hub().onRepliesLost("the queue was gone");
    receivedAndKept(at("jaeger", "{\"state\": \"idle\"}", secondsAgo(3)));
    history.append(at("jaeger", "{\"state\": \"busy\"}", secondsAgo(2))); // lost again

    gateway.hub().onRepliesLost("the queue was gone again");

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> firstSnapshotFrame().equals("snapshot jaeger {\"state\":\"busy\"}"));
    assertThat(firstSnapshotFrame()).isEqualTo("snapshot jaeger {\"state\":\"busy\"}");
    RecordingTransport transport = RecordingTransport.completingInline();
    connect("snapshot=true", transport);
    assertThat(describe(transport).get(1)).isEqualTo("snapshot lvmecp {\"dome\":\"open\"}");
    assertThat(history.reads())
        .as("one failed read, one for both losses")
        .isEqualTo(readsBefore + 2);
  }

  /** A reply this instance received live, and the history kept. */
  private void receivedAndKept(Reply reply) {
    history.append(reply);
    source.push(reply);
  }

  private String firstSnapshotFrame() {
    RecordingTransport transport = RecordingTransport.completingInline();
    connect("snapshot=true", transport);
    return describe(transport).get(0);
  }

  @Test
  void withoutAHistoryTheGatewayIsNeverCatchingUpAndHistoryIsAnUnknownParameter() {
    assertThat(gateway.catchingUp()).isNull();
    RecordingTransport transport = RecordingTransport.completingInline();
    connect("history=10", transport);
    assertThat(transport.json().get(0).path("body").path("error").asText())
        .startsWith("unknown parameter 'history'");
  }

  // --- history requests

  @Test
  void aHistoryRequestAnswersTheRepliesOfTheActorsAskedForSinceATimeThenAnEndFrame() {
    history.append(at("lvmecp", "{\"n\": 1}", minutesAgo(30)));
    history.append(at("lvmecp", "{\"n\": 2}", minutesAgo(9)));
    history.append(at("jaeger", "{\"n\": 3}", minutesAgo(8)));
    history.append(at("lvmnps", "{\"n\": 4}", minutesAgo(7)));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText(
        "{\"control\": \"history\", \"command_id\": \"h1\", \"actors\": [\"lvm*\"],"
            + " \"minutes\": 10}");

    List<String> frames = describe(transport);
    assertThat(frames.subList(0, 2))
        .containsExactly("history lvmecp {\"n\":2}", "history lvmnps {\"n\":4}");
    JsonNode end = last(transport);
    assertThat(code(end)).isEqualTo(":");
    assertThat(end.path("headers").path("command_id").asText()).isEqualTo("h1");
    assertThat(end.path("body").path("control").asText()).isEqualTo("history");
    assertThat(end.path("body").path("replies").asInt()).isEqualTo(2);
    assertThat(end.path("body").path("complete").asBoolean()).isTrue();
    assertThat(frames).hasSize(3);
  }

  @Test
  void aHistoryFrameCarriesTheBodyExactlyAsTheActorPublishedIt() {
    Reply template = TestReplies.reply("lvmecp", "i", null, "{}");
    String published = "{\"ra\":1.50,\"note\":\"caf\\u00e9\",\"big\":12345678901234567890}";
    history.append(
        Reply.ofJson(
            template.headers(),
            template.exchange(),
            template.routingKey(),
            "m1",
            null,
            minutesAgo(1),
            published.getBytes(StandardCharsets.UTF_8)));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 10}");

    String frame = transport.frames().get(0).text();
    assertThat(frame).contains("\"history\":true").endsWith("\"body\":" + published + "}");
  }

  @Test
  void aHistoryAnswerIsReadOnlyAsFastAsTheClientTakesItSoItNeverFillsTheOutbox() {
    int count = 3 * HistoryRequests.PACE_FRAMES;
    for (int i = 1; i <= count; i++) {
      history.append(at("lvmecp", "{\"n\": " + i + "}", minutesAgo(5)));
    }
    withHistory();
    RecordingTransport transport = RecordingTransport.completingOnDemand();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"actors\": [\"lvmecp\"], \"minutes\": 10}");

    // The client takes nothing: the read stops once its outbox holds a pace's worth.
    assertThat(history.pauses()).isEqualTo(1);
    assertThat(client.outbox().queued()).isBetween(1, HistoryRequests.PACE_FRAMES + 1);
    assertThat(client.outbox().isOver()).isFalse();

    transport.completeInlineFromNowOn();
    transport.completeNext();
    history.releaseReads();

    List<String> frames = describe(transport);
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      expected.add("history lvmecp {\"n\":" + i + "}");
    }
    assertThat(frames.subList(0, count)).isEqualTo(expected);
    assertThat(last(transport).path("body").path("replies").asInt()).isEqualTo(count);
    assertThat(frames).hasSize(count + 1);
  }

  @Test
  void aHistoryRequestSinceAnIsoTimeReturnsTheRepliesFromThatTimeOn() {
    Instant since = Instant.parse("2026-12-07T03:00:00Z");
    history.append(at("lvmecp", "{\"n\": 1}", since.minusSeconds(1)));
    history.append(at("lvmecp", "{\"n\": 2}", since));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"since\": \"2026-12-07T04:00:00+01:00\"}");

    assertThat(describe(transport).get(0)).isEqualTo("history lvmecp {\"n\":2}");
    assertThat(last(transport).path("body").path("replies").asInt()).isEqualTo(1);
  }

  @Test
  void aHistoryRequestStopsAtItsLimitAndSaysWhereToAskAgain() {
    for (int i = 1; i <= 5; i++) {
      history.append(at("lvmecp", "{\"n\": " + i + "}", minutesAgo(10 - i)));
    }
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 60, \"limit\": 3}");

    assertThat(transport.json()).hasSize(4);
    JsonNode end = last(transport).path("body");
    assertThat(end.path("replies").asInt()).isEqualTo(3);
    assertThat(end.path("complete").asBoolean()).isFalse();
    assertThat(end.path("limit").asText()).isEqualTo("replies");
    assertThat(end.path("next_since").asText()).isNotEmpty();
    assertThat(end.path("text").asText()).contains("stopped at the limit of 3 replies");
  }

  @Test
  void aHistoryRequestHoldsOnlyWhatTheClientsRoleAndFiltersLetItSee() {
    history.append(at("secret", "{\"n\": 1}", minutesAgo(5)));
    history.append(at("lvmecp", "{\"n\": 2}", minutesAgo(4)));
    history.append(at("jaeger", "{\"n\": 3}", minutesAgo(3)));
    withHistory(b -> b, hidingRepliesFrom("secret"));
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=lvmecp,secret", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 10}");

    assertThat(describe(transport).subList(0, 1)).containsExactly("history lvmecp {\"n\":2}");
    assertThat(last(transport).path("body").path("replies").asInt()).isEqualTo(1);
  }

  @Test
  void aHistoryRequestCountsAgainstTheClientsCommandRate() {
    withHistory(b -> b.commandRate(0.001, 1), AccessPolicy.ALLOW_ALL);
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 10}");
    client.onText("{\"control\": \"history\", \"command_id\": \"h2\", \"minutes\": 10}");

    JsonNode refused = last(transport);
    assertThat(code(refused)).isEqualTo("e");
    assertThat(refused.path("headers").path("command_id").asText()).isEqualTo("h2");
    assertThat(refused.path("body").path("error").asText())
        .startsWith("history refused: rate limit exceeded (a history request counts as a command");
  }

  @Test
  void aSecondHistoryRequestWhileTheFirstIsAnsweredIsRefused() {
    history.append(at("lvmecp", "{\"n\": 1}", minutesAgo(5)));
    withHistory();
    history.holdReads();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"command_id\": \"h1\", \"minutes\": 10}");
    client.onText("{\"control\": \"history\", \"command_id\": \"h2\", \"minutes\": 10}");
    assertThat(last(transport).path("body").path("error").asText())
        .startsWith("history refused: the previous history request");
    history.releaseReads();

    assertThat(describe(transport).subList(1, 2)).containsExactly("history lvmecp {\"n\":1}");
    assertThat(last(transport).path("headers").path("command_id").asText()).isEqualTo("h1");
  }

  @Test
  void whenRetentionDroppedPartOfWhatWasAskedForTheEndFrameIsAWarningSayingSinceWhen() {
    Instant keptSince = minutesAgo(5);
    history.append(at("lvmecp", "{\"n\": 1}", keptSince));
    history.keptSince(keptSince);
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 60}");

    JsonNode end = last(transport);
    assertThat(code(end)).isEqualTo("w");
    assertThat(end.path("body").path("complete").asBoolean()).isFalse();
    assertThat(end.path("body").path("kept_since").asText()).isEqualTo(keptSince.toString());
    assertThat(end.path("body").path("text").asText()).contains("older ones are no longer kept");
  }

  @Test
  void withoutAHistoryAHistoryRequestIsRefusedWithAReason() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"history\", \"minutes\": 10}");

    assertThat(last(transport).path("body").path("error").asText())
        .isEqualTo(
            "history refused: this gateway keeps no shared history (it runs without"
                + " --history-stream)");
  }

  @Test
  void historyAtConnectSendsTheLastMinutesThroughTheClientsFiltersThenAnInfoEndFrame() {
    history.append(at("lvmecp", "{\"n\": 1}", minutesAgo(30)));
    history.append(at("lvmecp", "{\"n\": 2}", minutesAgo(5)));
    history.append(at("jaeger", "{\"n\": 3}", minutesAgo(4)));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("history=10&actors=lvmecp", transport);

    assertThat(describe(transport).get(0)).isEqualTo("history lvmecp {\"n\":2}");
    assertThat(code(last(transport))).isEqualTo("i");
    assertThat(last(transport).path("body").path("replies").asInt()).isEqualTo(1);
  }

  @Test
  void aHistoryParameterThatIsNeitherMinutesNorATimeRefusesTheConnection() {
    withHistory();
    assertThatThrownBy(() -> gateway.subscribe(query("history=yesterday")))
        .isInstanceOf(SubscriptionException.class)
        .hasMessageStartingWith("invalid parameter 'history'");
  }

  // --- resuming from the history: since=<message_id> this instance does not keep, since=<time>

  @Test
  void aClientResumingFromAReplyThisInstanceNeverSawGetsWhatItMissedFromTheHistoryThenLive() {
    history.append(n(1));
    history.append(n(2));
    history.append(n(3));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m1", transport);
    source.push(n(4));

    List<String> frames = describe(transport);
    assertThat(frames)
        .containsExactly(
            "live lvmecp {\"n\":2}",
            "live lvmecp {\"n\":3}",
            frames.get(2),
            "live lvmecp {\"n\":4}");
    JsonNode notice = transport.json().get(2).path("body");
    assertThat(notice.path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("replayed").asInt()).isEqualTo(2);
    assertThat(notice.path("from_history").asInt()).isEqualTo(2);
  }

  @Test
  void aClientResumingFromBeforeTheGatewayLostRepliesGetsTheLostOnesFromTheHistory() {
    withHistory();
    receivedAndKept(n(1));
    receivedAndKept(n(2));
    gateway.hub().onRepliesLost("the queue was gone");
    history.append(n(3)); // the stream kept it; this instance's queue was gone
    receivedAndKept(n(4));
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m2", transport);

    assertThat(describe(transport))
        .filteredOn(frame -> frame.startsWith("live"))
        .containsExactly("live lvmecp {\"n\":3}", "live lvmecp {\"n\":4}");
    JsonNode notice = last(transport).path("body");
    assertThat(notice.path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("from_history").asInt()).isEqualTo(2);
  }

  @Test
  void repliesTheHistorySentAreNotSentAgainWhenThisInstancesQueueDeliversThemLater() {
    history.append(n(1));
    history.append(n(2));
    history.append(n(3));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m1", transport);
    source.push(n(2)); // this instance's own queue lagged behind the stream
    source.push(n(3));
    source.push(n(4));

    assertThat(describe(transport))
        .filteredOn(frame -> frame.startsWith("live"))
        .containsExactly("live lvmecp {\"n\":2}", "live lvmecp {\"n\":3}", "live lvmecp {\"n\":4}");
  }

  @Test
  void repliesThisInstanceReceivedAfterTheHistoryWasReadFollowTheHistorysOnes() {
    history.append(n(1));
    history.append(n(2));
    history.append(n(3));
    withHistory();
    source.push(n(3));
    source.push(n(4)); // in this instance's ring, not yet in the history it reads

    RecordingTransport transport = RecordingTransport.completingInline();
    connect("since=m1", transport);

    assertThat(describe(transport))
        .filteredOn(frame -> frame.startsWith("live"))
        .containsExactly("live lvmecp {\"n\":2}", "live lvmecp {\"n\":3}", "live lvmecp {\"n\":4}");
    assertThat(last(transport).path("body").path("replayed").asInt()).isEqualTo(3);
  }

  @Test
  void aClientResumingFromATimeGetsTheRepliesFromThatTimeOn() {
    history.append(n(1));
    history.append(n(2));
    history.append(n(3));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=" + minutesAgo(28).plusSeconds(10), transport);

    assertThat(describe(transport))
        .filteredOn(frame -> frame.startsWith("live"))
        .containsExactly("live lvmecp {\"n\":3}");
    assertThat(last(transport).path("body").path("replay").asText()).isEqualTo("complete");
  }

  @Test
  void aResumePointTheHistoryNoLongerKeepsIsAnExactGap() {
    history.append(n(2));
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m1", transport);

    JsonNode notice = last(transport);
    assertThat(code(notice)).isEqualTo("w");
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("gap");
    assertThat(notice.path("body").path("text").asText())
        .startsWith(
            "message_id 'm1' is neither among the replies this gateway keeps nor in the"
                + " shared history test-history");
  }

  @Test
  void aResumeTimeOlderThanTheHistoryKeepsSaysWhatIsLost() {
    Instant keptSince = minutesAgo(28);
    history.append(n(2));
    history.keptSince(keptSince);
    withHistory();
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=" + minutesAgo(60), transport);

    JsonNode notice = last(transport);
    assertThat(code(notice)).isEqualTo("w");
    assertThat(notice.path("body").path("replayed").asInt()).isEqualTo(1);
    assertThat(notice.path("body").path("text").asText())
        .contains("are no longer kept in the shared history test-history and are lost");
  }

  @Test
  void aResumeFromTheHistoryShowsOnlyWhatTheClientsRoleMaySee() {
    history.append(n(1));
    history.append(message("s1", "secret", "{\"n\": 99}", minutesAgo(5)));
    history.append(n(3));
    withHistory(b -> b, hidingRepliesFrom("secret"));
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m1", transport);

    assertThat(describe(transport))
        .filteredOn(frame -> frame.startsWith("live"))
        .containsExactly("live lvmecp {\"n\":3}");
  }

  @Test
  void aResumeFromAReplyTheRingStillKeepsDoesNotReadTheHistory() {
    withHistory();
    source.push(n(1));
    source.push(n(2));
    history.holdReads(); // a read would never end: the test would see no replay
    RecordingTransport transport = RecordingTransport.completingInline();

    connect("since=m1", transport);

    assertThat(describe(transport).get(0)).isEqualTo("live lvmecp {\"n\":2}");
  }
}
