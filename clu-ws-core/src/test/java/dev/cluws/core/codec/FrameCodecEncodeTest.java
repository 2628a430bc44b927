package dev.cluws.core.codec;

import static dev.cluws.core.TestReplies.MAPPER;
import static dev.cluws.core.TestReplies.TIMESTAMP;
import static dev.cluws.core.TestReplies.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.TestReplies;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameCodecEncodeTest {
  private final FrameCodec codec = new FrameCodec(MAPPER, "clu-ws-test");

  private static Reply replyWith(Map<String, Object> headers, String messageId, Instant timestamp) {
    return new Reply(
        headers,
        "sdss_exchange",
        "reply.amqp-client-b5821fc64fc9.lvmecp",
        messageId,
        "id-1234",
        timestamp,
        json("{\"dome_status\": \"0x10\", \"dome_status_labels\": \"POSITION_UNKNOWN\"}"));
  }

  private static Map<String, Object> cluHeaders() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("command_id", "id-1234");
    headers.put("commander_id", "amqp-client-b5821fc64fc9.lvmecp");
    headers.put("internal", false);
    headers.put("message_code", ":");
    headers.put("sender", "lvmecp");
    return headers;
  }

  private JsonNode encode(Reply reply) throws Exception {
    return MAPPER.readTree(codec.encode(reply, 1).text());
  }

  @Test
  void aBodyKeptAsJsonTextIsWrittenIntoTheFrameAsTheActorPublishedIt() throws Exception {
    String published = "{\"dome_status\": \"0x10\", \"labels\": [\"A\", \"B\"], \"t\": 1.50}";
    Reply parsed = replyWith(cluHeaders(), "m1", TIMESTAMP);
    Reply kept =
        Reply.ofJson(
            parsed.headers(),
            parsed.exchange(),
            parsed.routingKey(),
            parsed.messageId(),
            parsed.correlationId(),
            parsed.timestamp(),
            published.getBytes(StandardCharsets.UTF_8));

    String text = codec.encode(kept, 1).text();

    assertThat(text).endsWith(",\"body\":" + published + "}");
    assertThat(MAPPER.readTree(text).get("body")).isEqualTo(json(published));
    JsonNode envelope = ((ObjectNode) MAPPER.readTree(text)).without("body");
    JsonNode parsedEnvelope =
        ((ObjectNode) MAPPER.readTree(codec.encode(parsed, 1).text())).without("body");
    assertThat(envelope).isEqualTo(parsedEnvelope);
  }

  @Test
  void repliesWithEqualHeadersInARowGetTheSameHeadersAsEachAlone() throws Exception {
    Map<String, Object> changing = cluHeaders();
    List<String> frames = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      if (i == 2) {
        changing.put("message_code", "i");
      }
      frames.add(codec.encode(replyWith(changing, "m" + i, TIMESTAMP), i + 1).text());
    }

    FrameCodec fresh = new FrameCodec(MAPPER, "clu-ws-test");
    for (int i = 0; i < 4; i++) {
      Map<String, Object> headers = cluHeaders();
      if (i >= 2) {
        headers.put("message_code", "i");
      }
      assertThat(frames.get(i))
          .isEqualTo(fresh.encode(replyWith(headers, "m" + i, TIMESTAMP), i + 1).text());
      fresh = new FrameCodec(MAPPER, "clu-ws-test");
    }
  }

  @Test
  void emojiAndOtherTextAreWrittenAsRawUtf8WithTheGatewaysMapper() {
    FrameCodec gatewayCodec =
        new FrameCodec(dev.cluws.core.spi.JsonMappers.newMapper(), "clu-ws-test");
    Reply reply =
        new Reply(
            cluHeaders(),
            "sdss_exchange",
            "reply.broadcast",
            null,
            "id-1234",
            null,
            json("{\"text\": \"Grüße ✓ 🚀\"}"));

    String text = gatewayCodec.encode(reply, 1).text();

    assertThat(text).contains("\"text\":\"Grüße ✓ 🚀\"");
  }

  @Test
  void framesEncodedOneAfterAnotherOnOneThreadDoNotShareBytes() throws Exception {
    Reply big =
        replyWith(cluHeaders(), "m1", TIMESTAMP)
            .withBody(json("{\"text\": \"" + "x".repeat(5000) + "\"}"));
    Reply small = replyWith(cluHeaders(), "m2", TIMESTAMP);

    EncodedFrame first = codec.encode(big, 1);
    EncodedFrame second = codec.encode(small, 2);

    assertThat(MAPPER.readTree(first.text()).at("/body/text").asText()).hasSize(5000);
    assertThat(MAPPER.readTree(second.text()).path("message_id").asText()).isEqualTo("m2");
    assertThat(second.size()).isLessThan(first.size());
  }

  @Test
  void aReplyIsEncodedAsCluReplyFrameFieldForField() {
    Reply reply = replyWith(cluHeaders(), "2fd4ae6ca62b462585b873ba35ba2d18", TIMESTAMP);

    String text = codec.encode(reply, 1).text();

    assertThat(text)
        .isEqualTo(
            "{\"headers\":{\"command_id\":\"id-1234\","
                + "\"commander_id\":\"amqp-client-b5821fc64fc9.lvmecp\",\"internal\":false,"
                + "\"message_code\":\":\",\"sender\":\"lvmecp\"},\"exchange\":\"sdss_exchange\","
                + "\"message_id\":\"2fd4ae6ca62b462585b873ba35ba2d18\","
                + "\"routing_key\":\"reply.amqp-client-b5821fc64fc9.lvmecp\","
                + "\"timestamp\":\"2026-11-24T01:26:43+00:00\","
                + "\"body\":{\"dome_status\":\"0x10\","
                + "\"dome_status_labels\":\"POSITION_UNKNOWN\"}}");
  }

  @Test
  void topLevelFieldsComeInCluOrder() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "m", TIMESTAMP));

    List<String> names = new ArrayList<>();
    frame.fieldNames().forEachRemaining(names::add);
    assertThat(names)
        .containsExactly("headers", "exchange", "message_id", "routing_key", "timestamp", "body");
  }

  @Test
  void headersKeepTheOrderTheyArrivedIn() throws Exception {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("sender", "lvmecp");
    headers.put("message_code", "i");
    headers.put("zeta", "z");
    headers.put("alpha", "a");

    JsonNode frame = encode(replyWith(headers, "m", TIMESTAMP));

    List<String> names = new ArrayList<>();
    frame.get("headers").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactly("sender", "message_code", "zeta", "alpha");
  }

  @Test
  void aVoidHeaderIsEncodedAsJsonNull() throws Exception {
    Map<String, Object> headers = cluHeaders();
    headers.put("command_id", null);

    JsonNode frame = encode(replyWith(headers, "m", TIMESTAMP));

    assertThat(frame.get("headers").has("command_id")).isTrue();
    assertThat(frame.get("headers").get("command_id").isNull()).isTrue();
  }

  @Test
  void aBooleanHeaderIsEncodedAsJsonBoolean() throws Exception {
    Map<String, Object> headers = cluHeaders();
    headers.put("internal", true);

    JsonNode frame = encode(replyWith(headers, "m", TIMESTAMP));

    assertThat(frame.get("headers").get("internal").isBoolean()).isTrue();
    assertThat(frame.get("headers").get("internal").booleanValue()).isTrue();
  }

  @Test
  void numericHeadersAreEncodedAsJsonNumbers() throws Exception {
    Map<String, Object> headers = cluHeaders();
    headers.put("count", 42);
    headers.put("big", 9_000_000_000L);
    headers.put("ratio", 0.5);

    JsonNode frame = encode(replyWith(headers, "m", TIMESTAMP));

    JsonNode encoded = frame.get("headers");
    assertThat(encoded.get("count").isIntegralNumber()).isTrue();
    assertThat(encoded.get("count").intValue()).isEqualTo(42);
    assertThat(encoded.get("big").longValue()).isEqualTo(9_000_000_000L);
    assertThat(encoded.get("ratio").doubleValue()).isEqualTo(0.5);
  }

  @Test
  void nestedListAndMapHeadersAreEncodedAsJsonArrayAndObject() throws Exception {
    Map<String, Object> headers = cluHeaders();
    headers.put("list", List.of("a", 1, true));
    headers.put("table", Map.of("k", "v"));

    JsonNode frame = encode(replyWith(headers, "m", TIMESTAMP));

    assertThat(frame.get("headers").get("list")).isEqualTo(json("[\"a\", 1, true]"));
    assertThat(frame.get("headers").get("table")).isEqualTo(json("{\"k\": \"v\"}"));
  }

  @Test
  void exchangeAndRoutingKeyAreCopiedAsDelivered() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "m", TIMESTAMP));

    assertThat(frame.get("exchange").textValue()).isEqualTo("sdss_exchange");
    assertThat(frame.get("routing_key").textValue())
        .isEqualTo("reply.amqp-client-b5821fc64fc9.lvmecp");
  }

  @Test
  void theMessageIdIsCopied() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "2fd4ae6ca62b462585b873ba35ba2d18", TIMESTAMP));

    assertThat(frame.get("message_id").textValue()).isEqualTo("2fd4ae6ca62b462585b873ba35ba2d18");
  }

  @Test
  void aMissingMessageIdIsEncodedAsNull() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), null, TIMESTAMP));

    assertThat(frame.has("message_id")).isTrue();
    assertThat(frame.get("message_id").isNull()).isTrue();
  }

  @Test
  void theTimestampIsIsoUtcWholeSecondsWithPlusZeroOffset() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "m", Instant.parse("2026-11-24T01:26:43Z")));

    assertThat(frame.get("timestamp").textValue()).isEqualTo("2026-11-24T01:26:43+00:00");
  }

  @Test
  void aTimestampWithFractionalSecondsIsWrittenInWholeSeconds() throws Exception {
    JsonNode frame =
        encode(replyWith(cluHeaders(), "m", Instant.parse("2026-11-24T01:26:43.987Z")));

    assertThat(frame.get("timestamp").textValue()).isEqualTo("2026-11-24T01:26:43+00:00");
  }

  @Test
  void aMissingTimestampIsEncodedAsNull() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "m", null));

    assertThat(frame.has("timestamp")).isTrue();
    assertThat(frame.get("timestamp").isNull()).isTrue();
  }

  @Test
  void theBodyIsAJsonObjectNotAString() throws Exception {
    JsonNode frame = encode(replyWith(cluHeaders(), "m", TIMESTAMP));

    assertThat(frame.get("body").isObject()).isTrue();
    assertThat(frame.get("body").get("dome_status").textValue()).isEqualTo("0x10");
  }

  @Test
  void nonAsciiTextIsEncodedAsUtf8() {
    Reply reply = TestReplies.reply("lvmecp", "i", "id-1", "{\"text\": \"température 20 °C ✓\"}");

    EncodedFrame frame = codec.encode(reply, 1);

    String decoded = StandardCharsets.UTF_8.decode(frame.buffer()).toString();
    assertThat(decoded).contains("température 20 °C ✓").isEqualTo(frame.text());
    assertThat(frame.size()).isEqualTo(frame.text().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void theFrameCarriesTheRepliesCodeCommandIdAndSequence() {
    EncodedFrame frame = codec.encode(TestReplies.reply("lvmecp", "f", "id-9", "{}"), 17);

    assertThat(frame.code()).isEqualTo(MessageCode.FAILED);
    assertThat(frame.commandId()).isEqualTo("id-9");
    assertThat(frame.sequence()).isEqualTo(17);
  }

  @Test
  void aReplyWithAnUnknownMessageCodeHasNoFrameCode() {
    EncodedFrame frame = codec.encode(TestReplies.reply("lvmecp", "?", "id-9", "{}"), 1);

    assertThat(frame.code()).isNull();
  }

  @Test
  void eachBufferIsAFreshReadOnlyViewOfTheSameBytes() {
    EncodedFrame frame = codec.encode(TestReplies.reply("lvmecp"), 1);

    var first = frame.buffer();
    first.get(new byte[first.remaining()]);
    var second = frame.buffer();

    assertThat(first.isReadOnly()).isTrue();
    assertThat(second.remaining()).isEqualTo(frame.size());
  }
}
