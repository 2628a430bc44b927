package dev.cluws.core.spi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyTest {
  private static final JsonMapper MAPPER = JsonMappers.newMapper();
  private static final Map<String, Object> HEADERS = Map.of("message_code", "i", "sender", "a");

  private static Reply kept(String json) {
    return Reply.ofJson(
        HEADERS, "ex", "reply.a", "m1", null, null, json.getBytes(StandardCharsets.UTF_8));
  }

  private static Reply parsed(String json) throws Exception {
    return new Reply(HEADERS, "ex", "reply.a", "m1", null, null, MAPPER.readTree(json));
  }

  @Test
  void aReplyMadeFromJsonTextGivesItsBodyAsATreeAndItsTextUnchanged() throws Exception {
    Reply reply = kept("{\"text\": \"Pong.\", \"n\": [1, 2]}");

    assertThat(reply.body()).isEqualTo(MAPPER.readTree("{\"text\":\"Pong.\",\"n\":[1,2]}"));
    assertThat(reply.body()).isSameAs(reply.body());
    ByteBuffer text = reply.bodyJson().orElseThrow();
    assertThat(text.isReadOnly()).isTrue();
    assertThat(StandardCharsets.UTF_8.decode(text).toString())
        .isEqualTo("{\"text\": \"Pong.\", \"n\": [1, 2]}");
    assertThat(reply.origin()).isEqualTo(Origin.ACTOR);
  }

  @Test
  void changingTheArrayAReplyWasMadeFromDoesNotChangeTheReply() {
    byte[] json = "{\"a\": 1}".getBytes(StandardCharsets.UTF_8);
    Reply reply = Reply.ofJson(HEADERS, "ex", "reply.a", "m1", null, null, json);

    json[6] = '2';

    assertThat(reply.body().get("a").asInt()).isEqualTo(1);
  }

  @Test
  void aReplyFromJsonTextEqualsTheSameReplyWithTheParsedBody() throws Exception {
    Reply kept = kept("{\"a\": 1, \"b\": \"x\"}");
    Reply parsed = parsed("{\"a\":1,\"b\":\"x\"}");

    assertThat(kept).isEqualTo(parsed).hasSameHashCodeAs(parsed);
    assertThat(parsed).isEqualTo(kept);
    assertThat(kept).isNotEqualTo(parsed("{\"a\":2,\"b\":\"x\"}"));
    assertThat(kept.withOrigin(Origin.SNAPSHOT)).isNotEqualTo(kept);
  }

  @Test
  void aFiltersNewBodyReplacesTheTextTheReplyWasMadeFrom() throws Exception {
    Reply trimmed = kept("{\"a\": 1, \"b\": 2}").withBody(MAPPER.readTree("{\"a\":1}"));

    assertThat(trimmed.bodyJson()).isEmpty();
    assertThat(trimmed.bodyJsonLength()).isEqualTo(-1);
    assertThat(trimmed.body()).isEqualTo(MAPPER.readTree("{\"a\":1}"));
  }

  @Test
  void aReplyWithAnotherOriginKeepsItsText() {
    Reply reply = kept("{\"a\": 1}").withOrigin(Origin.SNAPSHOT);

    assertThat(reply.bodyJsonLength()).isEqualTo(8);
    assertThat(reply.snapshot()).isTrue();
  }
}
