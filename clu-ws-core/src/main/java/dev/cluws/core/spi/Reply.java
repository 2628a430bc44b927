package dev.cluws.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One CLU reply as it travels through the gateway: taken once when it arrives and never changed.
 *
 * <p>{@code headers} keeps every AMQP header of the message, converted to JSON-friendly values
 * (strings, booleans, numbers, {@code null} for void, lists and maps). {@link #body()} is the
 * parsed JSON body (an object for every well-behaved actor). Treat it as read-only: a filter that
 * changes a body makes a new reply with {@link #withBody(JsonNode)}.
 *
 * <p>A reply made from the body's JSON text ({@link #ofJson}, what the gateway's AMQP source does)
 * keeps that text: the gateway writes it into the frame as it came, and parses it into a tree only
 * when something asks for {@link #body()} (a filter that reads the body, say), once per reply.
 *
 * <p>Two replies are equal when their headers, properties, origin and bodies (as JSON trees) are.
 */
public final class Reply {
  /** Header names CLU uses on replies and commands. */
  public static final String MESSAGE_CODE = "message_code";

  public static final String SENDER = "sender";
  public static final String COMMAND_ID = "command_id";
  public static final String COMMANDER_ID = "commander_id";
  public static final String INTERNAL = "internal";

  /**
   * The header, {@code true}, that marks a frame of the gateway's current-state snapshot: one per
   * actor, with the actor as {@code sender}, code {@code i} and the latest value of each keyword as
   * the body. What makes a frame a snapshot frame is its {@link Origin#SNAPSHOT origin}, never this
   * header: an actor's reply that carries it is still an actor's reply.
   */
  public static final String SNAPSHOT = "snapshot";

  /** Parses the bodies of replies made from JSON text, on first use of {@link #body()}. */
  private static final ObjectReader READER = JsonMappers.newMapper().reader();

  private final Map<String, Object> headers;
  private final String exchange;
  private final String routingKey;
  private final @Nullable String messageId;
  private final @Nullable String correlationId;
  private final @Nullable Instant timestamp;
  private final Origin origin;

  /** The body's JSON text (one JSON value, nothing around it), or {@code null} when not known. */
  private final byte @Nullable [] json;

  /** The parsed body: given, or parsed from {@link #json} on first use (racy but idempotent). */
  private volatile @Nullable JsonNode body;

  /**
   * A reply with a parsed body.
   *
   * @param headers all AMQP headers, in the order they arrived
   * @param exchange the exchange the reply was published to ({@code ""} for frames the gateway
   *     makes itself, and for replies published through the broker's default exchange)
   * @param routingKey the routing key as delivered
   * @param messageId the AMQP {@code message-id} property, or {@code null}
   * @param correlationId the AMQP {@code correlation-id} property, or {@code null}
   * @param timestamp the AMQP timestamp (whole seconds), or {@code null}
   * @param body the parsed JSON body
   * @param origin where the frame comes from, set where it is made (see {@link Origin}); the
   *     gateway decides who may see a frame by its origin, never by its headers or exchange
   */
  public Reply(
      Map<String, Object> headers,
      String exchange,
      String routingKey,
      @Nullable String messageId,
      @Nullable String correlationId,
      @Nullable Instant timestamp,
      JsonNode body,
      Origin origin) {
    this(
        Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
        exchange,
        routingKey,
        messageId,
        correlationId,
        timestamp,
        Objects.requireNonNull(body, "body"),
        null,
        origin);
  }

  private Reply(
      Map<String, Object> headers,
      String exchange,
      String routingKey,
      @Nullable String messageId,
      @Nullable String correlationId,
      @Nullable Instant timestamp,
      @Nullable JsonNode body,
      byte @Nullable [] json,
      Origin origin) {
    this.headers = headers;
    this.exchange = Objects.requireNonNull(exchange, "exchange");
    this.routingKey = Objects.requireNonNull(routingKey, "routingKey");
    this.messageId = messageId;
    this.correlationId = correlationId;
    this.timestamp = timestamp;
    this.body = body;
    this.json = json;
    this.origin = Objects.requireNonNull(origin, "origin");
  }

  /**
   * An actor's reply ({@link Origin#ACTOR}): what a {@link MessageSource} delivers. The gateway
   * treats everything a source delivers as an actor's reply, whatever origin it was given.
   */
  public Reply(
      Map<String, Object> headers,
      String exchange,
      String routingKey,
      @Nullable String messageId,
      @Nullable String correlationId,
      @Nullable Instant timestamp,
      JsonNode body) {
    this(headers, exchange, routingKey, messageId, correlationId, timestamp, body, Origin.ACTOR);
  }

  /**
   * An actor's reply ({@link Origin#ACTOR}) whose body is the JSON text {@code json}: exactly one
   * JSON value (the caller has checked it is valid JSON, with nothing before or after it), which
   * the reply owns from now on (do not change the array). The gateway writes this text into the
   * reply's frame as it is, and {@link #body()} parses it on first use.
   */
  public static Reply ofJson(
      Map<String, Object> headers,
      String exchange,
      String routingKey,
      @Nullable String messageId,
      @Nullable String correlationId,
      @Nullable Instant timestamp,
      byte[] json) {
    return new Reply(
        Collections.unmodifiableMap(new LinkedHashMap<>(headers)),
        exchange,
        routingKey,
        messageId,
        correlationId,
        timestamp,
        null,
        Objects.requireNonNull(json, "json").clone(),
        Origin.ACTOR);
  }

  /** All AMQP headers, in the order they arrived (unmodifiable). */
  public Map<String, Object> headers() {
    return headers;
  }

  /** The exchange the reply was published to ({@code ""} for the gateway's own frames). */
  public String exchange() {
    return exchange;
  }

  /** The routing key as delivered. */
  public String routingKey() {
    return routingKey;
  }

  /** The AMQP {@code message-id} property, or {@code null}. */
  public @Nullable String messageId() {
    return messageId;
  }

  /** The AMQP {@code correlation-id} property, or {@code null}. */
  public @Nullable String correlationId() {
    return correlationId;
  }

  /** The AMQP timestamp (whole seconds), or {@code null}. */
  public @Nullable Instant timestamp() {
    return timestamp;
  }

  /** Where the frame comes from (see {@link Origin}). */
  public Origin origin() {
    return origin;
  }

  /**
   * The parsed JSON body. For a reply made from JSON text ({@link #ofJson}) it is parsed on the
   * first call and kept.
   */
  public JsonNode body() {
    JsonNode parsed = body;
    if (parsed == null) {
      byte[] text = Objects.requireNonNull(json);
      try {
        parsed = READER.readTree(text);
      } catch (IOException e) {
        // ofJson's caller checked the text: this is a programming error, not bad input.
        throw new IllegalStateException("the body of reply " + messageId + " is not JSON", e);
      }
      body = parsed;
    }
    return parsed;
  }

  /**
   * The body's JSON text as the reply was made with it ({@link #ofJson}), a read-only view; empty
   * for a reply made with a parsed body (a filter's rewrite, the gateway's own frames).
   */
  public Optional<ByteBuffer> bodyJson() {
    return json == null ? Optional.empty() : Optional.of(ByteBuffer.wrap(json).asReadOnlyBuffer());
  }

  /**
   * The body's JSON text's length in bytes when the reply was made from it ({@link #ofJson}), or
   * -1.
   */
  public int bodyJsonLength() {
    return json == null ? -1 : json.length;
  }

  /** The {@code message_code} header as a CLU code, or empty when absent or unknown. */
  public Optional<MessageCode> messageCode() {
    return MessageCode.of(header(MESSAGE_CODE));
  }

  /** The {@code sender} header (the actor's name), or {@code null}. */
  public @Nullable String sender() {
    return header(SENDER);
  }

  /** The {@code command_id} header, or {@code null} for a broadcast. */
  public @Nullable String commandId() {
    return header(COMMAND_ID);
  }

  /** The {@code commander_id} header, or {@code null}. */
  public @Nullable String commanderId() {
    return header(COMMANDER_ID);
  }

  /** Whether the {@code internal} header is {@code true}. */
  public boolean internal() {
    return Boolean.TRUE.equals(headers.get(INTERNAL));
  }

  /** Whether this is a frame of the gateway's current-state snapshot ({@link Origin#SNAPSHOT}). */
  public boolean snapshot() {
    return origin == Origin.SNAPSHOT;
  }

  /** Whether the gateway itself made this frame ({@link Origin#isGateway()}). */
  public boolean fromGateway() {
    return origin.isGateway();
  }

  /**
   * The actor whose data this frame carries (its {@code sender}), or {@code null} for the gateway's
   * own frames and for an actor's reply without a sender.
   */
  public @Nullable String actor() {
    return origin.isActorData() ? sender() : null;
  }

  /** A header's value in string form, or {@code null} when absent or void. */
  public @Nullable String header(String name) {
    Object value = headers.get(name);
    return value == null ? null : value.toString();
  }

  /** The same reply, of the same origin, with another body (for filters that trim bodies). */
  public Reply withBody(JsonNode newBody) {
    return new Reply(
        headers,
        exchange,
        routingKey,
        messageId,
        correlationId,
        timestamp,
        Objects.requireNonNull(newBody, "body"),
        null,
        origin);
  }

  /**
   * The same reply with one header more (or replaced), keeping its body as it is: a body made from
   * JSON text stays text, written into the frame as it came, never parsed for this.
   */
  public Reply withHeader(String name, Object value) {
    Map<String, Object> more = new LinkedHashMap<>(headers);
    more.put(Objects.requireNonNull(name, "name"), value);
    return new Reply(
        Collections.unmodifiableMap(more),
        exchange,
        routingKey,
        messageId,
        correlationId,
        timestamp,
        body,
        json,
        origin);
  }

  /** The same reply with another origin (for the code that makes the frame). */
  public Reply withOrigin(Origin newOrigin) {
    return newOrigin == origin
        ? this
        : new Reply(
            headers,
            exchange,
            routingKey,
            messageId,
            correlationId,
            timestamp,
            body,
            json,
            Objects.requireNonNull(newOrigin, "origin"));
  }

  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Reply)) {
      return false;
    }
    Reply that = (Reply) other;
    return headers.equals(that.headers)
        && exchange.equals(that.exchange)
        && routingKey.equals(that.routingKey)
        && Objects.equals(messageId, that.messageId)
        && Objects.equals(correlationId, that.correlationId)
        && Objects.equals(timestamp, that.timestamp)
        && origin == that.origin
        && (json != null && that.json != null && Arrays.equals(json, that.json)
            || body().equals(that.body()));
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        headers, exchange, routingKey, messageId, correlationId, timestamp, body(), origin);
  }

  @Override
  public String toString() {
    return "Reply[headers="
        + headers
        + ", exchange="
        + exchange
        + ", routingKey="
        + routingKey
        + ", messageId="
        + messageId
        + ", correlationId="
        + correlationId
        + ", timestamp="
        + timestamp
        + ", body="
        + body()
        + ", origin="
        + origin
        + "]";
  }
}
