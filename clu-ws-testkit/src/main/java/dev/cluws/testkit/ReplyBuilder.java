package dev.cluws.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.spi.JsonMappers;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Builds {@link Reply}s shaped like the ones a filter meets in a gateway, for plugin tests.
 *
 * <p>{@link #from(String)} starts from a reply exactly as a CLU actor publishes it in answer to a
 * command (headers {@code message_code}, {@code commander_id}, {@code command_id}, {@code sender},
 * {@code internal}; routing key {@code reply.<commander_id>}); every setter changes one part of it:
 *
 * <pre>{@code
 * Reply done = ReplyBuilder.from("lvmecp").code(":").body("{\"text\": \"Pong.\"}").build();
 * Reply status =
 *     ReplyBuilder.from("lvmecp").broadcast().body("{\"dome_status\": \"open\"}").build();
 * Reply odd = ReplyBuilder.from("lvmecp").withoutHeader(Reply.SENDER).body("[1, 2]").build();
 * }</pre>
 *
 * <p>Every reply is an actor's reply ({@link Origin#ACTOR}) unless it says otherwise: {@link
 * #snapshot} gives a frame of the gateway's current-state snapshot ({@link Origin#SNAPSHOT}, actor
 * data that passes through a client's filters), {@link #fromGateway} a frame the gateway itself
 * makes ({@link Origin#GATEWAY_TO_ALL}, which never reaches a filter), and {@link #claimingGateway}
 * an actor's reply that claims to be the gateway's (which filters must treat as any actor's). A
 * builder is not thread-safe; the replies it builds are values.
 */
public final class ReplyBuilder {
  /** The exchange CLU uses by default, which {@link #from(String)} puts on its replies. */
  public static final String EXCHANGE = "sdss_exchange";

  /** The timestamp {@link #from(String)} puts on its replies. */
  public static final Instant TIMESTAMP = Instant.parse("2026-11-24T01:26:43Z");

  private static final JsonMapper JSON = JsonMappers.newMapper();

  private final Map<String, Object> headers = new LinkedHashMap<>();
  private String exchange = EXCHANGE;
  private String routingKey;
  private String messageId = "2fd4ae6ca62b462585b873ba35ba2d18";
  private String correlationId;
  private Instant timestamp = TIMESTAMP;
  private JsonNode body = JSON.createObjectNode();
  private Origin origin = Origin.ACTOR;

  private ReplyBuilder() {}

  /**
   * A {@code :} reply from {@code sender} to command {@code 1} sent through the gateway ({@code
   * commander_id} {@code <gateway name>.<sender>}), with an empty object as body, as a CLU actor
   * publishes it.
   */
  public static ReplyBuilder from(String sender) {
    ReplyBuilder builder = new ReplyBuilder();
    builder.headers.put(Reply.MESSAGE_CODE, ":");
    builder.headers.put(Reply.COMMANDER_ID, null);
    builder.headers.put(Reply.COMMAND_ID, null);
    builder.headers.put(Reply.SENDER, sender);
    builder.headers.put(Reply.INTERNAL, false);
    return builder.commanderId(TestFilterContext.GATEWAY_NAME + "." + sender).commandId("1");
  }

  /**
   * A frame the gateway itself sends to every client ({@link Origin#GATEWAY_TO_ALL}; its {@code
   * sender} is {@link TestFilterContext#GATEWAY_NAME}, exchange and routing key empty), e.g. {@code
   * fromGateway("w", "{\"broker\": \"disconnected\", \"text\": \"...\"}")}. A filter never sees
   * such a frame: the gateway's chain lets it through (and so does {@link
   * ReplyFilterProviderCompatibilityKit#deliver}).
   */
  public static ReplyBuilder fromGateway(String code, String body) {
    return from(TestFilterContext.GATEWAY_NAME)
        .code(code)
        .commanderId(null)
        .commandId(null)
        .exchange("")
        .routingKey("")
        .origin(Origin.GATEWAY_TO_ALL)
        .body(body);
  }

  /**
   * An actor's reply that claims to be the gateway's: published through the broker's default
   * exchange ({@code ""}) straight to the gateway's queue ({@code <name>_replies}), with the
   * gateway's name as {@code sender}. It is an actor's reply ({@link Origin#ACTOR}) like any other:
   * the gateway never takes a reply's word for where it comes from, and neither may a filter.
   */
  public static ReplyBuilder claimingGateway(String code, String body) {
    return from(TestFilterContext.GATEWAY_NAME)
        .code(code)
        .commanderId(null)
        .commandId(null)
        .exchange("")
        .routingKey(TestFilterContext.GATEWAY_NAME + "_replies")
        .body(body);
  }

  /**
   * A frame of the gateway's current-state snapshot for {@code actor} ({@link Origin#SNAPSHOT}):
   * code {@code i}, header {@value Reply#SNAPSHOT} {@code true}, no command, exchange and routing
   * key empty, and the latest value of each keyword as the body, e.g. {@code snapshot("lvmecp",
   * "{\"dome_status\": \"open\"}")}.
   */
  public static ReplyBuilder snapshot(String actor, String body) {
    return from(actor)
        .origin(Origin.SNAPSHOT)
        .code("i")
        .commanderId(null)
        .commandId(null)
        .header(Reply.SNAPSHOT, true)
        .exchange("")
        .routingKey("")
        .messageId(null)
        .body(body);
  }

  /** Sets the {@code message_code} header (any text, also one that is not a CLU code). */
  public ReplyBuilder code(String code) {
    return header(Reply.MESSAGE_CODE, code);
  }

  /**
   * Sets the {@code command_id} header and the correlation id ({@code null}: a reply to no
   * command).
   */
  public ReplyBuilder commandId(String commandId) {
    headers.put(Reply.COMMAND_ID, commandId);
    correlationId = commandId;
    return this;
  }

  /**
   * Sets the {@code commander_id} header and the routing key {@code reply.<commanderId>} ({@code
   * null}: {@code reply.broadcast}).
   */
  public ReplyBuilder commanderId(String commanderId) {
    headers.put(Reply.COMMANDER_ID, commanderId);
    routingKey = commanderId == null ? "reply.broadcast" : "reply." + commanderId;
    return this;
  }

  /**
   * Makes it a broadcast, as an actor publishes its status: code {@code i}, no command id or
   * commander, routing key {@code reply.broadcast}.
   */
  public ReplyBuilder broadcast() {
    return code("i").commandId(null).commanderId(null);
  }

  /** Sets the {@code internal} header. */
  public ReplyBuilder internal(boolean internal) {
    return header(Reply.INTERNAL, internal);
  }

  /**
   * Sets a header to a JSON-friendly value (string, boolean, number, {@code null} for AMQP's void,
   * list or map), as the gateway converts AMQP headers.
   */
  public ReplyBuilder header(String name, Object value) {
    headers.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /** Removes a header altogether (e.g. a reply with no {@code sender} at all). */
  public ReplyBuilder withoutHeader(String name) {
    headers.remove(name);
    return this;
  }

  /**
   * Sets where the reply comes from (default {@link Origin#ACTOR}), a fact the gateway records
   * where it makes a frame.
   */
  public ReplyBuilder origin(Origin origin) {
    this.origin = Objects.requireNonNull(origin, "origin");
    return this;
  }

  /** Sets the exchange ({@code ""} for frames of the gateway). */
  public ReplyBuilder exchange(String exchange) {
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    return this;
  }

  /** Sets the routing key as delivered. */
  public ReplyBuilder routingKey(String routingKey) {
    this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
    return this;
  }

  /** Sets the AMQP message id ({@code null}: none). */
  public ReplyBuilder messageId(String messageId) {
    this.messageId = messageId;
    return this;
  }

  /** Sets the AMQP correlation id ({@code null}: none). */
  public ReplyBuilder correlationId(String correlationId) {
    this.correlationId = correlationId;
    return this;
  }

  /** Sets the AMQP timestamp ({@code null}: none). */
  public ReplyBuilder timestamp(Instant timestamp) {
    this.timestamp = timestamp;
    return this;
  }

  /**
   * Sets the body from JSON text (any JSON value, e.g. {@code "{\"text\": \"Pong.\"}"}, {@code "[1,
   * 2]"} or {@code "\"just text\""}).
   *
   * @throws IllegalArgumentException when the text is not JSON
   */
  public ReplyBuilder body(String json) {
    return body(parse(json));
  }

  /** Sets the body to this tree (the reply keeps it; do not change it afterwards). */
  public ReplyBuilder body(JsonNode body) {
    this.body = Objects.requireNonNull(body, "body");
    return this;
  }

  /** The reply. */
  public Reply build() {
    return new Reply(
        headers, exchange, routingKey, messageId, correlationId, timestamp, body, origin);
  }

  /**
   * Parses JSON text into a tree, the way the gateway parses a reply's body.
   *
   * @throws IllegalArgumentException when the text is not JSON
   */
  public static JsonNode parse(String json) {
    try {
      JsonNode tree = JSON.readTree(json);
      if (tree == null || tree.isMissingNode()) {
        throw new IllegalArgumentException("not JSON: '" + json + "'");
      }
      return tree;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + json, e);
    }
  }
}
