package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.client.Outbox;
import dev.cluws.core.reply.Subscription;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SourceState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayTest {
  private static final String NAME = "clu-ws-0123456789ab";

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final InMemorySource source = new InMemorySource(events);
  private final ControllableSink sink = new ControllableSink(events);
  private final AtomicReference<FilterContext> lastContext = new AtomicReference<>();
  private final Gateway gateway =
      Gateway.builder()
          .sendExecutor(Outbox.DIRECT)
          .name(NAME)
          .source(source)
          .sink(sink)
          .filterProviders(
              ProviderCatalog.of(
                  ReplyFilterProvider.class,
                  ReplyFilterProvider::name,
                  List.of(
                      TestReplies.provider(
                          "actors",
                          c -> {
                            lastContext.set(c);
                            return ReplyFilter.denyUnless(r -> c.values().contains(r.sender()));
                          }),
                      TestReplies.provider("mark-a", c -> marking("a")),
                      TestReplies.provider("mark-b", c -> marking("b")),
                      TestReplies.provider(
                          "strict",
                          c -> {
                            throw new IllegalArgumentException(
                                "'" + c.values().get(0) + "' is not allowed");
                          }),
                      TestReplies.provider(
                          "broken",
                          c -> {
                            throw new IllegalStateException("bug in the provider");
                          }),
                      TestReplies.provider("nothing", c -> null))))
          .build();

  @AfterEach
  void closeGateway() {
    gateway.close();
  }

  private static ReplyFilter marking(String mark) {
    return new ReplyFilter() {
      @Override
      public Reply map(Reply reply) {
        ObjectNode body = reply.body().deepCopy();
        body.put("trail", body.path("trail").asText("") + mark);
        return reply.withBody(body);
      }
    };
  }

  private ClientConnection connect(RecordingTransport transport) {
    return gateway.connect(gateway.subscribe(Map.of()), transport);
  }

  // --- lifecycle

  @Test
  void startStartsTheSinkThenTheSource() {
    gateway.start();

    assertThat(events).containsExactly("sink.start", "source.start");
  }

  @Test
  void startingTwiceStartsOnce() {
    gateway.start();
    gateway.start();

    assertThat(events).containsExactly("sink.start", "source.start");
  }

  @Test
  void aSinkThatFailsToStartStopsTheStartAndIsClosed() {
    BrokerUnavailableException down = new BrokerUnavailableException("connection refused");
    sink.failStartWith(down);

    assertThatThrownBy(gateway::start).isSameAs(down);

    assertThat(events).doesNotContain("source.start");
    assertThat(sink.isClosed()).isTrue();
  }

  @Test
  void aSourceThatFailsToStartClosesTheSinkThatWasStarted() {
    BrokerUnavailableException down = new BrokerUnavailableException("connection refused");
    source.failStartWith(down);

    assertThatThrownBy(gateway::start).isSameAs(down);

    assertThat(sink.isClosed()).isTrue();
    assertThat(source.isClosed()).isTrue();
  }

  @Test
  void closeClosesTheSourceAndTheSink() {
    gateway.start();

    gateway.close();

    assertThat(source.isClosed()).isTrue();
    assertThat(sink.isClosed()).isTrue();
  }

  @Test
  void closeForgetsEveryClient() {
    gateway.start();
    ClientConnection first = connect(RecordingTransport.completingInline());
    ClientConnection second = connect(RecordingTransport.completingInline());

    gateway.close();

    assertThat(gateway.hub().clientCount()).isZero();
    assertThat(first.isClosed()).isTrue();
    assertThat(second.isClosed()).isTrue();
    assertThat(first.outbox().isClosed()).isTrue();
  }

  @Test
  void closingTwiceClosesOnce() {
    gateway.start();

    gateway.close();
    gateway.close();

    assertThat(events).containsExactly("sink.start", "source.start", "source.close", "sink.close");
  }

  @Test
  void aClosedGatewayCannotBeStarted() {
    gateway.close();

    assertThatIllegalStateException().isThrownBy(gateway::start).withMessageContaining(NAME);
  }

  @Test
  void aGatewayWhoseStartFailedCannotBeStartedAgain() {
    source.failStartWith(new BrokerUnavailableException("connection refused"));
    assertThatThrownBy(gateway::start).isInstanceOf(BrokerUnavailableException.class);

    assertThatIllegalStateException().isThrownBy(gateway::start).withMessageContaining("closed");
    assertThat(events).containsOnlyOnce("sink.start");
  }

  @Test
  void aClientThatConnectsAfterCloseIsClosedWith1001AndNeverRegistered() {
    gateway.start();
    gateway.close();
    RecordingTransport transport = RecordingTransport.completingInline();

    ClientConnection late = connect(transport);

    assertThat(late.isClosed()).isTrue();
    assertThat(transport.closes()).containsExactly("1001 server shutting down");
    assertThat(gateway.hub().clientCount()).isZero();
  }

  @Test
  void aClientWhoseSendFailsLeavesTheHubEvenIfTheTransportNeverReportsTheClose() {
    gateway.start();
    RecordingTransport broken = RecordingTransport.completingOnDemand();
    ClientConnection client = connect(broken);
    source.push(TestReplies.reply("lvmecp"));

    broken.failNext(new java.io.IOException("connection reset"));

    assertThat(client.isClosed()).isTrue();
    assertThat(gateway.hub().clientCount()).isZero();
  }

  @Test
  void theGatewayReportsTheSourcesState() {
    assertThat(gateway.sourceState()).isEqualTo(SourceState.CONNECTING);

    gateway.start();

    assertThat(gateway.sourceState()).isEqualTo(SourceState.UP);
  }

  // --- subscriptions

  @Test
  void aParameterThatNamesNoFilterIsIgnored() {
    Subscription subscription = gateway.subscribe(Map.of("since", List.of("42"), "x", List.of()));

    assertThat(subscription.chain().size()).isZero();
  }

  @Test
  void aParameterThatNamesAFilterAddsItToTheChain() {
    Subscription subscription =
        gateway.subscribe(Map.of("actors", List.of("lvmecp"), "since", List.of("42")));

    assertThat(subscription.chain().size()).isEqualTo(1);
  }

  @Test
  void filtersAreChainedInTheOrderOfTheParameters() {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("mark-b", List.of("on"));
    query.put("mark-a", List.of("on"));

    Reply result = gateway.subscribe(query).chain().apply(TestReplies.reply("lvmecp"));

    assertThat(result.body().get("trail").textValue()).isEqualTo("ba");
  }

  @Test
  void aFilterReceivesTheSplitValuesTheClientIdAndTheGatewayName() {
    Subscription subscription =
        gateway.subscribe(Map.of("actors", List.of("lvmecp, lvmnps", "", "jaeger,")));

    FilterContext context = lastContext.get();
    assertThat(context.values()).containsExactly("lvmecp", "lvmnps", "jaeger");
    assertThat(context.clientId()).isEqualTo(subscription.clientId());
    assertThat(context.gatewayName()).isEqualTo(NAME);
  }

  @Test
  void everySubscriptionHasItsOwnClientId() {
    assertThat(gateway.subscribe(Map.of()).clientId())
        .isNotEqualTo(gateway.subscribe(Map.of()).clientId());
  }

  @Test
  void aFilterThatRejectsItsValuesFailsTheSubscriptionWithItsMessage() {
    assertThatThrownBy(() -> gateway.subscribe(Map.of("strict", List.of("lvm#"))))
        .isInstanceOf(SubscriptionException.class)
        .hasMessage("invalid parameter 'strict': 'lvm#' is not allowed");
  }

  @Test
  void aFilterProviderThatFailsFailsTheSubscriptionWithoutItsInternals() {
    assertThatThrownBy(() -> gateway.subscribe(Map.of("broken", List.of("on"))))
        .isInstanceOf(SubscriptionException.class)
        .hasMessage("filter 'broken' is not available: it failed on the server");
  }

  @Test
  void aFilterProviderThatReturnsNoFilterFailsTheSubscription() {
    assertThatThrownBy(() -> gateway.subscribe(Map.of("nothing", List.of("on"))))
        .isInstanceOf(SubscriptionException.class)
        .hasMessageContaining("'nothing'");
  }

  @Test
  void aSubscribedFilterDecidesWhatTheClientReceives() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    gateway.connect(gateway.subscribe(Map.of("actors", List.of("lvmecp"))), transport);

    source.push(TestReplies.reply("jaeger"));
    source.push(TestReplies.reply("lvmecp"));

    assertThat(transport.json())
        .singleElement()
        .extracting(f -> f.get("headers").get("sender").textValue())
        .isEqualTo("lvmecp");
  }

  @Test
  void connectingAClientIsCounted() {
    connect(RecordingTransport.completingInline());
    connect(RecordingTransport.completingInline());

    assertThat(gateway.stats().clientsConnected.sum()).isEqualTo(2);
    assertThat(gateway.hub().clientCount()).isEqualTo(2);
  }

  // --- commands

  @Test
  void aValidCommandFrameReachesTheSink() {
    gateway.start();
    ClientConnection client = connect(RecordingTransport.completingInline());

    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-1\"}");

    assertThat(sink.commands()).containsExactly(new Command("lvmecp", "status", "id-1"));
    assertThat(gateway.stats().commandsReceived.sum()).isEqualTo(1);
  }

  @Test
  void aPublishedCommandGetsNoFrameFromTheGateway() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect(transport);
    client.onText("{\"consumer\": \"lvmecp\", \"command_string\": \"status\"}");

    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    assertThat(transport.frames()).isEmpty();
    assertThat(gateway.stats().commandsPublished.sum()).isEqualTo(1);
  }

  @Test
  void aReturnedCommandIsCountedAndLeftToTheBrokersFailedReply() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect(transport);
    client.onText("{\"consumer\": \"nobody\", \"command_string\": \"status\"}");

    sink.lastFuture().complete(CommandOutcome.RETURNED);

    assertThat(transport.frames()).isEmpty();
    assertThat(gateway.stats().commandsReturned.sum()).isEqualTo(1);
    assertThat(gateway.stats().commandsFailed.sum()).isZero();
  }

  @Test
  void anInvalidFrameIsAnsweredWithAnErrorFrameToThatClientOnly() {
    gateway.start();
    RecordingTransport sender = RecordingTransport.completingInline();
    RecordingTransport bystander = RecordingTransport.completingInline();
    ClientConnection client = connect(sender);
    connect(bystander);

    client.onText("{\"command_string\": \"status\", \"command_id\": \"id-5\"}");

    JsonNode frame = sender.json().get(0);
    assertThat(sender.frames()).hasSize(1);
    assertThat(frame.get("headers").get("message_code").textValue()).isEqualTo("e");
    assertThat(frame.get("headers").get("sender").textValue()).isEqualTo(NAME);
    assertThat(frame.get("headers").get("command_id").textValue()).isEqualTo("id-5");
    assertThat(frame.get("body").get("error").textValue())
        .isEqualTo("missing 'consumer' (the actor to command)");
    assertThat(bystander.frames()).isEmpty();
  }

  @Test
  void anInvalidFrameIsNotSentToTheSink() {
    gateway.start();
    connect(RecordingTransport.completingInline()).onText("{\"consumer\": \"lvmecp\"}");

    assertThat(sink.commands()).isEmpty();
  }

  @Test
  void anInvalidFrameIsCounted() {
    gateway.start();
    ClientConnection client = connect(RecordingTransport.completingInline());

    client.onText("not json");
    client.onText("[]");

    assertThat(gateway.stats().invalidFrames.sum()).isEqualTo(2);
    assertThat(gateway.stats().commandsReceived.sum()).isZero();
  }

  @Test
  void anErrorFrameReachesAClientWhoseFiltersDenyEveryReply() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client =
        gateway.connect(gateway.subscribe(Map.of("actors", List.of("lvmecp"))), transport);

    client.onText("{}");

    assertThat(transport.frames()).hasSize(1);
  }

  @Test
  void aSinkFailureIsAnsweredWithAFailedFrameNamingTheCommand() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect(transport);
    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-9\"}");

    sink.lastFuture()
        .completeExceptionally(new BrokerUnavailableException("the broker connection is down"));

    JsonNode frame = transport.json().get(0);
    assertThat(frame.get("headers").get("message_code").textValue()).isEqualTo("f");
    assertThat(frame.get("headers").get("command_id").textValue()).isEqualTo("id-9");
    assertThat(frame.get("headers").get("sender").textValue()).isEqualTo(NAME);
    assertThat(frame.get("body").get("error").textValue())
        .isEqualTo("command to 'lvmecp' was not sent: the broker connection is down");
    assertThat(gateway.stats().commandsFailed.sum()).isEqualTo(1);
  }

  @Test
  void aCommandWhoseConfirmWasLostIsNotReportedAsUnsent() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect(transport);
    client.onText(
        "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-8\"}");

    sink.lastFuture()
        .completeExceptionally(
            new dev.cluws.core.spi.OutcomeUnknownException(
                "the connection to the broker was lost before it confirmed the command"));

    assertThat(transport.json().get(0).get("body").get("error").textValue())
        .isEqualTo(
            "command to 'lvmecp' may or may not have reached the actor: the connection to the"
                + " broker was lost before it confirmed the command");
  }

  @Test
  void aSinkFailureOnAnotherThreadIsAnsweredWhenItHappens() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    connect(transport)
        .onText(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-9\"}");
    assertThat(transport.frames()).isEmpty();

    CompletableFuture.runAsync(
        () ->
            sink.lastFuture()
                .completeExceptionally(new BrokerUnavailableException("publish not confirmed")));

    await().atMost(Duration.ofSeconds(5)).until(() -> transport.frames().size() == 1);
    assertThat(transport.json().get(0).get("headers").get("command_id").textValue())
        .isEqualTo("id-9");
  }

  @Test
  void aSinkThatThrowsIsAnsweredWithAFailedFrame() {
    gateway.start();
    sink.throwOnSend(new BrokerUnavailableException("no channel"));
    RecordingTransport transport = RecordingTransport.completingInline();

    connect(transport)
        .onText(
            "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"id-3\"}");

    JsonNode frame = transport.json().get(0);
    assertThat(frame.get("headers").get("message_code").textValue()).isEqualTo("f");
    assertThat(frame.get("body").get("error").textValue())
        .isEqualTo("command to 'lvmecp' was not sent: no channel");
  }

  @Test
  void anUnexpectedSinkFailureNamesTheExceptionType() {
    gateway.start();
    RecordingTransport transport = RecordingTransport.completingInline();
    connect(transport).onText("{\"consumer\": \"lvmecp\", \"command_string\": \"status\"}");

    sink.lastFuture().completeExceptionally(new IllegalStateException("channel closed"));

    assertThat(transport.json().get(0).get("body").get("error").textValue())
        .isEqualTo("command to 'lvmecp' was not sent: IllegalStateException: channel closed");
  }
}
