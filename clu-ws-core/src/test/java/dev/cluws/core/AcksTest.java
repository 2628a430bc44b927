package dev.cluws.core;

import static dev.cluws.core.TestFilters.query;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.client.ClientConnection;
import dev.cluws.core.reply.SubscriptionException;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CommandOutcome;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Command acknowledgements ({@code acks=true}) and the own-command lookup filters get. */
class AcksTest extends InMemoryGatewayTestBase {
  private static String command(String id) {
    return "{\"consumer\": \"lvmecp\", \"command_string\": \"status\""
        + (id == null ? "" : ", \"command_id\": \"" + id + "\"")
        + "}";
  }

  // --- acks

  @Test
  void aPublishedCommandIsAcknowledgedWithItsCommandId() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);
    client.onText(command("c1"));

    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    JsonNode ack = transport.json().get(0);
    assertThat(transport.json()).hasSize(1);
    assertThat(code(ack)).isEqualTo("i");
    assertThat(ack.path("headers").path("sender").asText()).isEqualTo(NAME);
    assertThat(ack.path("headers").path("command_id").asText()).isEqualTo("c1");
    assertThat(ack.path("body").toString())
        .isEqualTo(
            "{\"ack\":\"published\",\"consumer\":\"lvmecp\",\"command_id\":\"c1\","
                + "\"text\":\"the broker took the command for 'lvmecp'\"}");
    assertThat(gateway.stats().acksSent.sum()).isEqualTo(1);
  }

  @Test
  void theAckTellsAClientThatSentNoCommandIdTheIdItsCommandGot() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);
    client.onText(command(null));

    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    String generated = sink.commands().get(0).commandId();
    assertThat(generated).isNotBlank();
    JsonNode ack = transport.json().get(0);
    assertThat(ack.path("headers").path("command_id").asText()).isEqualTo(generated);
    assertThat(ack.path("body").path("command_id").asText()).isEqualTo(generated);
  }

  @Test
  void aReturnedCommandIsAcknowledgedWithAWarning() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);
    client.onText(
        "{\"consumer\": \"nobody\", \"command_string\": \"ping\", \"command_id\": \"c2\"}");

    sink.lastFuture().complete(CommandOutcome.RETURNED);

    JsonNode ack = transport.json().get(0);
    assertThat(code(ack)).isEqualTo("w");
    assertThat(ack.path("headers").path("command_id").asText()).isEqualTo("c2");
    assertThat(ack.path("body").toString())
        .isEqualTo(
            "{\"ack\":\"returned\",\"consumer\":\"nobody\",\"command_id\":\"c2\","
                + "\"text\":\"no actor consumes commands for 'nobody'\"}");
  }

  @Test
  void withoutAcksACommandGetsNoAck() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=false", transport);
    client.onText(command("c3"));
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);
    client.onText(command("c4"));
    sink.lastFuture().complete(CommandOutcome.RETURNED);

    assertThat(transport.frames()).isEmpty();
    assertThat(gateway.stats().acksSent.sum()).isZero();
  }

  @Test
  void aCommandThatFailsGetsItsFailedFrameAndNoAck() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);
    client.onText(command("c5"));

    sink.lastFuture()
        .completeExceptionally(new BrokerUnavailableException("publish not confirmed"));

    assertThat(transport.json()).singleElement().extracting(AcksTest::code).isEqualTo("f");
  }

  @Test
  void aDeniedCommandGetsItsFailedFrameAndNoAck() {
    gateway.close();
    gateway = gateway(b -> b, denyingCommands("read-only"));
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);

    client.onText(command("c6"));

    assertThat(transport.json()).singleElement().extracting(AcksTest::code).isEqualTo("f");
    assertThat(sink.commands()).isEmpty();
  }

  @Test
  void aRateLimitedCommandGetsItsFailedFrameAndNoAck() {
    gateway.close();
    gateway = gateway(b -> b.commandRate(0.001, 1), AccessPolicy.ALLOW_ALL);
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", transport);
    client.onText(command("c7"));
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    client.onText(command("c8"));

    assertThat(transport.json()).extracting(AcksTest::code).containsExactly("i", "f");
    assertThat(transport.json().get(1).path("headers").path("command_id").asText()).isEqualTo("c8");
  }

  @Test
  void acksGoOnlyToTheClientThatSentTheCommand() {
    RecordingTransport sender = RecordingTransport.completingInline();
    RecordingTransport other = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true", sender);
    connect("acks=true", other);

    client.onText(command("c9"));
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    assertThat(sender.frames()).hasSize(1);
    assertThat(other.frames()).isEmpty();
  }

  @Test
  void acksSurviveAChangeOfSubscription() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true&actors=lvmecp", transport);
    client.onText("{\"control\": \"unsubscribe\"}");

    client.onText(command("c10"));
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    assertThat(transport.json()).extracting(AcksTest::code).containsExactly(":", "i");
  }

  @Test
  void anAckPassesNoFilterSoAClientFilteringEveryActorStillGetsIt() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("acks=true&actors=nobody", transport);

    client.onText(command("c11"));
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);

    assertThat(transport.json()).singleElement().extracting(AcksTest::code).isEqualTo("i");
  }

  @Test
  void acksIsAFlag() {
    assertThatThrownBy(() -> gateway.subscribe(query("acks=yes")))
        .isInstanceOf(SubscriptionException.class)
        .hasMessage("invalid parameter 'acks': expected true or false");
  }

  // --- own commands, as a filter sees them

  private FilterContext probe(ClientConnection client) {
    FilterContext context = filters.probed.get(filters.probed.size() - 1);
    assertThat(context.clientId()).isEqualTo(client.id());
    return context;
  }

  private static Reply fromLvmecp(String commandId) {
    return TestReplies.reply("lvmecp", "i", commandId, "{}");
  }

  @Test
  void aCommandIsOwnFromItsSendingUntilItsFinalReply() {
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    FilterContext context = probe(client);
    assertThat(context.isOwnReply(fromLvmecp("c1"))).isFalse();

    client.onText(command("c1"));
    assertThat(context.isOwnReply(fromLvmecp("c1"))).isTrue();
    sink.lastFuture().complete(CommandOutcome.PUBLISHED);
    source.push(TestReplies.reply("lvmecp", ">", "c1", "{}"));
    source.push(TestReplies.reply("lvmecp", "i", "c1", "{\"a\": 1}"));
    assertThat(context.isOwnReply(fromLvmecp("c1"))).isTrue();

    source.push(TestReplies.reply("lvmecp", ":", "c1", "{}"));
    assertThat(context.isOwnReply(fromLvmecp("c1"))).isFalse();
  }

  @Test
  void aFailedReplyEndsTheCommandToo() {
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    FilterContext context = probe(client);
    client.onText(command("c2"));

    source.push(TestReplies.reply("lvmecp", "f", "c2", "{\"error\": \"no\"}"));

    assertThat(context.isOwnReply(fromLvmecp("c2"))).isFalse();
  }

  @Test
  void aFailedFrameFromTheGatewayEndsTheCommand() {
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    FilterContext context = probe(client);
    client.onText(command("c3"));
    assertThat(context.isOwnReply(fromLvmecp("c3"))).isTrue();

    sink.lastFuture().completeExceptionally(new BrokerUnavailableException("gone"));

    assertThat(context.isOwnReply(fromLvmecp("c3"))).isFalse();
  }

  @Test
  void anotherClientsCommandsAreNotOwn() {
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    FilterContext context = probe(client);
    ClientConnection other = connect("", RecordingTransport.completingInline());

    other.onText(command("theirs"));

    assertThat(context.isOwnReply(fromLvmecp("theirs"))).isFalse();
    assertThat(context.isOwnReply(fromLvmecp(null))).isFalse();
  }

  @Test
  void theSameIdSentToAnotherActorByAnotherClientIsNotOwn() {
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    FilterContext context = probe(client);
    ClientConnection other = connect("", RecordingTransport.completingInline());
    client.onText(command("1"));
    other.onText(
        "{\"consumer\": \"jaeger\", \"command_string\": \"status\", \"command_id\": \"1\"}");

    assertThat(context.isOwnReply(fromLvmecp("1"))).isTrue();
    assertThat(context.isOwnReply(TestReplies.reply("jaeger", "i", "1", "{}"))).isFalse();

    source.push(TestReplies.reply("jaeger", ":", "1", "{}"));

    assertThat(context.isOwnReply(fromLvmecp("1"))).isTrue();
  }

  @Test
  void aClientTheGatewayHasForgottenCannotSendCommands() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("", transport);
    client.close();

    client.onText(command("late"));

    assertThat(sink.commands()).isEmpty();
    assertThat(transport.frames()).isEmpty();
  }

  @Test
  void aDeniedCommandIsNeverOwn() {
    gateway.close();
    gateway = gateway(b -> b, denyingCommands("read-only"));
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());

    client.onText(command("c4"));

    assertThat(probe(client).isOwnReply(fromLvmecp("c4"))).isFalse();
  }

  @Test
  void theFinalReplyItselfStillCountsAsOwnForTheFilterThatDecidesOnIt() {
    RecordingTransport transport = RecordingTransport.completingInline();
    ClientConnection client = connect("own=true", transport);
    ClientConnection other = connect("own=true", RecordingTransport.completingInline());
    client.onText(command("c5"));
    other.onText(command("c6"));

    source.push(TestReplies.reply("lvmecp", ">", "c5", "{}"));
    source.push(TestReplies.reply("lvmecp", ">", "c6", "{}"));
    source.push(TestReplies.reply("lvmecp", ":", "c5", "{}"));
    source.push(TestReplies.reply("lvmecp", "i", "c5", "{\"late\": true}"));

    assertThat(transport.json())
        .extracting(f -> code(f) + " " + f.path("headers").path("command_id").asText())
        .containsExactly("> c5", ": c5");
  }

  @Test
  void commandsSentBeforeASubscribeFrameAreStillOwnForTheNewFilters() {
    ClientConnection client = connect("", RecordingTransport.completingInline());
    client.onText(command("c7"));

    client.onText("{\"control\": \"subscribe\", \"filters\": {\"probe\": \"on\"}}");

    assertThat(probe(client).isOwnReply(fromLvmecp("c7"))).isTrue();
  }

  @Test
  void aCommandWhoseFinalReplyNeverComesIsForgottenAfterItsExpiry() {
    gateway.close();
    gateway = gateway(b -> b.commandTracking(10, Duration.ofMillis(1)), AccessPolicy.ALLOW_ALL);
    ClientConnection client = connect("probe=on", RecordingTransport.completingInline());
    client.onText(command("c8"));
    assertThat(probe(client).isOwnReply(fromLvmecp("c8"))).isTrue();

    client.maintain(System.nanoTime() + Duration.ofSeconds(1).toNanos());

    assertThat(probe(client).isOwnReply(fromLvmecp("c8"))).isFalse();
  }
}
