package dev.cluws.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyParserTest {
  private final ReplyParser parser = new ReplyParser(JsonMappers.newMapper().reader());
  private final Envelope envelope = new Envelope(1, false, "sdss_exchange", "reply.broadcast");

  private static AMQP.BasicProperties properties() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("sender", LongStringHelper.asLongString("lvmecp"));
    headers.put("message_code", LongStringHelper.asLongString("i"));
    headers.put("internal", false);
    return new AMQP.BasicProperties.Builder().headers(headers).messageId("m1").build();
  }

  private ReplyParser.Result parse(String body) {
    return parser.parse(envelope, properties(), body.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(ReplyParser.Result result) {
    return StandardCharsets.UTF_8.decode(result.reply().bodyJson().orElseThrow()).toString();
  }

  @Test
  void aJsonBodyIsKeptAsTheActorPublishedItWithoutTheWhitespaceAroundIt() {
    ReplyParser.Result result = parse("  {\"text\": \"Pong.\", \"n\": [1, 2]}\n");

    assertThat(result.valid()).isTrue();
    assertThat(text(result)).isEqualTo("{\"text\": \"Pong.\", \"n\": [1, 2]}");
    assertThat(result.reply().body().get("text").asText()).isEqualTo("Pong.");
  }

  @Test
  void headersComeInAlphabeticalOrderAsCluShowsThem() {
    ReplyParser.Result result = parse("{}");

    assertThat(result.reply().headers().keySet())
        .containsExactly("internal", "message_code", "sender");
  }

  @Test
  void aBodyThatIsNotJsonMakesTheReplyInvalid() {
    assertThat(parse("{\"text\": \"Pong.\"").problem()).startsWith("body is not JSON");
    assertThat(parse("{\"text\": Pong}").problem()).startsWith("body is not JSON");
    assertThat(parse("{\"a\": [1, 2}").problem()).startsWith("body is not JSON");
    assertThat(parse("\"unterminated").problem()).startsWith("body is not JSON");
    assertThat(parse("{\"a\": \"b\u0001\"}").problem()).startsWith("body is not JSON");
  }

  @Test
  void anEmptyBodyMakesTheReplyInvalid() {
    assertThat(parse("").problem()).isEqualTo("body is empty");
    assertThat(parse("  \n").problem()).isEqualTo("body is empty");
  }

  @Test
  void whatFollowsTheBodysJsonValueIsLeftOutOfTheFrameAsBefore() {
    ReplyParser.Result result = parse("{\"a\": 1} trailing");

    assertThat(result.valid()).isTrue();
    assertThat(text(result)).isEqualTo("{\"a\": 1}");
  }

  @Test
  void aBodyThatIsAScalarIsKeptWhole() {
    assertThat(text(parse("42"))).isEqualTo("42");
    assertThat(text(parse("\"text\" "))).isEqualTo("\"text\"");
  }

  private static AMQP.BasicProperties properties(
      String sender, String commandId, long timestampMillis) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("sender", LongStringHelper.asLongString(sender));
    headers.put("message_code", LongStringHelper.asLongString(":"));
    headers.put("command_id", LongStringHelper.asLongString(commandId));
    return new AMQP.BasicProperties.Builder()
        .headers(headers)
        .correlationId(commandId)
        .timestamp(new Date(timestampMillis))
        .build();
  }

  private Reply parse(AMQP.BasicProperties properties) {
    // A new envelope per delivery, as amqp-client makes them: its strings are new every time.
    Envelope delivered =
        new Envelope(1, false, new String("sdss_exchange"), new String("reply.broadcast"));
    return parser.parse(delivered, properties, "{}".getBytes(StandardCharsets.UTF_8)).reply();
  }

  private static Object key(Reply reply, String name) {
    return reply.headers().keySet().stream().filter(name::equals).findFirst().orElseThrow();
  }

  @Test
  void repliesShareTheirHeaderNamesSenderCodeExchangeAndRoutingKeyButNotTheirCommandIds() {
    Reply first = parse(properties(new String("lvmecp"), "c1", 1_000));
    Reply second = parse(properties(new String("lvmecp"), "c2", 1_000));

    assertThat(second.headers())
        .containsEntry("sender", "lvmecp")
        .containsEntry("command_id", "c2");
    assertThat(key(second, "sender")).isSameAs(key(first, "sender"));
    assertThat(key(second, "command_id")).isSameAs(key(first, "command_id"));
    assertThat(second.headers().get("sender")).isSameAs(first.headers().get("sender"));
    assertThat(second.headers().get("message_code")).isSameAs(first.headers().get("message_code"));
    assertThat(second.exchange()).isSameAs(first.exchange()).isEqualTo("sdss_exchange");
    assertThat(second.routingKey()).isSameAs(first.routingKey()).isEqualTo("reply.broadcast");
    assertThat(second.headers().get("command_id")).isNotSameAs(first.headers().get("command_id"));
  }

  @Test
  void theTimestampIsKeptToTheSecondAndSharedByTheRepliesOfOneSecond() {
    Reply first = parse(properties("lvmecp", "c1", 1_700_000_000_123L));
    Reply second = parse(properties("lvmecp", "c2", 1_700_000_000_999L));
    Reply third = parse(properties("lvmecp", "c3", 1_700_000_001_000L));

    assertThat(first.timestamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    assertThat(second.timestamp()).isSameAs(first.timestamp());
    assertThat(third.timestamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_001L));
  }

  @Test
  void beyondItsBoundTheParserKeepsNewStringsPerReplyAndStillParsesThemRight() {
    for (int i = 0; i < ReplyParser.MAX_SHARED_STRINGS + 10; i++) {
      assertThat(parse(properties("actor-" + i, "c" + i, 1_000)).headers())
          .containsEntry("sender", "actor-" + i);
    }
    Reply late = parse(properties(new String("a-late-actor"), "c", 1_000));
    Reply again = parse(properties(new String("a-late-actor"), "c", 1_000));

    assertThat(again.headers()).containsEntry("sender", "a-late-actor");
    assertThat(again.headers().get("sender")).isNotSameAs(late.headers().get("sender"));
  }
}
