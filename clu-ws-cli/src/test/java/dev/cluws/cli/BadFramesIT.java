package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every frame that is not a valid command gets one reply-shaped error frame, to its sender only;
 * the connection stays open and nothing is published.
 */
class BadFramesIT {
  private final GatewayFixture fixture = GatewayFixture.start();

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  static Stream<Arguments> badFrames() {
    return Stream.of(
        Arguments.of("not JSON", "consumer: lvmecp", "frame is not valid JSON: "),
        Arguments.of("a JSON array", "[1, 2]", "frame must be a JSON object, got an array"),
        Arguments.of("a JSON string", "\"ping\"", "frame must be a JSON object, got a string"),
        Arguments.of(
            "no consumer",
            "{\"command_string\": \"ping\"}",
            "missing 'consumer' (the actor to command)"),
        Arguments.of(
            "a numeric consumer",
            "{\"consumer\": 7, \"command_string\": \"ping\"}",
            "'consumer' must be a string, got a number"),
        Arguments.of(
            "an empty consumer",
            "{\"consumer\": \"\", \"command_string\": \"ping\"}",
            "'consumer' must not be empty"),
        Arguments.of(
            "no command_string",
            "{\"consumer\": \"lvmecp\"}",
            "missing 'command_string' (the command to run)"),
        Arguments.of(
            "a command_string that is an object",
            "{\"consumer\": \"lvmecp\", \"command_string\": {}}",
            "'command_string' must be a string, got an object"),
        Arguments.of(
            "an empty command_string",
            "{\"consumer\": \"lvmecp\", \"command_string\": \"\"}",
            "'command_string' must not be empty"),
        Arguments.of(
            "a command_id that is a list",
            "{\"consumer\": \"lvmecp\", \"command_string\": \"ping\", \"command_id\": [1]}",
            "'command_id' must be a string or a number, got an array"));
  }

  @ParameterizedTest(name = "{0} is answered with an error frame to its sender only")
  @MethodSource("badFrames")
  void aBadFrameIsAnsweredWithAnErrorFrameToItsSenderOnlyAndTheConnectionStaysOpen(
      String kind, String frame, String error) {
    CluTestActor actor = fixture.actor();
    WsClient sender = fixture.client();
    WsClient bystander = fixture.client();
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 2);

    sender.send(frame);

    JsonNode answer = sender.awaitFrame(f -> true);
    assertThat(answer.path("headers").path("message_code").asText()).isEqualTo("e");
    assertThat(answer.path("headers").path("sender").asText()).isEqualTo(fixture.name());
    assertThat(answer.path("body").path("error").asText()).startsWith(error);
    assertThat(CluCompatibilityIT.fieldNames(answer))
        .containsExactly("headers", "exchange", "message_id", "routing_key", "timestamp", "body");

    // Still open, and the error went to nobody else and published nothing.
    sender.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\","
            + " \"command_id\": \"after\"}");
    sender.awaitFinished("after");
    bystander.awaitFinished("after");
    assertThat(sender.frames()).hasSize(3);
    assertThat(bystander.frames()).hasSize(2);
    assertThat(actor.received()).hasSize(1);
    assertThat(fixture.gateway().stats().invalidFrames.sum()).isEqualTo(1);
  }

  @Test
  void anErrorFrameEchoesAUsableCommandIdSoTheClientCanMatchIt() {
    WsClient client = fixture.client();

    client.send("{\"consumer\": \"lvmecp\", \"command_string\": \"  \", \"command_id\": \"c-9\"}");

    JsonNode answer = client.awaitFrame(f -> true);
    assertThat(answer.path("headers").path("command_id").asText()).isEqualTo("c-9");
    assertThat(answer.path("headers").path("message_code").asText()).isEqualTo("e");
  }

  @Test
  void aFrameLargerThanOneMebibyteClosesTheConnectionWith1009LikeClu() {
    WsClient big = fixture.client();
    WsClient other = fixture.client();
    String huge = "{\"consumer\": \"x\", \"command_string\": \"" + "a".repeat(1_100_000) + "\"}";

    big.send(huge);

    assertThat(big.awaitCloseCode()).isEqualTo(1009);
    await().atMost(WsClient.WAIT).until(() -> fixture.gateway().clientCount() == 1);
    assertThat(other.isClosed()).isFalse();
  }

  @Test
  void manyBadFramesInARowAreEachAnswered() {
    WsClient client = fixture.client();
    for (int i = 0; i < 200; i++) {
      client.send(i % 2 == 0 ? "{" : "[]");
    }
    await().atMost(WsClient.WAIT).until(() -> client.frames().size() == 200);
    List<JsonNode> frames = client.frames();
    assertThat(frames)
        .allSatisfy(
            f -> assertThat(f.path("headers").path("message_code").asText()).isEqualTo("e"));
  }
}
