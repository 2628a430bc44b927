package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plain HTTP endpoints share the port with the websockets: a CLU client still upgrades on any
 * path, the endpoints' paths included, and every endpoint can be turned off.
 */
class HttpEndpointsIT {
  private static final List<String> PATHS =
      List.of("/", "/healthz", "/readyz", "/metrics", "/clu-ws.js", "/console/console.js");

  private static int status(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(WsClient.WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void aWebsocketOpensOnTheEndpointsPathsAndWorksThere() throws Exception {
    try (GatewayFixture fixture = GatewayFixture.start()) {
      CluTestActor actor = fixture.actor();
      List<WsClient> clients =
          PATHS.stream().map(path -> fixture.client(fixture.uri(path))).toList();
      await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == PATHS.size());

      clients
          .get(3)
          .send(
              "{\"consumer\": \""
                  + actor.name()
                  + "\", \"command_string\": \"ping\", \"command_id\": \"on-metrics\"}");
      List<JsonNode> replies = clients.get(3).awaitFinished("on-metrics");

      assertThat(replies.get(replies.size() - 1).path("body").path("text").asText())
          .isEqualTo("Pong.");
      for (WsClient client : clients) {
        client.awaitFrame(f -> "on-metrics".equals(f.path("headers").path("command_id").asText()));
      }
      assertThat(status(fixture.server().port(), "/healthz")).isEqualTo(200);
      assertThat(status(fixture.server().port(), "/metrics")).isEqualTo(200);
    }
  }

  @Test
  void withEveryEndpointOffEveryPlainRequestGets426AsFromClu() throws Exception {
    ServerSettings settings =
        ServerSettings.defaults().withHost("127.0.0.1").withPort(0).withHttp(HttpEndpoints.none());
    try (GatewayFixture fixture = GatewayFixture.builder().server(settings).start()) {
      for (String path : PATHS) {
        assertThat(status(fixture.server().port(), path)).as(path).isEqualTo(426);
      }
      assertThat(fixture.server().meterRegistry()).isEmpty();
      fixture.client(fixture.uri("/metrics"));
      await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);
    }
  }
}
