package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built-in filters (clu-ws-filters) as a websocket client uses them: query parameters on the
 * upgrade URL, a real gateway, real RabbitMQ, CLU test actors.
 *
 * <p>To show that a client did <em>not</em> receive a reply, each test ends with a fence: a reply
 * the client does want, published after a client without filters ({@code everything}) has received
 * every reply before it. The gateway fans each reply out to every client before the next, and a
 * client's frames keep their order, so anything the filtered client would have received arrives
 * before the fence.
 */
class SubscriptionFiltersIT {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void anActorsSubscriberGetsNoOtherActorsReplies() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient everything = fixture.client();
    WsClient subscriber = fixture.client(fixture.uri("/?actors=" + wanted.name()));
    awaitClients(2);

    other.broadcast(Map.of("seq", 1));
    wanted.broadcast(Map.of("seq", 2));
    other.broadcast(Map.of("seq", 3));
    subscriber.send(command(other, "ping", "other-1"));
    everything.awaitFinished("other-1");
    await().atMost(WsClient.WAIT).until(() -> everything.frames().size() == 5);
    wanted.broadcast(Map.of("fence", true));

    subscriber.awaitFrame(f -> f.path("body").has("fence"));
    assertThat(senders(subscriber.frames())).containsOnly(wanted.name());
    assertThat(subscriber.frames()).hasSize(2);
  }

  @Test
  void aCodesSubscriberGetsOnlyCompletions() {
    CluTestActor actor = fixture.actor();
    WsClient subscriber = fixture.client(fixture.uri("/?codes=:f"));

    subscriber.send(command(actor, "status", "s-1"));
    subscriber.send(command(actor, "no_such_command", "u-1"));
    subscriber.awaitFinished("s-1");
    subscriber.awaitFinished("u-1");

    // the >, i and w replies come from the same actor before each final reply
    assertThat(codes(subscriber.framesFor("s-1"))).containsExactly(":");
    assertThat(codes(subscriber.framesFor("u-1"))).containsExactly("f");
    assertThat(subscriber.frames()).hasSize(2);
  }

  @Test
  void aCodesSubscriberMayGiveTheCodesAsSeveralValues() {
    CluTestActor actor = fixture.actor();
    WsClient subscriber = fixture.client(fixture.uri("/?codes=i,:"));

    subscriber.send(command(actor, "status", "s-1"));
    subscriber.awaitFinished("s-1");

    assertThat(codes(subscriber.framesFor("s-1"))).containsExactly("i", ":");
  }

  @Test
  void anOwnSubscriberGetsTheRepliesToItsOwnCommandsAndNotAnotherClients() {
    CluTestActor actor = fixture.actor();
    WsClient everything = fixture.client();
    WsClient own = fixture.client(fixture.uri("/?own=true"));
    WsClient another = fixture.client();
    awaitClients(3);

    own.send(command(actor, "ping", "mine-1"));
    another.send(command(actor, "ping", "theirs-1"));
    everything.awaitFinished("mine-1");
    everything.awaitFinished("theirs-1");
    actor.broadcast(Map.of("dome_status", "0x10"));
    everything.awaitFrame(f -> f.path("body").has("dome_status"));
    own.send(command(actor, "ping", "mine-2"));
    own.awaitFinished("mine-2");

    assertThat(codes(own.framesFor("mine-1"))).containsExactly(">", ":");
    assertThat(codes(own.framesFor("mine-2"))).containsExactly(">", ":");
    assertThat(own.frames()).hasSize(4);
    assertThat(codes(another.awaitFinished("theirs-1"))).containsExactly(">", ":");
  }

  @Test
  void anOwnSubscriberWithBroadcastsAlsoGetsBroadcastsButNotAnotherClientsReplies() {
    CluTestActor actor = fixture.actor();
    WsClient everything = fixture.client();
    WsClient own = fixture.client(fixture.uri("/?own=true&own.broadcasts=true"));
    WsClient another = fixture.client();
    awaitClients(3);

    another.send(command(actor, "ping", "theirs-1"));
    everything.awaitFinished("theirs-1");
    actor.broadcast(Map.of("dome_status", "0x10"));
    own.send(command(actor, "ping", "mine-1"));
    own.awaitFinished("mine-1");

    assertThat(own.framesFor("theirs-1")).isEmpty();
    JsonNode broadcast = own.awaitFrame(f -> f.path("body").has("dome_status"));
    assertThat(broadcast.path("routing_key").asText()).isEqualTo("reply.broadcast");
    assertThat(codes(own.framesFor("mine-1"))).containsExactly(">", ":");
    assertThat(own.frames()).hasSize(3);
  }

  @Test
  void internalFalseDropsTheInternalStartOfAPing() {
    CluTestActor actor = fixture.actor();
    WsClient subscriber = fixture.client(fixture.uri("/?internal=false"));

    subscriber.send(command(actor, "ping", "p-1"));
    List<JsonNode> replies = subscriber.awaitFinished("p-1");

    assertThat(codes(replies)).containsExactly(":");
    assertThat(replies.get(0).path("headers").path("internal").asBoolean()).isFalse();
    assertThat(replies.get(0).path("body").path("text").asText()).isEqualTo("Pong.");
  }

  @Test
  void aKeywordsSubscriberGetsOnlyRepliesWithTheKeywordTrimmedToIt() {
    CluTestActor actor = fixture.actor();
    WsClient subscriber = fixture.client(fixture.uri("/?keywords=text"));
    awaitClients(1);

    actor.broadcast(keywords("dome_status", "0x10", "text", "Dome closed.", "moving", false));
    actor.broadcast(keywords("status_word", 42));
    actor.broadcast(keywords("text", "fence"));

    subscriber.awaitFrame(f -> f.path("body").path("text").asText().equals("fence"));
    List<JsonNode> frames = subscriber.frames();
    assertThat(frames).hasSize(2);
    assertThat(frames.get(0).path("body").toString()).isEqualTo("{\"text\":\"Dome closed.\"}");
    assertThat(frames.get(0).path("headers").path("sender").asText()).isEqualTo(actor.name());
    assertThat(frames.get(0).path("message_id").asText()).matches("[0-9a-f]{32}");
  }

  @Test
  void aRoutingSubscriberForBroadcastsGetsNoRepliesToCommands() {
    CluTestActor actor = fixture.actor();
    WsClient everything = fixture.client();
    WsClient subscriber = fixture.client(fixture.uri("/?routing=reply.broadcast"));
    awaitClients(2);

    subscriber.send(command(actor, "ping", "p-1"));
    everything.awaitFinished("p-1");
    actor.broadcast(Map.of("fence", true));

    JsonNode broadcast = subscriber.awaitFrame(f -> f.path("body").has("fence"));
    assertThat(broadcast.path("routing_key").asText()).isEqualTo("reply.broadcast");
    assertThat(subscriber.frames()).hasSize(1);
  }

  @Test
  void aRoutingPatternWithWildcardsMatchesLikeATopicBinding() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient everything = fixture.client();
    // the replies to this gateway's commands to `wanted`: reply.<gateway>.<wanted>
    WsClient subscriber = fixture.client(fixture.uri("/?routing=reply.*." + wanted.name()));
    awaitClients(2);

    subscriber.send(command(other, "ping", "o-1"));
    everything.awaitFinished("o-1");
    other.broadcast(Map.of("seq", 1));
    everything.awaitFrame(f -> f.path("body").has("seq"));
    subscriber.send(command(wanted, "ping", "w-1"));
    subscriber.awaitFinished("w-1");

    assertThat(codes(subscriber.frames())).containsExactly(">", ":");
    assertThat(senders(subscriber.frames())).containsOnly(wanted.name());
  }

  @Test
  void actorsAndCodesTogetherGiveOnlyTheCompletionsOfTheWantedActor() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient everything = fixture.client();
    WsClient subscriber = fixture.client(fixture.uri("/?actors=" + wanted.name() + "&codes=:"));
    awaitClients(2);

    subscriber.send(command(other, "status", "o-1"));
    subscriber.send(command(wanted, "status", "w-1"));
    subscriber.send(command(wanted, "no_such_command", "w-2"));
    everything.awaitFinished("o-1");
    everything.awaitFinished("w-1");
    everything.awaitFinished("w-2");
    wanted.broadcast(Map.of("seq", 1));
    subscriber.send(command(wanted, "ping", "w-3"));
    subscriber.awaitFinished("w-3");

    assertThat(subscriber.frames())
        .extracting(f -> f.path("headers").path("command_id").asText())
        .containsExactly("w-1", "w-3");
    assertThat(codes(subscriber.frames())).containsOnly(":");
  }

  @Test
  void ownAndKeywordsTogetherGiveTheClientsOwnRepliesTrimmed() {
    // 'hold' starts a command the actor never finishes, so the test answers for the actor.
    CluTestActor actor = fixture.actor();
    WsClient everything = fixture.client();
    WsClient subscriber = fixture.client(fixture.uri("/?own=true&keywords=text"));
    WsClient another = fixture.client();
    awaitClients(3);
    subscriber.send(command(actor, "hold", "mine-1"));
    everything.awaitFrame(f -> "mine-1".equals(f.path("headers").path("command_id").asText()));
    another.send(command(actor, "ping", "theirs-1"));
    everything.awaitFinished("theirs-1");

    String commander = fixture.name() + "." + actor.name();
    String routingKey = "reply." + commander;
    actor.reply(">", "mine-1", commander, MAPPER.createObjectNode(), false, routingKey);
    JsonNode moving = keywordsJson("text", "Moving.", "az", 12.5);
    actor.reply("i", "mine-1", commander, moving, false, routingKey);
    actor.reply("i", "mine-1", commander, keywordsJson("az", 13.0), false, routingKey);
    JsonNode done = keywordsJson("az", 14.0, "text", "Done.");
    actor.reply(":", "mine-1", commander, done, false, routingKey);
    subscriber.awaitFinished("mine-1");

    assertThat(subscriber.frames())
        .extracting(f -> f.path("body").toString())
        .containsExactly("{\"text\":\"Moving.\"}", "{\"text\":\"Done.\"}");
    assertThat(codes(subscriber.frames())).containsExactly("i", ":");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "codes=:x | invalid parameter 'codes': 'x' is not a CLU message code",
        "own=maybe | invalid parameter 'own': own must be true or false, not 'maybe'",
        "own=true&own.broadcast=true | unknown option 'own.broadcast'",
        "internal=no | invalid parameter 'internal': internal must be true or false, not 'no'",
        "keywords=dome_* | invalid parameter 'keywords': 'dome_*' is not a valid keyword",
        "routing=re*ly.%23 | invalid parameter 'routing': 're*ly.#' is not a valid routing pattern",
      })
  void anInvalidValueRefusesTheUpgradeWithTheReason(String query, String reason) throws Exception {
    String response = RawHttp.upgrade(fixture.server().port(), "/?" + query);

    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).contains(reason);
    assertThat(fixture.gateway().clientCount()).isZero();
  }

  private void awaitClients(int count) {
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  private static String command(CluTestActor actor, String commandString, String commandId) {
    return "{\"consumer\": \""
        + actor.name()
        + "\", \"command_string\": \""
        + commandString
        + "\", \"command_id\": \""
        + commandId
        + "\"}";
  }

  /** Keywords in the given order (key, value, key, value...). */
  private static Map<String, Object> keywords(Object... keysAndValues) {
    Map<String, Object> keywords = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keywords.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return keywords;
  }

  private static JsonNode keywordsJson(Object... keysAndValues) {
    return MAPPER.valueToTree(keywords(keysAndValues));
  }

  private static List<String> codes(List<JsonNode> frames) {
    return CluCompatibilityIT.codes(frames);
  }

  private static Set<String> senders(List<JsonNode> frames) {
    return frames.stream()
        .map(f -> f.path("headers").path("sender").asText())
        .collect(Collectors.toSet());
  }
}
