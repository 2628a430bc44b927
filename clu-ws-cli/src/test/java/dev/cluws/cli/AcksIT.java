package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Command acknowledgements ({@code acks=true}) over a real websocket, and a CLU client that asks
 * for none of the new features and receives nothing new. Real gateway, real RabbitMQ, CLU test
 * actors.
 */
class AcksIT {
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void acksTellAClientThatSentNoCommandIdTheIdItsRepliesCarry() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client(fixture.uri("/?acks=true"));

    client.send("{\"consumer\": \"" + actor.name() + "\", \"command_string\": \"ping\"}");

    JsonNode ack = client.awaitFrame(f -> f.path("body").has("ack"));
    String commandId = ack.path("headers").path("command_id").asText();
    assertThat(commandId)
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(ack.path("headers").path("message_code").asText()).isEqualTo("i");
    assertThat(ack.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(ack.path("body").path("ack").asText()).isEqualTo("published");
    assertThat(ack.path("body").path("consumer").asText()).isEqualTo(actor.name());
    assertThat(ack.path("body").path("command_id").asText()).isEqualTo(commandId);
    List<JsonNode> replies = client.awaitFinished(commandId);
    assertThat(replies)
        .filteredOn(f -> f.path("headers").path("sender").asText().equals(actor.name()))
        .extracting(f -> f.path("headers").path("message_code").asText())
        .containsExactly(">", ":");
    assertThat(actor.received().get(0).properties().getCorrelationId()).isEqualTo(commandId);
  }

  @Test
  void aCommandForAnUnknownConsumerGetsAReturnedAckAndCluFailedReply() {
    String nobody = TestBroker.uniqueName("nobody");
    WsClient client = fixture.client(fixture.uri("/?acks=true"));

    client.send(
        "{\"consumer\": \"" + nobody + "\", \"command_string\": \"ping\", \"command_id\": \"r1\"}");

    JsonNode ack = client.awaitFrame(f -> f.path("body").has("ack"));
    JsonNode failed =
        client.awaitFrame(
            f ->
                f.path("headers").path("message_code").asText().equals("f")
                    && f.path("headers").path("command_id").asText().equals("r1"));
    assertThat(ack.path("headers").path("message_code").asText()).isEqualTo("w");
    assertThat(ack.path("headers").path("command_id").asText()).isEqualTo("r1");
    assertThat(ack.path("body").path("ack").asText()).isEqualTo("returned");
    assertThat(ack.path("body").path("consumer").asText()).isEqualTo(nobody);
    assertThat(failed.path("body").path("error").asText())
        .isEqualTo("Failed routing message to consumer '" + nobody + "'.");
    assertThat(client.frames()).filteredOn(f -> f.path("body").has("ack")).hasSize(1);
  }

  @Test
  void withoutAcksAClientGetsNoAck() {
    CluTestActor actor = fixture.actor();
    WsClient client = fixture.client(fixture.uri("/?acks=false"));

    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\", \"command_id\": \"p1\"}");

    assertThat(client.awaitFinished("p1"))
        .extracting(f -> f.path("headers").path("message_code").asText())
        .containsExactly(">", ":");
    assertThat(client.frames()).noneMatch(f -> f.path("body").has("ack"));
  }

  @Test
  void aCluClientWithoutParametersReceivesNothingNew() {
    CluTestActor actor = fixture.actor();
    WsClient clu = fixture.client();
    WsClient modern = fixture.client(fixture.uri("/?acks=true&snapshot=true&seq=true"));
    awaitClients(2);
    actor.broadcast(Map.of("dome", "open"));
    modern.awaitFrame(f -> f.path("body").has("dome"));

    // Another client uses every new feature; the CLU client sends commands, one of them unroutable.
    modern.send("{\"control\": \"snapshot\", \"command_id\": \"n1\"}");
    modern.send(
        "{\"control\": \"subscribe\", \"filters\": {\"actors\": \"" + actor.name() + "\"}}");
    modern.send("{\"control\": \"bogus\"}");
    clu.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"status\", \"command_id\": 1}");
    clu.send(
        "{\"consumer\": \""
            + TestBroker.uniqueName("nobody")
            + "\", \"command_string\": \"ping\", \"command_id\": 2}");
    clu.awaitFinished("1");
    clu.awaitFinished("2");
    modern.awaitFrame(f -> f.path("body").path("error").asText().startsWith("unknown control"));
    actor.broadcast(Map.of("fence", true));
    clu.awaitFrame(f -> f.path("body").has("fence"));

    List<String> seen = new ArrayList<>();
    for (JsonNode frame : clu.frames()) {
      JsonNode headers = frame.path("headers");
      assertThat(fieldNames(frame))
          .containsExactly("headers", "exchange", "message_id", "routing_key", "timestamp", "body");
      assertThat(fieldNames(headers))
          .startsWith("command_id", "commander_id", "internal", "message_code", "sender")
          .doesNotContain("snapshot");
      assertThat(frame.path("body").has("ack")).isFalse();
      seen.add(headers.path("message_code").asText() + " " + headers.path("command_id").asText());
    }
    // the broadcast before, the status command's replies, CLU's routing failure, the fence
    assertThat(seen).containsExactlyInAnyOrder("i null", "> 1", "i 1", ": 1", "f 2", "i null");
    // every frame came from an actor (CLU's own routing failure names the consumer), none from
    // the gateway itself
    assertThat(clu.frames())
        .noneMatch(f -> f.path("headers").path("sender").asText().equals(fixture.name()));
  }

  private void awaitClients(int count) {
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == count);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
