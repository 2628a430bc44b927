package dev.cluws.core.codec;

import static dev.cluws.core.TestReplies.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.TestReplies;
import dev.cluws.core.spi.MessageCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class FrameCodecErrorFrameTest {
  private final FrameCodec codec =
      new FrameCodec(
          MAPPER,
          "clu-ws-0123456789ab",
          Clock.fixed(Instant.parse("2026-11-24T01:26:43.750Z"), ZoneOffset.UTC));

  private JsonNode errorFrame(MessageCode code, String commandId, String message) throws Exception {
    return MAPPER.readTree(codec.errorFrame(code, commandId, message).text());
  }

  @Test
  void anErrorFrameHasMessageCodeE() throws Exception {
    JsonNode frame = errorFrame(MessageCode.ERROR, null, "bad");

    assertThat(frame.get("headers").get("message_code").textValue()).isEqualTo("e");
  }

  @Test
  void theSenderOfAnErrorFrameIsTheGatewaysName() throws Exception {
    JsonNode frame = errorFrame(MessageCode.ERROR, null, "bad");

    assertThat(frame.get("headers").get("sender").textValue()).isEqualTo("clu-ws-0123456789ab");
  }

  @Test
  void theBodyOfAnErrorFrameIsAnObjectWithTheError() throws Exception {
    JsonNode frame = errorFrame(MessageCode.ERROR, null, "missing 'consumer'");

    assertThat(frame.get("body"))
        .isEqualTo(TestReplies.json("{\"error\": \"missing 'consumer'\"}"));
  }

  @Test
  void anErrorFrameEchoesTheCommandId() throws Exception {
    JsonNode frame = errorFrame(MessageCode.FAILED, "id-77", "not sent");

    assertThat(frame.get("headers").get("command_id").textValue()).isEqualTo("id-77");
  }

  @Test
  void anErrorFrameWithoutCommandIdHasANullCommandIdHeader() throws Exception {
    JsonNode frame = errorFrame(MessageCode.ERROR, null, "bad");

    assertThat(frame.get("headers").get("command_id").isNull()).isTrue();
  }

  @Test
  void anErrorFrameIsShapedLikeAReplyFrame() throws Exception {
    JsonNode frame = errorFrame(MessageCode.ERROR, "id-1", "bad");

    assertThat(frame.get("headers").get("internal").booleanValue()).isFalse();
    assertThat(frame.get("headers").has("commander_id")).isTrue();
    assertThat(frame.get("exchange").textValue()).isEmpty();
    assertThat(frame.get("routing_key").textValue()).isEmpty();
    assertThat(frame.get("message_id").textValue()).matches("[0-9a-f]{32}");
    assertThat(frame.get("timestamp").textValue()).isEqualTo("2026-11-24T01:26:43+00:00");
  }

  @Test
  void anErrorFrameIsNotNumberedAsAReply() {
    EncodedFrame frame = codec.errorFrame(MessageCode.ERROR, null, "bad");

    assertThat(frame.sequence()).isZero();
    assertThat(frame.code()).isEqualTo(MessageCode.ERROR);
  }

  @Test
  void aFailedFrameHasMessageCodeF() throws Exception {
    JsonNode frame = errorFrame(MessageCode.FAILED, "id-1", "not sent");

    assertThat(frame.get("headers").get("message_code").textValue()).isEqualTo("f");
  }
}
