package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Control frames over a real websocket: a client changes its subscription without reconnecting, and
 * a malformed control frame is answered with a precise error while the connection goes on. Real
 * gateway, real RabbitMQ, CLU test actors.
 *
 * <p>A control frame's answer is sent after the new filters are in place, so every reply an actor
 * publishes after the client received the answer is filtered by them; and a client's frames keep
 * their order, so a reply the client does want (a fence) shows that anything before it has arrived.
 */
class ControlFramesIT {
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void switchingTheSubscriptionMidStreamTakesEffectWithoutReconnecting() {
    CluTestActor first = fixture.actor();
    CluTestActor second = fixture.actor();
    WsClient everything = fixture.client();
    WsClient client = fixture.client();
    awaitClients(2);

    control(
        client,
        "s1",
        "{\"control\": \"subscribe\", \"command_id\": \"s1\","
            + " \"filters\": {\"actors\": \""
            + first.name()
            + "\"}}");
    second.broadcast(Map.of("step", 1));
    first.broadcast(Map.of("step", 1));
    second.broadcast(Map.of("step", 1));
    first.broadcast(Map.of("step", 1, "last", true));
    awaitFrames(everything, 4); // every step-1 reply went through the gateway

    control(
        client,
        "s2",
        "{\"control\": \"subscribe\", \"command_id\": \"s2\","
            + " \"filters\": {\"actors\": [\""
            + second.name()
            + "\"]}}");
    first.broadcast(Map.of("step", 2));
    second.broadcast(Map.of("step", 2));
    first.broadcast(Map.of("step", 2));
    second.broadcast(Map.of("step", 2, "last", true));
    awaitFrames(everything, 8);

    control(client, "s3", "{\"control\": \"unsubscribe\", \"command_id\": \"s3\"}");
    first.broadcast(Map.of("step", 3));
    second.broadcast(Map.of("step", 3));
    awaitFrames(everything, 10);
    await().atMost(WsClient.WAIT).until(() -> client.frames().size() == 9);

    List<String> seen =
        client.frames().stream()
            .map(
                f ->
                    sender(f).equals(fixture.name())
                        ? "gateway " + f.path("headers").path("command_id").asText()
                        : (sender(f).equals(first.name()) ? "first " : "second ")
                            + f.path("body").path("step").asInt())
            .toList();
    assertThat(seen.subList(0, 7))
        .containsExactly(
            "gateway s1", "first 1", "first 1", "gateway s2", "second 2", "second 2", "gateway s3");
    assertThat(seen.subList(7, 9)).containsExactlyInAnyOrder("first 3", "second 3");
    assertThat(fixture.gateway().stats().clientsConnected.sum()).isEqualTo(2);
  }

  @Test
  void theAnswerToASubscribeFrameNamesTheFiltersNowInEffect() {
    WsClient client = fixture.client(fixture.uri("/?codes=:f"));

    JsonNode answer =
        control(
            client,
            "s1",
            "{\"control\": \"subscribe\", \"command_id\": \"s1\","
                + " \"filters\": {\"actors\": \"lvmecp,lvm*\"}}");

    assertThat(answer.path("headers").path("message_code").asText()).isEqualTo(":");
    assertThat(answer.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(answer.path("exchange").asText()).isEmpty();
    assertThat(answer.path("routing_key").asText()).isEmpty();
    assertThat(answer.path("body").path("control").asText()).isEqualTo("subscribe");
    assertThat(answer.path("body").path("subscription").toString())
        .isEqualTo("{\"codes\":[\":f\"],\"actors\":[\"lvmecp\",\"lvm*\"]}");
    assertThat(answer.path("body").path("text").asText())
        .isEqualTo("filters now: codes=:f & actors=lvmecp,lvm*");
  }

  @Test
  void aMalformedControlFrameGetsAPreciseErrorAndTheConnectionKeepsWorking() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    JsonNode error = control(client, "m1", "{\"control\": \"subscibe\", \"command_id\": \"m1\"}");
    JsonNode unknownField =
        control(
            client, "m2", "{\"control\": \"snapshot\", \"command_id\": \"m2\", \"actor\": \"x\"}");
    JsonNode badValue =
        control(
            client,
            "m3",
            "{\"control\": \"subscribe\", \"command_id\": \"m3\","
                + " \"filters\": {\"actors\": {\"name\": \"x\"}}}");
    client.send(command(actor, "ping", "p1"));

    assertThat(error.path("headers").path("message_code").asText()).isEqualTo("e");
    assertThat(error.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "unknown control 'subscibe': expected \"subscribe\", \"unsubscribe\" or \"snapshot\"");
    assertThat(unknownField.path("body").path("error").asText())
        .isEqualTo(
            "unknown field 'actor' in a snapshot frame (expected 'control', 'command_id' and"
                + " 'actors')");
    assertThat(badValue.path("body").path("error").asText())
        .isEqualTo(
            "filter 'actors': must be a string, a number, a boolean or a list of them, got an"
                + " object");
    assertThat(codes(client.awaitFinished("p1"))).containsExactly(">", ":");
    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void aRefusedSubscribeLeavesTheSubscriptionAsItWas() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient everything = fixture.client();
    WsClient client = fixture.client(fixture.uri("/?actors=" + wanted.name()));

    JsonNode notInstalled =
        control(
            client,
            "r1",
            "{\"control\": \"subscribe\", \"command_id\": \"r1\","
                + " \"filters\": {\"actors\": \""
                + other.name()
                + "\", \"mtach\": \"x\"}}");
    JsonNode invalid =
        control(
            client,
            "r2",
            "{\"control\": \"subscribe\", \"command_id\": \"r2\","
                + " \"filters\": {\"actors\": \""
                + other.name()
                + "\", \"codes\": \":x\"}}");
    JsonNode reserved =
        control(
            client,
            "r3",
            "{\"control\": \"subscribe\", \"command_id\": \"r3\","
                + " \"filters\": {\"snapshot\": true}}");
    other.broadcast(Map.of("unwanted", true));
    everything.awaitFrame(f -> f.path("body").has("unwanted"));
    wanted.broadcast(Map.of("fence", true));
    client.awaitFrame(f -> f.path("body").has("fence"));

    assertThat(notInstalled.path("headers").path("message_code").asText()).isEqualTo("e");
    assertThat(notInstalled.path("body").path("error").asText())
        .startsWith("no filter named 'mtach' is installed (installed: ")
        .contains("actors");
    assertThat(invalid.path("body").path("error").asText())
        .startsWith("invalid parameter 'codes': 'x' is not a CLU message code");
    assertThat(reserved.path("body").path("error").asText())
        .isEqualTo("'snapshot' is not a filter: it is a connection parameter (give it in the URL)");
    assertThat(client.frames()).noneMatch(f -> f.path("body").has("unwanted"));
  }

  @Test
  void aControlFrameIsNeverSentToAnActorEvenWithAConsumer() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();

    JsonNode error =
        control(
            client,
            "c1",
            "{\"control\": \"snapshot\", \"command_id\": \"c1\", \"consumer\": \""
                + actor.name()
                + "\", \"command_string\": \"ping\"}");
    client.send(command(actor, "status", "c2"));
    client.awaitFinished("c2");

    assertThat(error.path("body").path("error").asText())
        .startsWith("a frame with 'control' is a control frame and is never sent to an actor");
    assertThat(actor.received())
        .singleElement()
        .satisfies(c -> assertThat(c.body().path("command_string").asText()).isEqualTo("status"));
  }

  @Test
  void unsubscribingOneFilterKeepsTheOthers() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient client = fixture.client(fixture.uri("/?actors=" + wanted.name() + "&keywords=kept"));

    JsonNode answer =
        control(
            client,
            "u1",
            "{\"control\": \"unsubscribe\", \"command_id\": \"u1\","
                + " \"filters\": [\"keywords\"]}");
    other.broadcast(Map.of("kept", 1, "dropped", 1));
    wanted.broadcast(new TreeMap<>(Map.of("kept", 2, "dropped", 2)));

    JsonNode reply = client.awaitFrame(f -> f.path("body").has("kept"));
    assertThat(answer.path("body").path("subscription").toString())
        .isEqualTo("{\"actors\":[\"" + wanted.name() + "\"]}");
    assertThat(reply.path("headers").path("sender").asText()).isEqualTo(wanted.name());
    assertThat(reply.path("body").toString()).isEqualTo("{\"dropped\":2,\"kept\":2}");
  }

  @Test
  void aParameterThatNamesNoFilterIsIgnoredAndNamedInTheClientsFirstFrame() {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    actor.broadcast(Map.of("dome", "open"));
    observer.awaitFrame(f -> f.path("body").has("dome"));

    WsClient client = fixture.client(fixture.uri("/?exmaple=1&snapshot=true"));
    actor.broadcast(Map.of("dome", "closed"));

    client.awaitFrame(f -> f.path("body").path("dome").asText().equals("closed"));
    List<JsonNode> frames = client.frames();
    JsonNode warning = frames.get(0);
    assertThat(warning.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(warning.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(warning.path("body").path("error").asText())
        .startsWith("unknown parameter 'exmaple': no filter of that name is installed (installed: ")
        .endsWith("); it is ignored");
    assertThat(frames.get(1).path("headers").path("snapshot").asBoolean()).isTrue();
    assertThat(frames).hasSize(4); // warning, snapshot, its end, the live reply
  }

  /** Sends a control frame and waits for the gateway's answer with that command id. */
  private JsonNode control(WsClient client, String commandId, String frame) {
    client.send(frame);
    return client.awaitFrame(
        f ->
            commandId.equals(f.path("headers").path("command_id").asText(null))
                && fixture.name().equals(f.path("headers").path("sender").asText()));
  }

  private static void awaitFrames(WsClient client, int count) {
    await().atMost(WsClient.WAIT).until(() -> client.frames().size() >= count);
  }

  private void awaitClients(int count) {
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  private static String sender(JsonNode frame) {
    return frame.path("headers").path("sender").asText();
  }

  private static List<String> codes(List<JsonNode> frames) {
    return frames.stream().map(f -> f.path("headers").path("message_code").asText()).toList();
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
}
