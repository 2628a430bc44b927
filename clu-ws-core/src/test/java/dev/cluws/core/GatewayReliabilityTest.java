package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SourceState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's reliability rules with in-memory parts: replay, numbering, limits, slow clients,
 * broker status frames and commands while the broker is away.
 */
class GatewayReliabilityTest {
  private static final String NAME = "clu-ws-0123456789ab";

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final InMemorySource source = new InMemorySource(events);
  private final ControllableSink sink = new ControllableSink(events);
  private Gateway gateway;

  private Gateway start(GatewaySettings settings) {
    gateway =
        Gateway.builder()
            .sendExecutor(Outbox.DIRECT)
            .gatewaySettings(settings)
            .source(source)
            .sink(sink)
            .filterProviders(
                ProviderCatalog.of(
                    ReplyFilterProvider.class,
                    ReplyFilterProvider::name,
                    List.of(
                        TestReplies.provider(
                            "actors",
                            c -> ReplyFilter.denyUnless(r -> c.values().contains(r.sender()))))))
            .build();
    gateway.start();
    return gateway;
  }

  private Gateway start() {
    return start(GatewaySettings.named(NAME));
  }

  @AfterEach
  void close() {
    if (gateway != null) {
      gateway.close();
    }
  }

  private RecordingTransport connect(Map<String, List<String>> query) {
    RecordingTransport transport = RecordingTransport.completingInline();
    gateway.connect(gateway.subscribe(query), transport);
    return transport;
  }

  private static Reply numbered(String sender, int n) {
    Reply base = TestReplies.reply(sender, "i", null, "{\"n\": " + n + "}");
    return new Reply(
        base.headers(),
        base.exchange(),
        base.routingKey(),
        String.format("%032x", n),
        null,
        base.timestamp(),
        base.body());
  }

  private static List<Integer> ns(RecordingTransport transport) {
    return transport.json().stream()
        .filter(f -> f.path("body").has("n"))
        .map(f -> f.path("body").path("n").asInt())
        .toList();
  }

  private static JsonNode last(RecordingTransport transport) {
    List<JsonNode> frames = transport.json();
    return frames.get(frames.size() - 1);
  }

  // --- sending off the delivery thread

  @Test
  void byDefaultFramesAreWrittenInOrderForEveryClientByTheDeliveringThreadOrSenderThreads() {
    gateway =
        Gateway.builder()
            .gatewaySettings(GatewaySettings.named(NAME))
            .source(source)
            .sink(sink)
            .filterProviders(
                ProviderCatalog.of(ReplyFilterProvider.class, ReplyFilterProvider::name, List.of()))
            .build();
    gateway.start();
    List<String> senders = new CopyOnWriteArrayList<>();
    RecordingTransport first = RecordingTransport.completingInline();
    RecordingTransport second = RecordingTransport.completingInline();
    gateway.connect(gateway.subscribe(Map.of()), first);
    gateway.connect(
        gateway.subscribe(Map.of()),
        new ClientTransport() {
          @Override
          public void send(EncodedFrame frame, SendCallback callback) {
            senders.add(Thread.currentThread().getName());
            second.send(frame, callback);
          }

          @Override
          public void close(int statusCode, String reason) {}

          @Override
          public String remoteAddress() {
            return "test";
          }
        });

    for (int n = 0; n < 1000; n++) {
      source.push(numbered("lvmecp", n));
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ns(first).size() == 1000 && ns(second).size() == 1000);
    assertThat(ns(first)).isSorted();
    assertThat(ns(second)).isSorted();
    // A reply that follows a pause is written by the thread that delivers it (here the test's),
    // replies that follow each other closely by the gateway's sender threads; never elsewhere.
    String delivering = Thread.currentThread().getName();
    assertThat(senders)
        .hasSize(1000)
        .allSatisfy(
            name ->
                assertThat(name.equals(delivering) || name.startsWith("clu-ws-send-" + NAME))
                    .as("written on %s", name)
                    .isTrue());
  }

  // --- replay

  @Test
  void aClientThatReconnectsWithSinceReceivesWhatItMissedThenANoticeThenLiveReplies() {
    start();
    for (int n = 1; n <= 5; n++) {
      source.push(numbered("lvmecp", n));
    }

    RecordingTransport client = connect(Map.of("since", List.of("2")));
    source.push(numbered("lvmecp", 6));

    assertThat(ns(client)).containsExactly(3, 4, 5, 6);
    JsonNode notice = client.json().get(3);
    assertThat(notice.path("headers").path("sender").asText()).isEqualTo(NAME);
    assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("i");
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("complete");
    assertThat(notice.path("body").path("replayed").asInt()).isEqualTo(3);
  }

  @Test
  void sinceAcceptsTheMessageIdOfTheLastReplySeen() {
    start();
    for (int n = 1; n <= 4; n++) {
      source.push(numbered("lvmecp", n));
    }

    RecordingTransport client = connect(Map.of("since", List.of(String.format("%032x", 3))));

    assertThat(ns(client)).containsExactly(4);
  }

  @Test
  void replayedRepliesPassThroughTheClientsFilters() {
    start();
    source.push(numbered("lvmecp", 1));
    source.push(numbered("jaeger", 2));
    source.push(numbered("lvmecp", 3));

    RecordingTransport client = connect(Map.of("since", List.of("0"), "actors", List.of("lvmecp")));

    assertThat(ns(client)).containsExactly(1, 3);
  }

  @Test
  void aGapThatCannotBeFilledIsSaidExactly() {
    start(GatewaySettings.named(NAME).toBuilder().replay(3, 1_000_000).build());
    for (int n = 1; n <= 10; n++) {
      source.push(numbered("lvmecp", n));
    }

    RecordingTransport client = connect(Map.of("since", List.of("2")));

    assertThat(ns(client)).containsExactly(8, 9, 10);
    JsonNode notice = last(client);
    assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(notice.path("body").path("replay").asText()).isEqualTo("gap");
    assertThat(notice.path("body").path("text").asText())
        .startsWith("replies 3 to 7 are no longer kept and are lost");
  }

  @Test
  void aClientResumingFromBeforeTheGatewayLostRepliesIsToldItsReplayMayMissSome() {
    start();
    source.push(numbered("lvmecp", 1));
    source.push(numbered("lvmecp", 2));
    gateway.hub().onRepliesLost("the queue was gone");
    source.push(numbered("lvmecp", 3));

    for (String since : List.of("1", String.format("%032x", 1), "2")) {
      RecordingTransport client = connect(Map.of("since", List.of(since)));

      assertThat(ns(client)).as("since=%s", since).endsWith(3);
      JsonNode notice = last(client);
      assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
      assertThat(notice.path("body").path("replay").asText()).isEqualTo("gap");
      assertThat(notice.path("body").path("text").asText())
          .startsWith("replies published after reply 2 may be missing")
          .contains("the queue was gone");
    }
  }

  @Test
  void aClientResumingFromAfterTheGatewayLostRepliesGetsACompleteReplay() {
    start();
    source.push(numbered("lvmecp", 1));
    gateway.hub().onRepliesLost("the queue was gone");
    source.push(numbered("lvmecp", 2));
    source.push(numbered("lvmecp", 3));

    RecordingTransport client = connect(Map.of("since", List.of(String.format("%032x", 2))));

    assertThat(ns(client)).containsExactly(3);
    assertThat(last(client).path("body").path("replay").asText()).isEqualTo("complete");
  }

  @Test
  void aLossOlderThanEveryKeptReplyNoLongerMarksAReplay() {
    start(GatewaySettings.named(NAME).toBuilder().replay(2, 1_000_000).build());
    source.push(numbered("lvmecp", 1));
    gateway.hub().onRepliesLost("the queue was gone");
    for (int n = 2; n <= 5; n++) {
      source.push(numbered("lvmecp", n));
    }

    RecordingTransport client = connect(Map.of("since", List.of("3")));

    assertThat(ns(client)).containsExactly(4, 5);
    assertThat(last(client).path("body").path("replay").asText()).isEqualTo("complete");
  }

  @Test
  void anUnknownMessageIdReplaysNothingAndSaysSo() {
    start();
    source.push(numbered("lvmecp", 1));

    RecordingTransport client = connect(Map.of("since", List.of("feedface")));

    assertThat(ns(client)).isEmpty();
    assertThat(last(client).path("body").path("text").asText())
        .contains("message_id 'feedface' is not among the 1 replies kept");
  }

  @Test
  void aNumberFromBeforeARestartIsRecognised() {
    start();
    source.push(numbered("lvmecp", 1));

    RecordingTransport client = connect(Map.of("since", List.of("5000")));

    assertThat(last(client).path("body").path("text").asText())
        .contains("the gateway restarted and numbers replies anew");
  }

  @Test
  void seqTrueAddsTheReplyNumberToEveryFrame() {
    start();
    RecordingTransport numberedClient = connect(Map.of("seq", List.of("true")));
    RecordingTransport plainClient = connect(Map.of());

    source.push(numbered("lvmecp", 1));
    source.push(numbered("lvmecp", 2));

    assertThat(numberedClient.json())
        .extracting(f -> f.path("seq").asLong())
        .containsExactly(1L, 2L);
    assertThat(plainClient.json()).allSatisfy(f -> assertThat(f.has("seq")).isFalse());
  }

  // --- limits

  @Test
  void aClientBeyondTheConnectionLimitIsRefused() {
    start(GatewaySettings.named(NAME).toBuilder().maxConnections(2).build());
    connect(Map.of());
    connect(Map.of());

    assertThatThrownBy(() -> gateway.subscribe(Map.of()))
        .isInstanceOf(GatewayBusyException.class)
        .hasMessage("the gateway serves its maximum of 2 clients");
    assertThat(gateway.stats().connectionsRefused.sum()).isEqualTo(1);
  }

  @Test
  void commandsBeyondTheRateAreAnsweredWithAnErrorFrameAndNotPublished() {
    start(GatewaySettings.named(NAME).toBuilder().commandRate(1, 2).build());
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = gateway.connect(gateway.subscribe(Map.of()), transport);

    for (int i = 0; i < 3; i++) {
      client.onText(
          "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"c"
              + i
              + "\"}");
    }

    assertThat(sink.commands()).hasSize(2);
    JsonNode refusal = last(transport);
    assertThat(refusal.path("headers").path("message_code").asText()).isEqualTo("f");
    assertThat(refusal.path("headers").path("command_id").asText()).isEqualTo("c2");
    assertThat(refusal.path("body").path("error").asText())
        .isEqualTo(
            "command to 'lvmecp' refused: rate limit exceeded (at most 1 commands per second,"
                + " bursts of 2)");
    assertThat(gateway.stats().commandsRateLimited.sum()).isEqualTo(1);
  }

  // --- slow clients

  @Test
  void
      aClientWhoseOutboxStaysOverItsBoundHoldsTheSourceBackThenIsClosedWith4001AndItsResumePoint() {
    start(
        GatewaySettings.named(NAME).toBuilder()
            .outbox(4, 1_000_000)
            .slowClientTimeout(Duration.ofMillis(200))
            .build());
    RecordingTransport stuck = RecordingTransport.completingOnDemand();
    gateway.connect(gateway.subscribe(Map.of()), stuck);
    RecordingTransport reader = connect(Map.of());

    for (int n = 0; n < 50; n++) {
      source.push(numbered("lvmecp", n));
    }

    assertThat(gateway.hub().hasRoom()).isFalse(); // the broker would keep the rest
    await().atMost(Duration.ofSeconds(5)).until(() -> !stuck.closes().isEmpty());
    // The first reply was handed to the transport; the rest stayed queued.
    assertThat(stuck.closes())
        .first()
        .asString()
        .isEqualTo("4001 too slow; seq=1; message_id=" + String.format("%032x", 0));
    assertThat(gateway.hub().hasRoom()).isTrue();
    assertThat(gateway.hub().clientCount()).isEqualTo(1);
    assertThat(ns(reader)).hasSize(50);
    assertThat(gateway.stats().slowClientsClosed.sum()).isEqualTo(1);
  }

  @Test
  void theFinalReplyToAClientsOwnCommandSurvivesSheddingForPolicyLatest() {
    start(GatewaySettings.named(NAME).toBuilder().outbox(3, 1_000_000).build());
    RecordingTransport slow = RecordingTransport.completingOnDemand();
    ClientConnection client =
        gateway.connect(gateway.subscribe(Map.of("policy", List.of("latest"))), slow);
    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"mine\"}");

    source.push(TestReplies.reply("lvmecp", ":", "mine", "{\"n\": -1}"));
    for (int n = 0; n < 20; n++) {
      source.push(numbered("lvmecp", n));
    }
    slow.completeInlineFromNowOn();
    slow.completeNext();

    assertThat(slow.json())
        .anySatisfy(
            f -> assertThat(f.path("headers").path("command_id").asText()).isEqualTo("mine"));
    assertThat(client.outbox().shedCount()).isPositive();
    assertThat(client.trackedCommands()).isZero();
  }

  @Test
  void aPolicyOtherThanCompleteOrLatestIsRefusedAtConnect() {
    start();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> gateway.subscribe(Map.of("policy", List.of("fastest"))))
        .hasMessage("invalid parameter 'policy': expected complete (the default) or latest");
  }

  @Test
  void aLatestClientIsToldHowManyFramesItMissedAndNeverHoldsTheSourceBack() {
    start(GatewaySettings.named(NAME).toBuilder().outbox(3, 1_000_000).build());
    RecordingTransport slow = RecordingTransport.completingOnDemand();
    gateway.connect(gateway.subscribe(Map.of("policy", List.of("latest"))), slow);

    for (int n = 0; n < 20; n++) {
      source.push(numbered("lvmecp", n));
    }
    assertThat(gateway.hub().hasRoom()).isTrue();
    slow.completeInlineFromNowOn();
    slow.completeNext();

    JsonNode notice =
        slow.json().stream().filter(f -> f.path("body").has("missed")).findFirst().orElseThrow();
    assertThat(notice.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(notice.path("headers").path("sender").asText()).isEqualTo(NAME);
    assertThat(notice.path("body").path("missed").asLong()).isPositive();
    assertThat(notice.path("body").path("since_seq").asLong()).isEqualTo(1);
    assertThat(notice.path("body").path("text").asText()).contains("since=1");
    assertThat(ns(slow)).endsWith(19);
  }

  @Test
  void whenRepliesAreLostEachCommandInFlightGetsAnOutcomeUnknownFrameAndEveryClientANotice() {
    start();
    RecordingTransport sender = connect(Map.of());
    RecordingTransport other = connect(Map.of());
    ClientConnection senderClient = gateway.hub().clients().get(0);
    senderClient.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"a1\"}");
    senderClient.onText(
        "{\"consumer\": \"lvmnps\", \"command_string\": \"status\", \"command_id\": \"a2\"}");
    await().atMost(Duration.ofSeconds(5)).until(() -> senderClient.trackedCommands() == 2);

    gateway.hub().onRepliesLost("the queue was gone");

    List<JsonNode> unknown =
        sender.json().stream().filter(f -> f.path("body").has("outcome")).toList();
    assertThat(unknown).hasSize(2);
    assertThat(unknown.get(0).path("headers").path("message_code").asText()).isEqualTo("f");
    assertThat(unknown.get(0).path("headers").path("command_id").asText()).isEqualTo("a1");
    assertThat(unknown.get(0).path("body").path("outcome").asText()).isEqualTo("unknown");
    assertThat(unknown.get(0).path("body").path("error").asText())
        .contains("'a1'")
        .contains("lvmecp")
        .contains("is unknown");
    assertThat(unknown.get(1).path("headers").path("command_id").asText()).isEqualTo("a2");
    assertThat(senderClient.trackedCommands()).isZero();
    for (RecordingTransport client : List.of(sender, other)) {
      assertThat(client.json())
          .filteredOn(f -> "replies_lost".equals(f.path("body").path("broker").asText()))
          .hasSize(1);
    }
    assertThat(other.json()).noneMatch(f -> f.path("body").has("outcome"));
  }

  // --- broker outages

  @Test
  void clientsAreToldWhenTheGatewayLosesAndRegainsTheBroker() {
    start();
    source.changeState(SourceState.UP);
    RecordingTransport client = connect(Map.of());

    source.changeState(SourceState.RECOVERING);
    source.changeState(SourceState.UP);

    assertThat(client.json()).hasSize(2);
    JsonNode lost = client.json().get(0);
    JsonNode back = client.json().get(1);
    assertThat(lost.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(lost.path("headers").path("sender").asText()).isEqualTo(NAME);
    assertThat(lost.path("body").path("broker").asText()).isEqualTo("disconnected");
    assertThat(back.path("headers").path("message_code").asText()).isEqualTo("i");
    assertThat(back.path("body").path("broker").asText()).isEqualTo("connected");
  }

  @Test
  void aCommandWhileTheBrokerIsAwayIsAnsweredAtOnceAndNeverPublished() {
    start();
    source.changeState(SourceState.UP);
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = gateway.connect(gateway.subscribe(Map.of()), transport);
    source.changeState(SourceState.RECOVERING);

    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"c1\"}");

    assertThat(sink.commands()).isEmpty();
    JsonNode answer = last(transport);
    assertThat(answer.path("headers").path("message_code").asText()).isEqualTo("f");
    assertThat(answer.path("headers").path("command_id").asText()).isEqualTo("c1");
    assertThat(answer.path("body").path("error").asText())
        .isEqualTo(
            "command to 'lvmecp' was not sent: the broker is unavailable; the gateway is"
                + " reconnecting");
  }

  // --- shutdown

  @Test
  void quiesceStopsTheSourceAndWaitsForOutboxesToEmpty() {
    start();
    RecordingTransport slow = RecordingTransport.completingOnDemand();
    gateway.connect(gateway.subscribe(Map.of()), slow);
    source.push(numbered("lvmecp", 1));
    source.push(numbered("lvmecp", 2));

    Thread completer =
        new Thread(
            () -> {
              await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("source.close"));
              slow.completeInlineFromNowOn();
              slow.completeNext();
            });
    completer.start();
    boolean emptied = gateway.quiesce(Duration.ofSeconds(5));

    assertThat(emptied).isTrue();
    assertThat(ns(slow)).containsExactly(1, 2);
  }

  @Test
  void quiesceGivesUpAtItsDeadline() {
    start();
    RecordingTransport stuck = RecordingTransport.completingOnDemand();
    gateway.connect(gateway.subscribe(Map.of()), stuck);
    source.push(numbered("lvmecp", 1));

    assertThat(gateway.quiesce(Duration.ofMillis(100))).isFalse();
  }
}
