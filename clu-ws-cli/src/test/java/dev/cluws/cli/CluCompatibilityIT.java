package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.CluTestActor.ReceivedCommand;
import dev.cluws.testkit.ReplyObserver;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client written for {@code clu websocket} sees: real RabbitMQ, real gateway, real
 * websockets, a CLU test actor.
 */
class CluCompatibilityIT {
  private static final Duration WAIT = WsClient.WAIT;
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void aReplyPublishedOnTheExchangeReachesEveryClientInCluFrameShape() {
    CluTestActor actor = fixture.actor();
    List<WsClient> clients = List.of(fixture.client(), fixture.client(), fixture.client());
    awaitClients(3);

    actor.broadcast(Map.of("dome_status", "0x10", "dome_status_labels", "POSITION_UNKNOWN"));

    for (WsClient client : clients) {
      JsonNode frame = client.awaitFrame(f -> f.path("body").has("dome_status"));
      assertThat(fieldNames(frame))
          .containsExactly("headers", "exchange", "message_id", "routing_key", "timestamp", "body");
      JsonNode headers = frame.path("headers");
      assertThat(fieldNames(headers))
          .containsExactly("command_id", "commander_id", "internal", "message_code", "sender");
      assertThat(headers.path("message_code").asText()).isEqualTo("i");
      assertThat(headers.path("sender").asText()).isEqualTo(actor.name());
      assertThat(headers.path("internal").isBoolean()).isTrue();
      assertThat(headers.path("command_id").isNull()).isTrue();
      assertThat(headers.path("commander_id").isNull()).isTrue();
      assertThat(frame.path("exchange").asText()).isEqualTo(fixture.amqp().exchange());
      assertThat(frame.path("routing_key").asText()).isEqualTo("reply.broadcast");
      assertThat(frame.path("message_id").asText()).matches("[0-9a-f]{32}");
      assertThat(frame.path("timestamp").asText())
          .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+00:00");
      assertThat(frame.path("body").isObject()).isTrue();
      assertThat(frame.path("body").path("dome_status").asText()).isEqualTo("0x10");
      assertThat(frame.path("body").path("dome_status_labels").asText())
          .isEqualTo("POSITION_UNKNOWN");
    }
  }

  @Test
  void aCommandFrameReachesTheActorWithCluHeadersAndItsRepliesComeBackWithTheSameCommandId() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\","
            + " \"command_id\": \"id-1234\"}");

    List<JsonNode> replies = client.awaitFinished("id-1234");
    assertThat(codes(replies)).containsExactly(">", ":");
    assertThat(replies.get(0).path("headers").path("internal").asBoolean()).isTrue();
    assertThat(replies.get(0).path("body").isEmpty()).isTrue();
    assertThat(replies.get(1).path("body").path("text").asText()).isEqualTo("Pong.");
    assertThat(replies.get(1).path("headers").path("commander_id").asText())
        .isEqualTo(fixture.name() + "." + actor.name());
    assertThat(replies.get(1).path("routing_key").asText())
        .isEqualTo("reply." + fixture.name() + "." + actor.name());

    ReceivedCommand received = actor.received().get(0);
    assertThat(received.routingKey()).isEqualTo("command." + actor.name());
    assertThat(received.body().path("command_string").asText()).isEqualTo("ping");
    assertThat(received.properties().getCorrelationId()).isEqualTo("id-1234");
    assertThat(received.properties().getReplyTo()).isEqualTo(fixture.name() + "_replies");
    assertThat(received.properties().getContentType()).isEqualTo("text/json");
    assertThat(String.valueOf(received.header("command_id"))).isEqualTo("id-1234");
    assertThat(String.valueOf(received.header("commander_id")))
        .isEqualTo(fixture.name() + "." + actor.name());
    assertThat(received.header("internal")).isEqualTo(false);
    assertThat(received.header("write_to_log")).isEqualTo(true);
  }

  @Test
  void aCommandWithoutCommandIdGetsAGeneratedOneThatItsRepliesCarry() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    client.send("{\"consumer\": \"" + actor.name() + "\", \"command_string\": \"status\"}");

    JsonNode done = client.awaitFrame(f -> ":".equals(code(f)));
    String generated = done.path("headers").path("command_id").asText();
    assertThat(generated)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(codes(client.framesFor(generated))).containsExactly(">", "i", ":");
    assertThat(actor.received().get(0).properties().getCorrelationId()).isEqualTo(generated);
  }

  @Test
  void aNumericCommandIdIsSentAsItsStringFormSoItsRepliesArrive() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\", \"command_id\": 42}");

    List<JsonNode> replies = client.awaitFinished("42");
    assertThat(codes(replies)).containsExactly(">", ":");
    assertThat(replies.get(1).path("headers").path("command_id").isTextual()).isTrue();
    assertThat(String.valueOf(actor.received().get(0).header("command_id"))).isEqualTo("42");
  }

  @Test
  void aCommandToAnUnknownConsumerYieldsCluRoutingFailureReply() {
    WsClient client = fixture.client();

    client.send(
        "{\"consumer\": \"no_such_actor\", \"command_string\": \"ping\", \"command_id\": \"x-1\"}");

    List<JsonNode> replies = client.awaitFinished("x-1");
    JsonNode failure = replies.get(replies.size() - 1);
    assertThat(code(failure)).isEqualTo("f");
    assertThat(failure.path("headers").path("sender").asText()).isEqualTo("no_such_actor");
    assertThat(failure.path("body").path("error").asText())
        .isEqualTo("Failed routing message to consumer 'no_such_actor'.");
    assertThat(failure.path("routing_key").asText()).isEqualTo("reply." + fixture.name());
  }

  @Test
  void aRepliesStreamKeepsItsOrderForEveryClient() {
    CluTestActor actor = fixture.actor();
    WsClient first = fixture.client();
    WsClient second = fixture.client();
    awaitClients(2);

    for (int i = 0; i < 500; i++) {
      actor.broadcast(Map.of("seq", i));
    }

    for (WsClient client : List.of(first, second)) {
      await().atMost(WAIT).until(() -> client.frames().size() == 500);
      List<Integer> seqs =
          client.frames().stream().map(f -> f.path("body").path("seq").asInt()).toList();
      assertThat(seqs).isSorted().doesNotHaveDuplicates();
    }
  }

  @Test
  void theGatewaySendsNothingOnConnectLikeClu() {
    WsClient client = fixture.client();
    CluTestActor actor = fixture.actor();
    awaitClients(1);
    actor.broadcast(Map.of("marker", 1));

    client.awaitFrame(f -> f.path("body").has("marker"));
    assertThat(client.frames()).hasSize(1);
  }

  @Test
  void closingClientsMidStreamRemovesThemFromTheGateway() {
    CluTestActor actor = fixture.actor();
    WsClient stays = fixture.client();
    List<WsClient> leaving = List.of(fixture.client(), fixture.client(), fixture.client());
    WsClient aborting = fixture.client();
    awaitClients(5);

    for (int i = 0; i < 200; i++) {
      actor.broadcast(Map.of("seq", i));
      if (i == 50) {
        leaving.forEach(WsClient::close);
        aborting.abort();
      }
    }

    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == 1);
    await().atMost(WAIT).until(() -> stays.frames().size() == 200);
  }

  @Test
  void aCommandIsNotSeenByAnObserverOfRepliesOnly() {
    // The gateway publishes commands on command.<consumer> only: reply listeners see the replies.
    CluTestActor actor = fixture.actor();
    try (ReplyObserver observer = ReplyObserver.start(fixture.amqp().exchange(), "reply.#")) {
      WsClient client = fixture.client();
      client.send(
          "{\"consumer\": \""
              + actor.name()
              + "\", \"command_string\": \"ping\","
              + " \"command_id\": \"obs-1\"}");
      client.awaitFinished("obs-1");
      await().atMost(WAIT).until(() -> observer.messages().size() == 2);
      assertThat(observer.messages())
          .allSatisfy(m -> assertThat(m.routingKey()).startsWith("reply."));
    }
  }

  @Test
  void aClientSubscribedToSomeActorsReceivesOnlyTheirRepliesAndItsOwnErrors() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient everything = fixture.client();
    WsClient subscribed = fixture.client(fixture.uri("/?actors=" + wanted.name()));
    awaitClients(2);

    other.broadcast(Map.of("seq", 1));
    wanted.broadcast(Map.of("seq", 2));
    other.broadcast(Map.of("seq", 3));
    subscribed.send("not json");

    await().atMost(WAIT).until(() -> everything.frames().size() == 3);
    JsonNode error = subscribed.awaitFrame(f -> "e".equals(code(f)));
    assertThat(error.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    await().atMost(WAIT).until(() -> subscribed.frames().size() == 2);
    assertThat(subscribed.frames())
        .filteredOn(f -> f.path("body").has("seq"))
        .singleElement()
        .satisfies(
            f -> assertThat(f.path("headers").path("sender").asText()).isEqualTo(wanted.name()));
  }

  @Test
  void anInvalidSubscriptionRefusesTheUpgradeWithTheReason() throws Exception {
    String response = RawHttp.upgrade(fixture.server().port(), "/?actors=bad%20name");

    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).contains("invalid parameter 'actors'");
    assertThat(fixture.gateway().clientCount()).isZero();
  }

  private void awaitClients(int count) {
    await().atMost(WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  static String code(JsonNode frame) {
    return frame.path("headers").path("message_code").asText();
  }

  static List<String> codes(List<JsonNode> frames) {
    return frames.stream().map(CluCompatibilityIT::code).collect(Collectors.toList());
  }

  static List<String> fieldNames(JsonNode node) {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
