package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The current-state snapshot over a real websocket: what it holds after an actor's replies, that it
 * comes before any live reply, and that the client's filters apply to it. Real gateway, real
 * RabbitMQ, CLU test actors.
 */
class SnapshotIT {
  private GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void aSnapshotAfterThreeStatusRepliesCarriesTheLatestValueOfEachKeyword() {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    actor.broadcast(keywords("dome", "closed", "lights", "off"));
    actor.broadcast(keywords("dome", "opening", "hvac", 18.5));
    actor.broadcast(keywords("dome", "open"));
    JsonNode third = observer.awaitFrame(f -> f.path("body").path("dome").asText().equals("open"));
    WsClient client = fixture.client();

    client.send("{\"control\": \"snapshot\", \"command_id\": \"n1\"}");

    JsonNode done =
        client.awaitFrame(f -> f.path("body").path("control").asText().equals("snapshot"));
    List<JsonNode> frames = client.frames();
    assertThat(frames).hasSize(2);
    JsonNode snapshot = frames.get(0);
    assertThat(snapshot.path("headers").toString())
        .isEqualTo(
            "{\"command_id\":\"n1\",\"commander_id\":null,\"internal\":false,"
                + "\"message_code\":\"i\",\"sender\":\""
                + actor.name()
                + "\",\"snapshot\":true}");
    assertThat(snapshot.path("body").toString())
        .isEqualTo("{\"dome\":\"open\",\"lights\":\"off\",\"hvac\":18.5}");
    assertThat(snapshot.path("exchange").asText()).isEmpty();
    assertThat(snapshot.path("routing_key").asText()).isEmpty();
    assertThat(snapshot.path("timestamp").asText()).isEqualTo(third.path("timestamp").asText());
    assertThat(done.path("headers").path("message_code").asText()).isEqualTo(":");
    assertThat(done.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(done.path("headers").path("command_id").asText()).isEqualTo("n1");
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(1);
  }

  @Test
  void theReplyOfAStatusCommandIsPartOfTheState() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client();
    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"status\","
            + " \"command_id\": \"c1\"}");
    client.awaitFinished("c1");

    client.send("{\"control\": \"snapshot\", \"command_id\": \"n1\"}");

    JsonNode snapshot = client.awaitFrame(f -> f.path("headers").path("snapshot").asBoolean());
    assertThat(snapshot.path("body").toString()).isEqualTo("{\"status_word\":42}");
  }

  @Test
  void snapshotTrueAtConnectGivesTheSnapshotBeforeAnyLiveReplyAndLosesNone() throws Exception {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    int last = 300;
    CompletableFuture<Void> publishing =
        CompletableFuture.runAsync(
            () -> {
              for (int n = 1; n <= last; n++) {
                actor.broadcast(Map.of("n", n));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // pace, to overlap
              }
            });
    observer.awaitFrame(f -> f.path("body").path("n").asInt() >= 20);

    WsClient client = fixture.client(fixture.uri("/?snapshot=true"));
    publishing.get(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS);
    client.awaitFrame(f -> f.path("body").path("n").asInt() == last);

    List<JsonNode> frames = client.frames();
    JsonNode snapshot = frames.get(0);
    assertThat(snapshot.path("headers").path("snapshot").asBoolean()).isTrue();
    assertThat(snapshot.path("headers").path("sender").asText()).isEqualTo(actor.name());
    int state = snapshot.path("body").path("n").asInt();
    assertThat(state).isGreaterThanOrEqualTo(20);
    JsonNode done = frames.get(1);
    assertThat(done.path("headers").path("message_code").asText()).isEqualTo("i");
    assertThat(done.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(1);
    List<Integer> live =
        frames.subList(2, frames.size()).stream()
            .map(f -> f.path("body").path("n").asInt())
            .toList();
    assertThat(live).hasSize(last - state);
    for (int i = 0; i < live.size(); i++) {
      assertThat(live.get(i)).isEqualTo(state + 1 + i);
    }
  }

  @Test
  void aSnapshotForSomeActorsHoldsOnlyThem() {
    CluTestActor first = fixture.actor();
    CluTestActor second = fixture.actor();
    CluTestActor third = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    for (CluTestActor actor : List.of(first, second, third)) {
      actor.broadcast(Map.of("name", actor.name()));
    }
    await().atMost(WsClient.WAIT).until(() -> observer.frames().size() == 3);

    observer.send(
        "{\"control\": \"snapshot\", \"command_id\": \"n2\", \"actors\": [\""
            + third.name()
            + "\", \""
            + first.name()
            + "\"]}");

    JsonNode done =
        observer.awaitFrame(f -> f.path("body").path("control").asText().equals("snapshot"));
    List<String> snapshots =
        observer.frames().stream()
            .filter(f -> f.path("headers").path("snapshot").asBoolean())
            .map(f -> f.path("headers").path("sender").asText())
            .toList();
    assertThat(snapshots)
        .containsExactlyElementsOf(
            first.name().compareTo(third.name()) < 0
                ? List.of(first.name(), third.name())
                : List.of(third.name(), first.name()));
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(2);
  }

  @Test
  void theClientsFiltersApplyToItsSnapshot() {
    CluTestActor wanted = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    wanted.broadcast(keywords("dome", "open", "lights", "on"));
    other.broadcast(keywords("dome", "closed"));
    await().atMost(WsClient.WAIT).until(() -> observer.frames().size() == 2);

    WsClient client =
        fixture.client(fixture.uri("/?snapshot=true&actors=" + wanted.name() + "&keywords=dome"));

    JsonNode done =
        client.awaitFrame(f -> f.path("body").path("control").asText().equals("snapshot"));
    assertThat(client.frames()).hasSize(2);
    JsonNode snapshot = client.frames().get(0);
    assertThat(snapshot.path("headers").path("sender").asText()).isEqualTo(wanted.name());
    assertThat(snapshot.path("body").toString()).isEqualTo("{\"dome\":\"open\"}");
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(1);
  }

  @Test
  void aSnapshotPassesTheCodesOwnAndRoutingFilters() {
    CluTestActor actor = fixture.actor();
    WsClient observer = fixture.client();
    awaitClients(1);
    actor.broadcast(keywords("dome", "open"));
    observer.awaitFrame(f -> f.path("body").has("dome"));

    WsClient client =
        fixture.client(fixture.uri("/?snapshot=true&codes=:f&own=true&routing=reply.nothing"));

    JsonNode done =
        client.awaitFrame(f -> f.path("body").path("control").asText().equals("snapshot"));
    assertThat(client.frames().get(0).path("body").toString()).isEqualTo("{\"dome\":\"open\"}");
    assertThat(done.path("body").path("actors").asInt()).isEqualTo(1);
  }

  @Test
  void aGatewayWithoutStateRefusesSnapshotsWithTheReason() throws Exception {
    fixture.close();
    fixture = GatewayFixture.builder().gatewaySettings(b -> b.state(0, 1, 1)).start();

    String response = RawHttp.upgrade(fixture.server().port(), "/?snapshot=true");
    WsClient client = fixture.client();
    client.send("{\"control\": \"snapshot\", \"command_id\": \"n3\"}");

    assertThat(response).startsWith("HTTP/1.1 400").contains("this gateway keeps no state");
    JsonNode error =
        client.awaitFrame(f -> f.path("headers").path("command_id").asText().equals("n3"));
    assertThat(error.path("headers").path("message_code").asText()).isEqualTo("e");
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "this gateway keeps no state, so it has no snapshot (it runs with --state-actors 0)");
  }

  private void awaitClients(int count) {
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  /** Keywords in the given order (key, value, key, value...). */
  private static Map<String, Object> keywords(Object... keysAndValues) {
    Map<String, Object> keywords = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      keywords.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return keywords;
  }
}
