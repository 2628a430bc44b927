package dev.cluws.amqp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.impl.LongStringHelper;
import dev.cluws.core.spi.JsonMappers;
import java.nio.charset.StandardCharsets;
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
}
