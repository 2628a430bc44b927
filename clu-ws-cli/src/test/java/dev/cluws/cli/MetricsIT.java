package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} after real traffic: commands to a CLU test actor and its replies, a broadcast, a
 * command to an actor that does not exist and an invalid frame, all through a real websocket; the
 * scrape is parsed from the Prometheus text format and every counter matches what was sent.
 */
class MetricsIT {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final GatewayFixture fixture = GatewayFixture.start();
  private final CluTestActor actor = fixture.actor();
  private WsClient client;

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    fixture.close();
  }

  private PrometheusText scrape() {
    return PrometheusText.scrape(fixture.server().port());
  }

  private static String command(String consumer, String commandString, String id) {
    return "{\"consumer\": \""
        + consumer
        + "\", \"command_string\": \""
        + commandString
        + "\", \"command_id\": \""
        + id
        + "\"}";
  }

  private double replies(PrometheusText metrics, String code) {
    return metrics.value("cluws_replies_received_total", "actor", actor.name(), "code", code);
  }

  @Test
  void theCountersMatchTheTrafficAClientCaused() {
    client = WsClient.connect(fixture.uri());
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);

    for (String id : List.of("p1", "p2", "p3")) {
      client.send(command(actor.name(), "ping", id));
      client.awaitFinished(id);
    }
    client.send(command(actor.name(), "status", "s1"));
    client.awaitFinished("s1");
    client.send(command(actor.name(), "bogus", "b1")); // the actor answers > w f
    client.awaitFinished("b1");
    client.send(command("nobody-" + actor.name(), "ping", "u1")); // returned by the broker
    client.awaitFinished("u1");
    actor.broadcast(Map.of("temperature", 12.5));
    actor.broadcast(Map.of("temperature", 13.0));
    client.awaitFrame(f -> f.path("body").path("temperature").asDouble() == 13.0);
    client.send("this is not json");
    client.awaitFrame(f -> f.path("headers").path("message_code").asText().equals("e"));
    // Every frame the client holds has been written; its own errors come from the gateway.
    int frames = client.texts().size();
    long bytes =
        client.texts().stream().mapToLong(t -> t.getBytes(StandardCharsets.UTF_8).length).sum();
    long fromActors =
        client.frames().stream()
            .filter(f -> actor.name().equals(f.path("headers").path("sender").asText()))
            .count();
    await().atMost(WsClient.WAIT).until(() -> scrape().value("cluws_frames_out_total") == frames);

    PrometheusText metrics = scrape();

    assertThat(metrics.value("cluws_clients_connected")).isEqualTo(1);
    assertThat(metrics.value("cluws_client_connections_total")).isEqualTo(1);
    assertThat(metrics.value("cluws_frames_in_total", "kind", "command")).isEqualTo(6);
    assertThat(metrics.value("cluws_frames_in_total", "kind", "invalid")).isEqualTo(1);
    assertThat(metrics.value("cluws_frames_in_total", "kind", "control")).isZero();
    assertThat(metrics.value("cluws_commands_received_total")).isEqualTo(6);
    assertThat(metrics.value("cluws_commands_total", "outcome", "sent")).isEqualTo(5);
    assertThat(metrics.value("cluws_commands_total", "outcome", "returned")).isEqualTo(1);
    assertThat(metrics.value("cluws_commands_total", "outcome", "failed")).isZero();
    assertThat(metrics.value("cluws_commands_total", "outcome", "denied")).isZero();
    assertThat(metrics.value("cluws_commands_total", "outcome", "rate_limited")).isZero();
    // 3 pings: > :, status: > i :, bogus: > w f, 2 broadcasts: i.
    assertThat(replies(metrics, ">")).isEqualTo(5);
    assertThat(replies(metrics, ":")).isEqualTo(4);
    assertThat(replies(metrics, "i")).isEqualTo(3);
    assertThat(replies(metrics, "w")).isEqualTo(1);
    assertThat(replies(metrics, "f")).isEqualTo(1);
    assertThat(metrics.samples("cluws_replies_received_total", "actor", actor.name())).hasSize(5);
    // The broker returned the command; the gateway's sink publishes CLU's failure reply for the
    // missing consumer on the exchange, and it arrives like any reply, under the consumer's name.
    assertThat(
            metrics.value(
                "cluws_replies_received_total", "actor", "nobody-" + actor.name(), "code", "f"))
        .isEqualTo(1);
    assertThat(fromActors).isEqualTo(14);
    assertThat(metrics.value("cluws_frames_out_total")).isEqualTo(frames);
    assertThat(metrics.value("cluws_bytes_out_total")).isEqualTo(bytes);
    assertThat(metrics.value("cluws_frames_shed_total", "policy", "drop_oldest")).isZero();
    assertThat(metrics.value("cluws_frames_shed_total", "policy", "drop_newest")).isZero();
    assertThat(metrics.value("cluws_slow_clients_closed_total")).isZero();
    assertThat(metrics.value("cluws_filter_errors_total")).isZero();
    assertThat(metrics.value("cluws_broker_connected")).isEqualTo(1);
    assertThat(metrics.value("cluws_broker_state", "state", "UP")).isEqualTo(1);
    assertThat(metrics.value("cluws_broker_state", "state", "RECOVERING")).isZero();
    assertThat(metrics.value("cluws_broker_reconnects_total")).isZero();
  }

  @Test
  void theDeliveryLatencyHistogramHasOneSampleForEveryActorReplyWritten() {
    client = WsClient.connect(fixture.uri());
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);

    client.send(command(actor.name(), "ping", "p1"));
    client.awaitFinished("p1");
    client.send("{\"consumer\": 42}"); // the gateway's own error frame: not a delivery
    client.awaitFrame(f -> f.path("headers").path("message_code").asText().equals("e"));
    actor.broadcast(Map.of("last", true));
    client.awaitFrame(f -> f.path("body").has("last"));
    await()
        .atMost(WsClient.WAIT)
        .until(() -> scrape().value("cluws_frames_out_total") == client.texts().size());

    PrometheusText metrics = scrape();

    assertThat(metrics.type("cluws_delivery_latency_seconds")).isEqualTo("histogram");
    // ping: > and :, then the broadcast.
    assertThat(metrics.value("cluws_delivery_latency_seconds_count")).isEqualTo(3);
    assertThat(metrics.value("cluws_delivery_latency_seconds_bucket", "le", "+Inf")).isEqualTo(3);
    assertThat(metrics.samples("cluws_delivery_latency_seconds_bucket")).hasSizeGreaterThan(10);
    assertThat(metrics.value("cluws_delivery_latency_seconds_sum")).isPositive();
  }

  @Test
  void aReplyWithoutACluCodeIsCountedAsNone() {
    client = WsClient.connect(fixture.uri());
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);

    actor.reply("?", null, null, JSON.createObjectNode().put("odd", 1), false, "reply.broadcast");
    actor.broadcast(Map.of("after", 1));
    client.awaitFrame(f -> f.path("body").has("after"));

    // Replies arrive in order: the broadcast's frame means the odd reply went through before it.
    PrometheusText metrics = scrape();

    assertThat(replies(metrics, "none")).isEqualTo(1);
    assertThat(replies(metrics, "i")).isEqualTo(1);
  }
}
