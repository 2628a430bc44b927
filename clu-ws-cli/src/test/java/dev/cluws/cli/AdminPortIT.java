package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.AdminPort;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * {@code --admin-port}: health, readiness and metrics on a separate plain HTTP port (loopback by
 * default), away from the websocket port, which keeps them unless told otherwise.
 */
class AdminPortIT {
  private static final ServerSettings LOOPBACK =
      ServerSettings.defaults().withHost("127.0.0.1").withPort(0);

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(WsClient.WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theOperationsPortAnswersHealthReadinessAndMetricsAndTheWebsocketPortStillDoes()
      throws Exception {
    try (GatewayFixture fixture =
        GatewayFixture.builder().server(LOOPBACK.withAdmin(AdminPort.on(0))).start()) {
      int admin = fixture.server().adminPort();
      assertThat(admin).isPositive().isNotEqualTo(fixture.server().port());

      assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(admin, "/readyz").body()).startsWith("ready: ");
      HttpResponse<String> metrics = get(admin, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("cluws_clients_connected");
      for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
        assertThat(get(fixture.server().port(), path).statusCode()).as(path).isEqualTo(200);
      }
    }
  }

  @Test
  void theOperationsPortServesNoConsoleAndOpensNoWebsocket() throws Exception {
    try (GatewayFixture fixture =
        GatewayFixture.builder().server(LOOPBACK.withAdmin(AdminPort.on(0))).start()) {
      int admin = fixture.server().adminPort();

      for (String path : new String[] {"/", "/clu-ws.js", "/console/console.js", "/other"}) {
        assertThat(get(admin, path).statusCode()).as(path).isEqualTo(404);
      }
      assertThatThrownBy(() -> WsClient.connect(URI.create("ws://127.0.0.1:" + admin + "/")))
          .isInstanceOf(IllegalStateException.class);
      assertThat(fixture.gateway().clientCount()).isZero();
      assertThat(get(fixture.server().port(), "/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void withoutThePublicCopyTheWebsocketPortAnswers426ThereAndStillServesClients() throws Exception {
    ServerSettings settings = LOOPBACK.withAdmin(AdminPort.on(0).withAlsoOnPublicPort(false));
    try (GatewayFixture fixture = GatewayFixture.builder().server(settings).start()) {
      CluTestActor actor = fixture.actor();
      int port = fixture.server().port();

      for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
        assertThat(get(port, path).statusCode()).as(path).isEqualTo(426);
        assertThat(get(fixture.server().adminPort(), path).statusCode()).as(path).isEqualTo(200);
      }
      assertThat(get(port, "/").statusCode()).isEqualTo(200);
      WsClient client = fixture.client(fixture.uri("/metrics"));
      client.send(
          "{\"consumer\": \""
              + actor.name()
              + "\", \"command_string\": \"ping\", \"command_id\": \"adm-1\"}");
      assertThat(client.awaitFinished("adm-1")).isNotEmpty();
    }
  }

  @Test
  void aTakenOperationsPortStopsTheStartWithAMessageNamingIt() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Gateway gateway =
          Gateway.builder()
              .gatewaySettings(GatewaySettings.named(TestBroker.uniqueName("gw")))
              .settings(GatewayFixture.amqpSettings())
              .build();
      WebsocketServer server =
          new WebsocketServer(gateway, LOOPBACK.withAdmin(AdminPort.on(taken.getLocalPort())));

      assertThatThrownBy(server::start)
          .isInstanceOf(CluWsException.class)
          .hasMessageStartingWith(
              "cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (operations port)");
      server.close();
    }
  }
}
