package dev.cluws.testkit.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kit's gateway fixture, client and actor against each other, as a plugin author uses them. */
class GatewayFixtureIT {

  @Test
  void aClientCommandsTheActorAndSeesItsRepliesInOrder() {
    try (GatewayFixture gateway = GatewayFixture.start()) {
      CluTestActor actor = gateway.actor();
      WsClient client = gateway.client("/?seq=true");
      gateway.awaitClients(1);

      String id = client.sendCommand(actor.name(), "status");
      List<JsonNode> replies = client.awaitFinished(id);

      assertThat(replies).extracting(WsClient::codeOf).containsExactly(">", "i", ":");
      assertThat(replies.get(1).at("/body/status_word").asInt()).isEqualTo(42);
      assertThat(client.lastSeq()).isEqualTo(WsClient.seqOf(replies.get(2)));
      assertThat(actor.received())
          .singleElement()
          .satisfies(c -> assertThat(c.commandId()).isEqualTo(id));
    }
  }

  @Test
  void aHeldCommandIsAnsweredWhenTheTestSaysSo() {
    try (GatewayFixture gateway = GatewayFixture.start()) {
      CluTestActor actor = gateway.actor();
      WsClient client = gateway.client();
      gateway.awaitClients(1);

      String id = client.sendCommand(actor.name(), "hold");
      client.awaitFrame(f -> id.equals(WsClient.commandIdOf(f)));
      actor.reply(actor.received().get(0), ":", Map.of("text", "done"));

      assertThat(client.awaitFinished(id).get(1).at("/body/text").asText()).isEqualTo("done");
    }
  }

  @Test
  void withATokenOnlyAClientThatPresentsItIsLetIn() {
    try (GatewayFixture gateway =
        GatewayFixture.builder().token("kit-token-1", "alice", "operator").start()) {
      CluTestActor actor = gateway.actor();
      try (WsClient alice = gateway.connector("/").bearerToken("kit-token-1").connect()) {
        gateway.awaitClients(1);
        actor.broadcast(Map.of("dome", "open"));
        assertThat(alice.awaitFrame(f -> f.at("/body/dome").isTextual()).at("/body/dome").asText())
            .isEqualTo("open");
      }
      assertThatThrownBy(() -> gateway.connector("/").connect())
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void closingTheFixtureLeavesNeitherItsQueueNorItsExchangeOnTheBroker() throws IOException {
    GatewayFixture gateway = GatewayFixture.start();
    gateway.actor();
    gateway.client();
    String queue = gateway.name() + "_replies";
    String exchange = gateway.exchange();
    assertThat(TestBroker.queueExists(queue)).isTrue();

    gateway.close();

    assertThat(TestBroker.queueExists(queue)).isFalse();
    assertThat(exchangeExists(exchange)).isFalse();
  }

  private static boolean exchangeExists(String exchange) throws IOException {
    try (Connection connection = TestBroker.connect(TestBroker.uniqueName("probe"))) {
      try {
        connection.createChannel().exchangeDeclarePassive(exchange);
        return true;
      } catch (IOException notFound) {
        return false;
      }
    }
  }
}
