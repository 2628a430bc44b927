package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A connected client that has not done anything yet costs as little memory as the gateway can
 * manage: its rate limit, log throttles and join lock are made at first use. What the client and
 * the operator see does not depend on when that happens: counters start at zero and count from the
 * first use, every client has its own burst, and closing a client that never used them is quiet.
 */
class IdleClientTest extends InMemoryGatewayTestBase {
  private static final String COMMAND =
      "{\"consumer\": \"lvmecp\", \"command_string\": \"status\", \"command_id\": \"%s\"}";

  private static JsonNode last(RecordingTransport transport) {
    List<JsonNode> frames = transport.json();
    return frames.get(frames.size() - 1);
  }

  @Test
  void clientsThatNeverSentAnythingReceiveRepliesAndLeaveEveryCounterAtZero() {
    RecordingTransport first = RecordingTransport.completingInline();
    RecordingTransport second = RecordingTransport.completingInline();
    ClientConnection a = connect("", first);
    ClientConnection b = connect("", second);

    source.push(TestReplies.reply("lvmecp", "i", null, "{\"text\": \"hello\"}"));

    assertThat(first.json()).hasSize(1);
    assertThat(second.json()).hasSize(1);
    assertThat(a.outbox().sentCount()).isEqualTo(1);
    assertThat(b.outbox().shedCount()).isZero();
    assertThat(a.trackedCommands()).isZero();
    GatewayStats stats = gateway.stats();
    assertThat(stats.framesOut.sum()).isEqualTo(2);
    assertThat(stats.invalidFrames.sum()).isZero();
    assertThat(stats.commandsReceived.sum()).isZero();
    assertThat(stats.commandsRateLimited.sum()).isZero();
    assertThat(stats.commandsDenied.sum()).isZero();

    a.close();
    b.close();

    assertThat(a.isClosed()).isTrue();
    assertThat(gateway.hub().clientCount()).isZero();
  }

  @Test
  void everyClientHasItsOwnBurstFromItsFirstCommandOn() {
    gateway.close();
    gateway = gateway(b -> b.commandRate(1, 2));
    RecordingTransport busy = RecordingTransport.completingInline();
    RecordingTransport quiet = RecordingTransport.completingInline();
    ClientConnection busyClient = connect("", busy);
    ClientConnection quietClient = connect("", quiet);
    source.push(TestReplies.reply("lvmecp", "i", null, "{\"text\": \"hello\"}"));

    for (int i = 0; i < 3; i++) {
      busyClient.onText(String.format(COMMAND, "b" + i));
    }
    assertThat(sink.commands()).hasSize(2);
    assertThat(code(last(busy))).isEqualTo("f");
    assertThat(last(busy).path("headers").path("command_id").asText()).isEqualTo("b2");

    // The quiet client's first commands come after the busy one spent its burst: it has its own.
    quietClient.onText(String.format(COMMAND, "q0"));
    quietClient.onText(String.format(COMMAND, "q1"));
    assertThat(sink.commands()).hasSize(4);
    quietClient.onText(String.format(COMMAND, "q2"));

    assertThat(sink.commands()).hasSize(4);
    assertThat(last(quiet).path("headers").path("command_id").asText()).isEqualTo("q2");
    assertThat(last(quiet).path("body").path("error").asText())
        .startsWith("command to 'lvmecp' refused: rate limit exceeded");
    assertThat(gateway.stats().commandsRateLimited.sum()).isEqualTo(2);
    assertThat(gateway.stats().commandsReceived.sum()).isEqualTo(6);
  }

  @Test
  void invalidFramesAndDeniedCommandsCountFromTheFirstOneAndEachIsAnswered() {
    gateway.close();
    gateway = gateway(b -> b, denyingCommands("no commands here"));
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("not json");
    assertThat(gateway.stats().invalidFrames.sum()).isEqualTo(1);
    assertThat(code(last(transport))).isEqualTo("e");
    client.onText("[1, 2]");
    assertThat(gateway.stats().invalidFrames.sum()).isEqualTo(2);
    assertThat(transport.json()).hasSize(2);

    client.onText(String.format(COMMAND, "d0"));
    client.onText(String.format(COMMAND, "d1"));

    assertThat(gateway.stats().commandsDenied.sum()).isEqualTo(2);
    assertThat(sink.commands()).isEmpty();
    assertThat(last(transport).path("headers").path("command_id").asText()).isEqualTo("d1");
    assertThat(code(last(transport))).isEqualTo("f");
    client.close(); // tells the audit log what its throttle held back
    assertThat(client.isClosed()).isTrue();
  }

  @Test
  void aClientWithoutQueryParametersHasNoParametersAndNoFilters() {
    ClientConnection plain = connect("", RecordingTransport.completingInline());
    ClientConnection filtered =
        gateway.connect(
            gateway.subscribe(Map.of("actors", List.of("lvm*"))),
            RecordingTransport.completingInline());

    assertThat(plain.subscription().parameters()).isEmpty();
    assertThat(plain.subscription().filters()).isEmpty();
    assertThat(filtered.subscription().parameters()).containsEntry("actors", List.of("lvm*"));
    assertThat(filtered.subscription().filters()).containsKey("actors");
  }
}
