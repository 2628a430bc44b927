package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.cli.plugins.ExplodingFilterProvider;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Filter plugins as a client meets them: a filter that is not installed, a plugin whose filter
 * throws ({@link ExplodingFilterProvider}, on the test class path) and a plugin whose {@code
 * create()} throws. The example plugin {@code match} is deliberately not on this module's class
 * path ({@link PluginDistributionIT} installs it).
 */
class PluginsIT {
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void aClientAskingForAFilterThatIsNotInstalledIsToldFirstAndReceivesEverything() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client(fixture.uri("/?match=x"));
    awaitClients(1);

    actor.broadcast(Map.of("dome", "closed"));

    client.awaitFrame(f -> sender(f).equals(actor.name()));
    JsonNode first = client.frames().get(0);
    assertThat(sender(first)).isEqualTo(fixture.name());
    assertThat(code(first)).isEqualTo("w");
    assertThat(first.path("body").path("error").asText())
        .startsWith("unknown parameter 'match': no filter of that name is installed (installed: ")
        .contains("actors", ExplodingFilterProvider.NAME)
        .endsWith("); it is ignored");
    assertThat(client.frames()).hasSize(2);
  }

  @Test
  void aSubscribeControlFrameNamingAFilterThatIsNotInstalledGetsAnErrorAndChangesNothing() {
    CluTestActor actor = fixture.actor();
    CluTestActor other = fixture.actor();
    WsClient client = fixture.client(fixture.uri("/?actors=" + actor.name()));
    WsClient everything = fixture.client(fixture.uri("/"));
    awaitClients(2);

    client.send(
        "{\"control\": \"subscribe\", \"command_id\": \"s1\", \"filters\": {\"match\": \"x\"}}");

    JsonNode error = client.awaitFrame(f -> "s1".equals(commandId(f)));
    assertThat(sender(error)).isEqualTo(fixture.name());
    assertThat(code(error)).isEqualTo("e");
    assertThat(error.path("body").path("error").asText())
        .startsWith("no filter named 'match' is installed (installed: ")
        .contains("actors", ExplodingFilterProvider.NAME);
    other.broadcast(Map.of("n", 1));
    everything.awaitFrame(f -> sender(f).equals(other.name()));
    actor.broadcast(Map.of("n", 2));
    client.awaitFrame(f -> sender(f).equals(actor.name()));
    assertThat(client.frames()).hasSize(2); // the error and the actor's reply, not the other's
  }

  @Test
  void aFilterThatThrowsCostsOnlyItsClientTheReplyItThrewOnAndTellsIt() {
    try (LogCapture log = LogCapture.of("dev.cluws.core")) {
      filterThatThrows();

      assertThat(log.messages(Level.WARN))
          .anyMatch(m -> m.contains("reply filter 'explode' failed on a reply from"));
    }
  }

  private void filterThatThrows() {
    CluTestActor exploding = fixture.actor();
    CluTestActor calm = fixture.actor();
    WsClient victim = fixture.client(fixture.uri("/?explode=" + exploding.name()));
    WsClient bystander = fixture.client(fixture.uri("/"));
    awaitClients(2);

    exploding.broadcast(Map.of("n", 1));
    calm.broadcast(Map.of("n", 2));

    JsonNode error = victim.awaitFrame(f -> code(f).equals("e"));
    assertThat(sender(error)).isEqualTo(fixture.name());
    assertThat(error.path("headers").path("command_id").isNull()).isTrue();
    assertThat(error.path("body").path("error").asText())
        .isEqualTo(
            "filter 'explode' failed on a reply from "
                + exploding.name()
                + "; the reply was not delivered: IllegalStateException: kaboom on a reply from "
                + exploding.name());
    victim.awaitFrame(f -> sender(f).equals(calm.name()));
    bystander.awaitFrame(f -> sender(f).equals(exploding.name()));
    bystander.awaitFrame(f -> sender(f).equals(calm.name()));
    assertThat(senders(victim)).doesNotContain(exploding.name());

    calm.broadcast(Map.of("n", 3));

    victim.awaitFrame(f -> f.path("body").path("n").asInt() == 3);
    bystander.awaitFrame(f -> f.path("body").path("n").asInt() == 3);
    assertThat(senders(bystander))
        .containsExactlyInAnyOrder(exploding.name(), calm.name(), calm.name());
    assertThat(victim.isClosed()).isFalse();
  }

  @Test
  void aPluginWhoseCreateThrowsRefusesOnlyTheClientThatAskedForIt() throws Exception {
    try (LogCapture log = LogCapture.of("dev.cluws.core")) {
      pluginWhoseCreateThrows();

      assertThat(log.messages(Level.WARN))
          .anyMatch(m -> m.contains("filter provider 'explode' failed to create a filter"));
    }
  }

  private void pluginWhoseCreateThrows() throws Exception {
    CluTestActor actor = fixture.actor();
    WsClient connected = fixture.client(fixture.uri("/"));
    awaitClients(1);

    String response = RawHttp.upgrade(fixture.server().port(), "/?explode.create=fail");

    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response).contains("filter 'explode' is not available: it failed on the server");
    assertThat(response).doesNotContain("the explode plugin has a bug");
    assertThat(fixture.gateway().clientCount()).isEqualTo(1);
    actor.broadcast(Map.of("n", 1));
    connected.awaitFrame(f -> sender(f).equals(actor.name()));
    WsClient later = fixture.client(fixture.uri("/?explode=" + actor.name() + "-not"));
    awaitClients(2);
    actor.broadcast(Map.of("n", 2));
    later.awaitFrame(f -> f.path("body").path("n").asInt() == 2);
  }

  private void awaitClients(int count) {
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  private static String sender(JsonNode frame) {
    return frame.path("headers").path("sender").asText();
  }

  private static String code(JsonNode frame) {
    return frame.path("headers").path("message_code").asText();
  }

  private static String commandId(JsonNode frame) {
    return frame.path("headers").path("command_id").asText(null);
  }

  private static List<String> senders(WsClient client) {
    return client.frames().stream().map(PluginsIT::sender).toList();
  }
}
