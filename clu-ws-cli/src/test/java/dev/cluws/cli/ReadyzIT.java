package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.amqp.testing.TcpProxy;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz} and {@code /healthz} while the broker connection is cut and restored: the real
 * gateway reaches RabbitMQ through a {@link TcpProxy} (the shared broker itself never restarts).
 */
class ReadyzIT {
  private static final Duration WAIT = WsClient.WAIT;

  private final TcpProxy proxy = TcpProxy.toTestBroker();
  private final AmqpSettings amqp =
      GatewayFixture.amqpSettings()
          .withPort(proxy.port())
          .withRecoveryInterval(Duration.ofMillis(500));
  private final WebsocketServer server =
      new WebsocketServer(
              Gateway.builder()
                  .gatewaySettings(GatewaySettings.named(TestBroker.uniqueName("gw")))
                  .settings(amqp)
                  .build(),
              ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
          .start();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterEach
  void tearDown() {
    server.close();
    proxy.close();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int status(String path) {
    try {
      return get(path).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readyzSaysWhyItIsUnavailableWhileTheBrokerIsCutAndIsReadyAgainAfter() throws Exception {
    HttpResponse<String> connected = get("/readyz");
    assertThat(connected.statusCode()).isEqualTo(200);
    assertThat(connected.body()).contains("connected to the broker");

    proxy.cut();
    await().atMost(WAIT).until(() -> status("/readyz") == 503);
    HttpResponse<String> cut = get("/readyz");
    HttpResponse<String> health = get("/healthz");

    assertThat(cut.statusCode()).isEqualTo(503);
    assertThat(cut.body())
        .contains("not ready")
        .containsAnyOf("RECOVERING", "DOWN")
        .contains("broker connection is lost");
    assertThat(health.statusCode()).as("the process is alive: %s", health.body()).isEqualTo(200);

    proxy.restore();
    await().atMost(WAIT).until(() -> status("/readyz") == 200);
    assertThat(get("/readyz").body()).contains("connected to the broker");
  }

  @Test
  void theMetricsShowTheBrokerStateAndCountTheReconnect() {
    assertThat(PrometheusText.scrape(server.port()).value("cluws_broker_connected")).isEqualTo(1);

    proxy.cut();
    await().atMost(WAIT).until(() -> status("/readyz") == 503);
    PrometheusText cut = PrometheusText.scrape(server.port());
    proxy.restore();
    await().atMost(WAIT).until(() -> status("/readyz") == 200);
    PrometheusText back = PrometheusText.scrape(server.port());

    assertThat(cut.value("cluws_broker_connected")).isZero();
    assertThat(cut.value("cluws_broker_state", "state", "UP")).isZero();
    assertThat(cut.value("cluws_broker_disconnects_total")).isEqualTo(1);
    assertThat(back.value("cluws_broker_connected")).isEqualTo(1);
    assertThat(back.value("cluws_broker_state", "state", "UP")).isEqualTo(1);
    assertThat(back.value("cluws_broker_reconnects_total")).isEqualTo(1);
  }
}
