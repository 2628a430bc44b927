package dev.cluws.bench.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.Reply;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Realistic CLU traffic for the benchmarks: replies shaped like the ones a CLU actor publishes (the
 * five CLU headers, a 32-hex-digit message id, a whole-second timestamp, a JSON object body parsed
 * from text as the AMQP source parses it) and command frames as a websocket client sends them.
 */
final class CluData {
  /** The gateway name the hub benchmarks use. */
  static final String GATEWAY = "clu-ws-b5821fc64fc9";

  static final String EXCHANGE = "sdss_exchange";
  static final String COMMANDER = "amqp-client-4f0e2a71c3d8";
  static final String COMMAND_ID = "6b1e0a3c-5a8e-4d0e-9d0a-3f1c2b7e9a11";

  /** A valid command frame, with a command id as a typical client sends it. */
  static final String VALID_COMMAND =
      "{\"consumer\": \"lvmecp\", \"command_string\": \"dome status --verbose\", \"command_id\": \""
          + COMMAND_ID
          + "\"}";

  /** A frame without {@code consumer}: valid JSON, invalid command. */
  static final String MISSING_CONSUMER =
      "{\"command_string\": \"dome status --verbose\", \"command_id\": \"" + COMMAND_ID + "\"}";

  /** A frame that is not JSON at all (an unquoted string value). */
  static final String NOT_JSON =
      "{\"consumer\": \"lvmecp\", \"command_string\": dome status, \"command_id\": \""
          + COMMAND_ID
          + "\"}";

  private CluData() {}

  /**
   * An {@code i} reply from {@code sender} to a command, with a body of about {@code bodyBytes}
   * bytes of JSON: a flat {@code {"seq", "t", "pad"}} object up to 512 bytes, and above that an
   * actor status with a nested object, an array of numbers and an array of objects.
   */
  static Reply reply(JsonMapper mapper, String sender, int bodyBytes) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, COMMAND_ID);
    headers.put(Reply.COMMANDER_ID, COMMANDER + "." + sender);
    headers.put(Reply.INTERNAL, false);
    headers.put(Reply.MESSAGE_CODE, "i");
    headers.put(Reply.SENDER, sender);
    return new Reply(
        headers,
        EXCHANGE,
        "reply." + COMMANDER + "." + sender,
        "2fd4ae6ca62b462585b873ba35ba2d18",
        COMMAND_ID,
        Instant.parse("2026-11-24T01:26:43Z"),
        body(mapper, bodyBytes));
  }

  /** A JSON object body whose compact encoding is {@code bodyBytes} long (or a little longer). */
  static JsonNode body(JsonMapper mapper, int bodyBytes) {
    ObjectNode body = mapper.createObjectNode();
    body.put("seq", 123);
    body.put("t", 1764000000123456L);
    if (bodyBytes > 512) {
      ObjectNode status = body.putObject("dome");
      status.put("dome_status", "0x10");
      status.put("dome_status_labels", "POSITION_UNKNOWN");
      status.put("moving", false);
      ObjectNode plc = status.putObject("plc");
      plc.put("address", "10.8.38.51");
      plc.put("modbus_port", 502);
      plc.put("last_poll", 1764000000.123456);
      ArrayNode temperatures = body.putArray("temperatures");
      for (int i = 0; i < 48; i++) {
        temperatures.add(11.5 + i * 0.125);
      }
      ArrayNode hosts = body.putArray("hosts");
      for (int i = 0; i < 12; i++) {
        hosts.addObject().put("name", "lvm-host-" + i).put("ok", i % 5 != 0).put("load", i / 8.0);
      }
    }
    body.put("pad", "");
    int size = encodedSize(mapper, body);
    if (size > bodyBytes) {
      throw new IllegalArgumentException(
          "a body of " + bodyBytes + " bytes is too small for its fields (" + size + " bytes)");
    }
    String letters = "lorem ipsum dolor sit amet consectetur adipiscing elit ";
    StringBuilder pad = new StringBuilder();
    while (pad.length() < bodyBytes - size) {
      pad.append(letters);
    }
    pad.setLength(bodyBytes - size);
    body.put("pad", pad.toString());
    try {
      // Parsed from text, as the AMQP source parses a delivery: the node types are the parser's.
      return mapper.readTree(mapper.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int encodedSize(JsonMapper mapper, JsonNode node) {
    try {
      return mapper.writeValueAsString(node).getBytes(StandardCharsets.UTF_8).length;
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
