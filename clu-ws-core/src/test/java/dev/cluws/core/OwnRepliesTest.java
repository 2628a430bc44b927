package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.CommandOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code own_replies=always}: the replies to a client's own commands reach it whatever its filters
 * say, and never past what its role may see.
 */
class OwnRepliesTest extends InMemoryGatewayTestBase {
  private static List<String> commandIds(RecordingTransport transport) {
    return transport.json().stream()
        .filter(f -> !NAME.equals(f.path("headers").path("sender").asText()))
        .map(f -> f.path("headers").path("command_id").asText()) // "null" for a broadcast
        .toList();
  }

  private void ping(ClientConnection client, String actor, String id) {
    client.onText(
        "{\"consumer\": \""
            + actor
            + "\", \"command_string\": \"ping\", \"command_id\": \""
            + id
            + "\"}");
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);
  }

  @Test
  void repliesToTheClientsOwnCommandsPassItsFiltersWithOwnRepliesAlways() {
    RecordingTransport always = RecordingTransport.completingInline();
    RecordingTransport filtered = RecordingTransport.completingInline();
    ClientConnection a = connect("actors=jaeger&own_replies=always", always);
    ClientConnection f = connect("actors=jaeger", filtered);
    ping(a, "lvmecp", "a-1");
    ping(f, "lvmecp", "f-1");

    source.push(TestReplies.reply("lvmecp", ">", "a-1", "{}"));
    source.push(TestReplies.reply("lvmecp", ":", "a-1", "{}"));
    source.push(TestReplies.reply("lvmecp", ":", "f-1", "{}"));
    source.push(TestReplies.reply("lvmecp", "i", null, "{}"));
    source.push(TestReplies.reply("jaeger", "i", null, "{}"));

    assertThat(commandIds(always)).containsExactly("a-1", "a-1", "null");
    assertThat(commandIds(filtered)).containsExactly("null");
  }

  @Test
  void aSubscribeFrameSetsOwnReplies() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("actors=jaeger", transport);

    client.onText(
        "{\"control\": \"subscribe\", \"own_replies\": \"always\", \"command_id\": \"s\"}");
    ping(client, "lvmecp", "c-1");
    source.push(TestReplies.reply("lvmecp", ":", "c-1", "{}"));
    client.onText(
        "{\"control\": \"subscribe\", \"own_replies\": \"filtered\", \"command_id\": \"t\"}");
    ping(client, "lvmecp", "c-2");
    source.push(TestReplies.reply("lvmecp", ":", "c-2", "{}"));

    assertThat(commandIds(transport)).containsExactly("c-1");
    assertThat(client.subscription().describeFilters()).containsOnlyKeys("actors");
  }

  @Test
  void ownRepliesNeverWidenWhatTheRoleMaySee() {
    gateway.close();
    gateway = gateway(b -> b, hidingRepliesFrom("lvmecp"));
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("own_replies=always", transport);
    ping(client, "lvmecp", "c-1");

    source.push(TestReplies.reply("lvmecp", ":", "c-1", "{}"));

    assertThat(commandIds(transport)).isEmpty();
  }

  @Test
  void anOwnRepliesValueOtherThanAlwaysOrFilteredIsRefused() {
    assertThatThrownBy(() -> gateway.subscribe(query("own_replies=sometimes")))
        .isInstanceOf(SubscriptionException.class)
        .hasMessage("invalid parameter 'own_replies': expected always or filtered");
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);

    client.onText("{\"control\": \"subscribe\", \"own_replies\": true, \"command_id\": \"s\"}");

    JsonNode answer = transport.json().get(0);
    assertThat(code(answer)).isEqualTo("e");
    assertThat(answer.path("body").path("error").asText()).contains("'own_replies' must be");
  }
}
