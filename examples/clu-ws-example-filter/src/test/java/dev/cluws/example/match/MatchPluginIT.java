package dev.cluws.example.match;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.ReplyBuilder;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code match} plugin end to end, with the test kit's {@link GatewayFixture} (a real gateway
 * on the broker), {@link WsClient} and {@link CluTestActor}. The plugin is loaded from its packaged
 * jar on the class path (the failsafe plugin runs integration tests against the module's jar, not
 * its classes directory), as a gateway would load it.
 */
class MatchPluginIT {
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void theGatewayFindsTheMatchFilterInThePluginJar() {
    ReplyFilterProvider found =
        fixture.gateway().filterProviders().find(MatchFilterProvider.NAME).orElseThrow();

    assertThat(found).isInstanceOf(MatchFilterProvider.class);
    assertThat(found.getClass().getProtectionDomain().getCodeSource().getLocation().getPath())
        .matches(".*/clu-ws-example-filter-[^/]*\\.jar");
  }

  @Test
  void aClientWithMatchReceivesOnlyTheRepliesWhoseKeywordsContainTheText() {
    CluTestActor actor = fixture.actor();
    WsClient everything = fixture.client("/");
    WsClient open = fixture.client("/?match=open");
    WsClient openDome = fixture.client("/?match=open&match.keyword=dome");
    fixture.awaitClients(3);

    actor.broadcast(Map.of("dome", "Closed"));
    actor.broadcast(Map.of("dome", "OPEN"));
    actor.broadcast(Map.of("text", "the door is open"));
    actor.broadcast(Map.of("status_word", 42));
    actor.broadcast(Map.of("dome", "opening")); // the last one

    everything.awaitFrame(MatchPluginIT::isLast);
    open.awaitFrame(MatchPluginIT::isLast);
    openDome.awaitFrame(MatchPluginIT::isLast);
    assertThat(bodies(everything))
        .containsExactly(
            "{\"dome\":\"Closed\"}",
            "{\"dome\":\"OPEN\"}",
            "{\"text\":\"the door is open\"}",
            "{\"status_word\":42}",
            "{\"dome\":\"opening\"}");
    assertThat(bodies(open))
        .containsExactly(
            "{\"dome\":\"OPEN\"}", "{\"text\":\"the door is open\"}", "{\"dome\":\"opening\"}");
    assertThat(bodies(openDome)).containsExactly("{\"dome\":\"OPEN\"}", "{\"dome\":\"opening\"}");
  }

  @Test
  void repliesToACommandReachAMatchClientOnlyWhenTheyMatch() {
    CluTestActor actor = fixture.actor();
    WsClient pong = fixture.client("/?match=pong");
    fixture.awaitClients(1);

    // The actor answers some other client's command c-1, as CLU does: ">" (internal), then ":".
    String commanderId = fixture.name() + "." + actor.name();
    String routingKey = "reply." + fixture.name();
    actor.reply(">", "c-1", commanderId, ReplyBuilder.parse("{}"), true, routingKey);
    actor.reply(
        ":", "c-1", commanderId, ReplyBuilder.parse("{\"text\": \"Pong.\"}"), false, routingKey);

    JsonNode done = pong.awaitFrame(WsClient::isFinal);
    assertThat(done.path("headers").path("sender").asText()).isEqualTo(actor.name());
    assertThat(pong.frames()).containsExactly(done);
  }

  @Test
  void aClientWithAnInvalidMatchIsRefusedWithTheReason() throws IOException {
    String response = upgrade("/?match=open&match.colour=red");

    assertThat(response).startsWith("HTTP/1.1 400");
    assertThat(response)
        .contains(
            "invalid parameter 'match': match has no option 'colour' (its only option is"
                + " match.keyword=<keyword>)");
    assertThat(fixture.gateway().clientCount()).isZero();
  }

  @Test
  void theOperatorsMaxTextsSettingRefusesAClientWithMoreTexts() throws IOException {
    try (GatewayFixture limited =
        GatewayFixture.builder().filterSetting("match", "max-texts", "2").start()) {
      CluTestActor actor = limited.actor();
      WsClient two = limited.client("/?match=open,closed");
      limited.awaitClients(1);

      String refused = upgrade(limited, "/?match=open,closed,moving");
      actor.broadcast(Map.of("dome", "closed"));

      assertThat(refused).startsWith("HTTP/1.1 400").contains("match takes at most 2 texts, not 3");
      assertThat(two.awaitFrame(MatchPluginIT::isFromAnActor).at("/body/dome").asText())
          .isEqualTo("closed");
    }
  }

  private static boolean isFromAnActor(JsonNode frame) {
    return frame.path("body").has("dome");
  }

  private static boolean isLast(JsonNode frame) {
    return frame.path("body").path("dome").asText().equals("opening");
  }

  private static List<String> bodies(WsClient client) {
    return client.frames().stream().map(f -> f.path("body").toString()).toList();
  }

  /** A websocket upgrade over a plain socket, to read a refusal's status and body. */
  private String upgrade(String pathAndQuery) throws IOException {
    return upgrade(fixture, pathAndQuery);
  }

  private static String upgrade(GatewayFixture gateway, String pathAndQuery) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.port())) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      String request =
          "GET "
              + pathAndQuery
              + " HTTP/1.1\r\n"
              + "Host: 127.0.0.1\r\n"
              + "Upgrade: websocket\r\n"
              + "Connection: Upgrade, close\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 13\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
