package dev.cluws.filters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Replies as a CLU actor sends them, and the frames the gateway itself originates. */
final class TestReplies {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();
  static final String EXCHANGE = "sdss_exchange";

  private TestReplies() {}

  /** A {@code :} reply from {@code sender}; {@code null} gives a reply without a sender header. */
  static Reply from(String sender) {
    return reply(sender).build();
  }

  /** A reply from an actor to command {@code id-1} of this gateway, to adjust and build. */
  static Builder reply(String sender) {
    return new Builder(sender);
  }

  /**
   * A broadcast from {@code sender}: code {@code i}, no command id or commander id, routing key
   * {@code reply.broadcast}.
   */
  static Builder broadcast(String sender) {
    return new Builder(sender)
        .code("i")
        .commandId(null)
        .header(Reply.COMMANDER_ID, null)
        .routingKey("reply.broadcast");
  }

  /** A snapshot frame for {@code actor}, with its body, as the gateway sends it. */
  static Reply snapshot(String actor, String bodyJson) {
    return new Builder(actor)
        .code("i")
        .commandId(null)
        .header(Reply.COMMANDER_ID, null)
        .header(Reply.SNAPSHOT, true)
        .origin(Origin.SNAPSHOT)
        .exchange("")
        .routingKey("")
        .body(bodyJson)
        .build();
  }

  /** A frame the gateway originates (sender = the gateway, exchange and routing key empty). */
  static Reply fromGateway(String code, String bodyJson) {
    return new Builder(TestContext.GATEWAY)
        .code(code)
        .commandId(null)
        .header(Reply.COMMANDER_ID, null)
        .exchange("")
        .routingKey("")
        .origin(Origin.GATEWAY_TO_ALL)
        .body(bodyJson)
        .build();
  }

  /**
   * An actor's reply that claims to be the gateway's: the gateway's name as sender, published to
   * the default exchange straight to the gateway's queue.
   */
  static Reply claimingGateway(String code, String bodyJson) {
    return new Builder(TestContext.GATEWAY)
        .code(code)
        .commandId(null)
        .header(Reply.COMMANDER_ID, null)
        .exchange("")
        .routingKey(TestContext.GATEWAY + "_replies")
        .body(bodyJson)
        .build();
  }

  /** A JSON object parsed from text, as the gateway parses a body. */
  static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A reply under construction; starts as a {@code :} reply {@code {"text": "Pong."}}. */
  static final class Builder {
    private final Map<String, Object> headers = new LinkedHashMap<>();
    private String exchange = EXCHANGE;
    private String routingKey;
    private String correlationId = "id-1";
    private JsonNode body = JsonNodeFactory.instance.objectNode().put("text", "Pong.");
    private Origin origin = Origin.ACTOR;

    Builder(String sender) {
      headers.put(Reply.COMMAND_ID, "id-1");
      headers.put(Reply.COMMANDER_ID, TestContext.GATEWAY + "." + sender);
      headers.put(Reply.INTERNAL, false);
      headers.put(Reply.MESSAGE_CODE, ":");
      if (sender != null) {
        headers.put(Reply.SENDER, sender);
      }
      routingKey = "reply." + TestContext.GATEWAY + "." + sender;
    }

    Builder code(String code) {
      return header(Reply.MESSAGE_CODE, code);
    }

    Builder commandId(String commandId) {
      correlationId = commandId;
      return header(Reply.COMMAND_ID, commandId);
    }

    Builder internal(boolean internal) {
      return header(Reply.INTERNAL, internal);
    }

    /** Sets a header; {@code null} is a void header. */
    Builder header(String name, Object value) {
      headers.put(name, value);
      return this;
    }

    Builder withoutHeader(String name) {
      headers.remove(name);
      return this;
    }

    Builder exchange(String exchange) {
      this.exchange = exchange;
      return this;
    }

    Builder routingKey(String routingKey) {
      this.routingKey = routingKey;
      return this;
    }

    Builder body(String json) {
      return body(json(json));
    }

    Builder body(JsonNode body) {
      this.body = body;
      return this;
    }

    /** An object body with these keywords, in this order (key, value, key, value, ...). */
    Builder keywords(Object... keysAndValues) {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        node.set((String) keysAndValues[i], MAPPER.valueToTree(keysAndValues[i + 1]));
      }
      return body(node);
    }

    Builder origin(Origin newOrigin) {
      this.origin = newOrigin;
      return this;
    }

    Reply build() {
      return new Reply(
          headers,
          exchange,
          routingKey,
          "2fd4ae6ca62b462585b873ba35ba2d18",
          correlationId,
          Instant.parse("2026-11-24T01:26:43Z"),
          body,
          origin);
    }
  }
}
