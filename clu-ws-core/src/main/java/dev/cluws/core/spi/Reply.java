package dev.cluws.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One CLU reply as it travels through the gateway: parsed once when it arrives and never changed.
 *
 * <p>{@code headers} keeps every AMQP header of the message, converted to JSON-friendly values
 * (strings, booleans, numbers, {@code null} for void, lists and maps). {@code body} is the parsed
 * JSON body (an object for every well-behaved actor). Treat {@code body} as read-only: a filter
 * that changes a body makes a new reply with {@link #withBody(JsonNode)}.
 *
 * @param headers all AMQP headers, in the order they arrived
 * @param exchange the exchange the reply was published to ({@code ""} for frames the gateway makes
 *     itself, and for replies published through the broker's default exchange)
 * @param routingKey the routing key as delivered
 * @param messageId the AMQP {@code message-id} property, or {@code null}
 * @param correlationId the AMQP {@code correlation-id} property, or {@code null}
 * @param timestamp the AMQP timestamp (whole seconds), or {@code null}
 * @param body the parsed JSON body
 * @param origin where the frame comes from, set where it is made (see {@link Origin}); the gateway
 *     decides who may see a frame by its origin, never by its headers or exchange
 */
public record Reply(
    Map<String, Object> headers,
    String exchange,
    String routingKey,
    @Nullable String messageId,
    @Nullable String correlationId,
    @Nullable Instant timestamp,
    JsonNode body,
    Origin origin) {

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

  public Reply {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    Objects.requireNonNull(exchange, "exchange");
    Objects.requireNonNull(routingKey, "routingKey");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(origin, "origin");
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
        headers, exchange, routingKey, messageId, correlationId, timestamp, newBody, origin);
  }

  /** The same reply with another origin (for the code that makes the frame). */
  public Reply withOrigin(Origin newOrigin) {
    return newOrigin == origin
        ? this
        : new Reply(
            headers, exchange, routingKey, messageId, correlationId, timestamp, body, newOrigin);
  }
}
