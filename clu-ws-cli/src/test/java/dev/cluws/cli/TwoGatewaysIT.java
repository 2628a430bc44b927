package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Horizontal scale: two gateways with distinct names on one exchange, as behind a load balancer.
 * Each consumes every reply ({@code reply.#}), so a client sees the same stream whichever gateway
 * it is connected to.
 */
class TwoGatewaysIT {
  private static final Duration WAIT = WsClient.WAIT;

  private final AmqpSettings amqp = GatewayFixture.amqpSettings();
  private final String nameA = TestBroker.uniqueName("gw-a");
  private final String nameB = TestBroker.uniqueName("gw-b");
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final WebsocketServer gatewayA = start(nameA);
  private final WebsocketServer gatewayB = start(nameB);
  private final CluTestActor actor =
      keep(CluTestActor.start(amqp.exchange(), TestBroker.uniqueName("actor")));

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  private <T extends AutoCloseable> T keep(T resource) {
    resources.add(0, resource); // closed in reverse order: clients, then servers
    return resource;
  }

  private WebsocketServer start(String name) {
    return keep(
        new WebsocketServer(
                Gateway.builder()
                    .gatewaySettings(GatewaySettings.named(name))
                    .settings(amqp)
                    .build(),
                ServerSettings.defaults().withHost("127.0.0.1").withPort(0))
            .start());
  }

  private WsClient client(WebsocketServer server) {
    int before = server.gateway().clientCount();
    WsClient client = keep(WsClient.connect(server.uri()));
    await().atMost(WAIT).until(() -> server.gateway().clientCount() == before + 1);
    return client;
  }

  private void ping(WsClient client, CluTestActor to, String commandId) {
    client.send(
        "{\"consumer\": \""
            + to.name()
            + "\", \"command_string\": \"ping\", \"command_id\": \""
            + commandId
            + "\"}");
  }

  private static String last(List<JsonNode> replies, String field) {
    JsonNode frame = replies.get(replies.size() - 1);
    return field.equals("text")
        ? frame.path("body").path("text").asText()
        : frame.path(field).asText();
  }

  @Test
  void anActorBroadcastReachesTheClientsOfBothGateways() {
    List<WsClient> clients =
        List.of(client(gatewayA), client(gatewayA), client(gatewayB), client(gatewayB));

    actor.broadcast(Map.of("dome_status", "0x10"));

    for (WsClient client : clients) {
      JsonNode frame = client.awaitFrame(f -> f.path("body").has("dome_status"));
      assertThat(frame.path("routing_key").asText()).isEqualTo("reply.broadcast");
      assertThat(frame.path("headers").path("sender").asText()).isEqualTo(actor.name());
    }
  }

  @Test
  void aCommandThroughEitherGatewayReachesTheActorAndItsRepliesReachItsSender() {
    WsClient viaA = client(gatewayA);
    WsClient viaB = client(gatewayB);

    ping(viaA, actor, "via-a");
    ping(viaB, actor, "via-b");

    List<JsonNode> repliesA = viaA.awaitFinished("via-a");
    List<JsonNode> repliesB = viaB.awaitFinished("via-b");
    assertThat(last(repliesA, "text")).isEqualTo("Pong.");
    assertThat(last(repliesB, "text")).isEqualTo("Pong.");
    assertThat(last(repliesA, "routing_key")).isEqualTo("reply." + nameA + "." + actor.name());
    assertThat(last(repliesB, "routing_key")).isEqualTo("reply." + nameB + "." + actor.name());
    await().atMost(WAIT).until(() -> actor.received().size() == 2);
    assertThat(actor.received())
        .extracting(c -> String.valueOf(c.header("commander_id")))
        .containsExactlyInAnyOrder(nameA + "." + actor.name(), nameB + "." + actor.name());
    assertThat(actor.received())
        .extracting(c -> c.properties().getReplyTo())
        .containsExactlyInAnyOrder(nameA + "_replies", nameB + "_replies");
  }

  @Test
  void repliesToACommandThroughOneGatewayAlsoReachTheClientsOfTheOther() {
    WsClient sender = client(gatewayA);
    WsClient bystander = client(gatewayB);

    ping(sender, actor, "seen-by-all");

    List<JsonNode> seen = bystander.awaitFinished("seen-by-all");
    assertThat(seen)
        .extracting(f -> f.path("headers").path("message_code").asText())
        .containsExactly(">", ":");
    assertThat(last(seen, "routing_key")).isEqualTo("reply." + nameA + "." + actor.name());
    assertThat(sender.awaitFinished("seen-by-all")).hasSize(2);
  }

  @Test
  void aSecondGatewayWithTheSameNameIsRefusedWithAMessageThatSaysSo() {
    WebsocketServer twin =
        new WebsocketServer(
            Gateway.builder().gatewaySettings(GatewaySettings.named(nameA)).settings(amqp).build(),
            ServerSettings.defaults().withHost("127.0.0.1").withPort(0));
    resources.add(0, twin);

    assertThatThrownBy(twin::start)
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining(nameA + "_replies is in use by another client")
        .hasMessageContaining("each gateway on a broker needs its own name");
  }
}
