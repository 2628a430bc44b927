package dev.cluws.core.codec;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.codec.DecodedFrame.CommandFrame;
import dev.cluws.core.codec.DecodedFrame.InvalidFrame;
import dev.cluws.core.spi.CluIds;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Translates between CLU's websocket frames and the gateway's values.
 *
 * <p>Server to client: {@link #encode(Reply, long)} writes the frame {@code clu websocket} writes:
 * {@code headers}, {@code exchange}, {@code message_id}, {@code routing_key}, {@code timestamp}
 * (ISO-8601, UTC, whole seconds, {@code +00:00}) and the parsed {@code body}.
 *
 * <p>Client to server: {@link #decode(String)} turns a command frame into a {@link Command}, or
 * says precisely what is wrong with it. Thread-safe.
 */
public final class FrameCodec {
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final Pattern START_MARKER =
      Pattern.compile("\\s*\\(start marker at \\[Source: .*?\\]\\)");

  private final JsonMapper mapper;
  private final String gatewayName;
  private final Clock clock;
  private final ThreadLocal<ByteArrayBuilder> buffers =
      ThreadLocal.withInitial(() -> new ByteArrayBuilder(1024));
  private volatile FormattedSecond lastTimestamp;
  private volatile EncodedHeaders lastHeaders;
  private volatile Map<String, Object> lastSeenHeaders;

  public FrameCodec(JsonMapper mapper, String gatewayName) {
    this(mapper, gatewayName, Clock.systemUTC());
  }

  public FrameCodec(JsonMapper mapper, String gatewayName, Clock clock) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.gatewayName = Objects.requireNonNull(gatewayName, "gatewayName");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The mapper every part of the gateway shares. */
  public JsonMapper mapper() {
    return mapper;
  }

  /** Encodes a reply as CLU's reply frame. Called once per reply, whatever the client count. */
  public EncodedFrame encode(Reply reply, long sequence) {
    return encode(reply, sequence, false);
  }

  /**
   * Encodes a reply as CLU's reply frame; with {@code numbered}, the frame also carries the
   * gateway's number for the reply as a last field {@code "seq"} (for clients that asked for it
   * with {@code seq=true}, to reconnect later with {@code since=<seq>}).
   */
  public EncodedFrame encode(Reply reply, long sequence, boolean numbered) {
    // One reusable output buffer per encoding thread: only the final copy is allocated per frame.
    ByteArrayBuilder out = buffers.get();
    out.reset();
    try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeFieldName("headers");
      writeHeaders(gen, reply.headers());
      gen.writeStringField("exchange", reply.exchange());
      gen.writeStringField("message_id", reply.messageId());
      gen.writeStringField("routing_key", reply.routingKey());
      Instant ts = reply.timestamp();
      gen.writeStringField("timestamp", ts == null ? null : formatTimestamp(ts));
      gen.writeFieldName("body");
      Optional<ByteBuffer> json = reply.bodyJson();
      if (json.isPresent()) {
        gen.writeRawValue(new RawJson(json.get())); // checked JSON as it came: no tree, no re-write
      } else {
        mapper.writeTree(gen, reply.body());
      }
      if (numbered) {
        gen.writeNumberField("seq", sequence);
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode reply frame", e);
    }
    byte[] bytes = out.toByteArray();
    return new EncodedFrame(
        bytes,
        reply.messageCode().orElse(null),
        reply.commandId(),
        sequence,
        reply.origin(),
        reply.actor(),
        reply.messageId());
  }

  /**
   * The headers as a JSON object. Headers equal to those of the reply before (an actor's
   * broadcasts, the replies to one command) are encoded once and then copied: the last such map is
   * kept with its bytes. Headers that change with every reply (a header with a counter or a clock)
   * are written field by field, and never pay for the cache beyond one comparison.
   */
  private void writeHeaders(JsonGenerator gen, Map<String, Object> headers) throws IOException {
    EncodedHeaders cached = lastHeaders;
    if (cached != null && (cached.headers() == headers || cached.headers().equals(headers))) {
      gen.writeRawValue(new RawJson(cached.utf8()));
      return;
    }
    Map<String, Object> previous = lastSeenHeaders;
    lastSeenHeaders = headers;
    if (previous != null && previous.equals(headers)) {
      EncodedHeaders encoded = new EncodedHeaders(headers, encodeHeaders(headers));
      lastHeaders = encoded;
      gen.writeRawValue(new RawJson(encoded.utf8()));
      return;
    }
    writeHeaderFields(gen, headers);
  }

  private byte[] encodeHeaders(Map<String, Object> headers) throws IOException {
    ByteArrayBuilder out = new ByteArrayBuilder(256);
    try (JsonGenerator gen = mapper.getFactory().createGenerator(out)) {
      writeHeaderFields(gen, headers);
    }
    return out.toByteArray();
  }

  private void writeHeaderFields(JsonGenerator gen, Map<String, Object> headers)
      throws IOException {
    gen.writeStartObject();
    for (Map.Entry<String, Object> header : headers.entrySet()) {
      gen.writeFieldName(header.getKey());
      writeHeaderValue(gen, header.getValue());
    }
    gen.writeEndObject();
  }

  private record EncodedHeaders(Map<String, Object> headers, byte[] utf8) {}

  /** The common header types directly; anything else (lists, maps) through the mapper. */
  private void writeHeaderValue(JsonGenerator gen, Object value) throws IOException {
    if (value == null) {
      gen.writeNull();
    } else if (value instanceof String) {
      gen.writeString((String) value);
    } else if (value instanceof Boolean) {
      gen.writeBoolean((Boolean) value);
    } else if (value instanceof Integer) {
      gen.writeNumber((Integer) value);
    } else if (value instanceof Long) {
      gen.writeNumber((Long) value);
    } else {
      mapper.writeValue(gen, value);
    }
  }

  /** CLU's timestamp text; replies of the same second (most of them) share one string. */
  private String formatTimestamp(Instant timestamp) {
    long second = timestamp.getEpochSecond();
    FormattedSecond cached = lastTimestamp;
    if (cached == null || cached.epochSecond() != second) {
      cached = new FormattedSecond(second, TIMESTAMP.format(timestamp));
      lastTimestamp = cached;
    }
    return cached.text();
  }

  private record FormattedSecond(long epochSecond, String text) {}

  /**
   * A reply-shaped frame from the gateway to one client ({@link Origin#GATEWAY_TO_CLIENT}): {@code
   * sender} is the gateway's name, {@code exchange} and {@code routing_key} are empty strings.
   */
  public Reply gatewayReply(MessageCode code, String commandId, ObjectNode body) {
    return offExchangeReply(
        gatewayName, code, commandId, Origin.GATEWAY_TO_CLIENT, body, clock.instant());
  }

  /**
   * A reply-shaped frame from the gateway to every client ({@link Origin#GATEWAY_TO_ALL}), shaped
   * like {@link #gatewayReply}.
   */
  public Reply gatewayBroadcast(MessageCode code, ObjectNode body) {
    return offExchangeReply(gatewayName, code, null, Origin.GATEWAY_TO_ALL, body, clock.instant());
  }

  /**
   * A frame of the current-state snapshot ({@link Origin#SNAPSHOT}, actor data): shaped like a
   * reply of the actor ({@code sender} is the actor, code {@code i}, the header {@value
   * Reply#SNAPSHOT} {@code true}), with the latest value of each keyword as the body; {@code
   * exchange} and {@code routing_key} are empty (it never crossed the exchange) and the timestamp
   * is that of the newest value.
   */
  public Reply snapshotReply(String actor, String commandId, ObjectNode body, Instant newest) {
    return offExchangeReply(
        actor,
        MessageCode.INFO,
        commandId,
        Origin.SNAPSHOT,
        body,
        newest == null ? clock.instant() : newest);
  }

  /** A reply the gateway makes itself: CLU's headers, empty exchange and routing key. */
  private static Reply offExchangeReply(
      String sender,
      MessageCode code,
      String commandId,
      Origin origin,
      ObjectNode body,
      Instant timestamp) {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put(Reply.COMMAND_ID, commandId);
    headers.put(Reply.COMMANDER_ID, null);
    headers.put(Reply.INTERNAL, false);
    headers.put(Reply.MESSAGE_CODE, code.text());
    headers.put(Reply.SENDER, sender);
    if (origin == Origin.SNAPSHOT) {
      headers.put(Reply.SNAPSHOT, true);
    }
    return new Reply(
        headers,
        "",
        "",
        newMessageId(),
        commandId,
        timestamp.truncatedTo(ChronoUnit.SECONDS),
        body,
        origin);
  }

  /** The gateway's reply-shaped error frame: body {@code {"error": "<message>"}}. */
  public EncodedFrame errorFrame(MessageCode code, String commandId, String message) {
    ObjectNode body = mapper.createObjectNode().put("error", message);
    return encode(gatewayReply(code, commandId, body), 0);
  }

  /** Decodes a client's text frame. Never throws for bad input: it says what is wrong. */
  public DecodedFrame decode(String text) {
    JsonNode root;
    try (JsonParser parser = mapper.createParser(text)) {
      root = mapper.readTree(parser);
      // readTree stops after the first value: anything after it makes the frame invalid JSON (CLU's
      // json.loads rejects it too), and must not be silently dropped.
      if (root != null && parser.nextToken() != null) {
        return new InvalidFrame(
            "frame is not valid JSON: unexpected content after the JSON value (at column "
                + parser.currentTokenLocation().getColumnNr()
                + ")",
            null);
      }
    } catch (JsonProcessingException e) {
      return new InvalidFrame("frame is not valid JSON: " + describe(e), null);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read a frame from a string", e);
    }
    if (root == null || root.isMissingNode()) {
      return new InvalidFrame("frame is empty; expected a JSON object", null);
    }
    if (!root.isObject()) {
      return new InvalidFrame("frame must be a JSON object, got " + typeOf(root), null);
    }
    JsonNode idNode = root.get("command_id");
    String commandId;
    if (idNode == null || idNode.isNull() || (idNode.isTextual() && idNode.asText().isEmpty())) {
      commandId = null;
    } else if (idNode.isTextual()) {
      commandId = idNode.asText();
    } else if (idNode.isNumber()) {
      // A numeric id would be echoed back as a number and fail CLU's validity check: use its text.
      commandId = idNode.asText();
    } else {
      return new InvalidFrame(
          "'command_id' must be a string or a number, got " + typeOf(idNode), null);
    }
    if (root.has(ControlFrames.CONTROL)) {
      return ControlFrames.decode((ObjectNode) root, commandId);
    }
    String consumer;
    JsonNode consumerNode = root.get("consumer");
    if (consumerNode == null || consumerNode.isNull()) {
      return new InvalidFrame("missing 'consumer' (the actor to command)", commandId);
    }
    if (!consumerNode.isTextual()) {
      return new InvalidFrame(
          "'consumer' must be a string, got " + typeOf(consumerNode), commandId);
    }
    consumer = consumerNode.asText();
    if (consumer.isBlank()) {
      return new InvalidFrame("'consumer' must not be empty", commandId);
    }
    if (!validConsumer(consumer)) {
      return new InvalidFrame(
          "'consumer' must not contain spaces or the routing wildcards '*' and '#'", commandId);
    }
    JsonNode commandNode = root.get("command_string");
    if (commandNode == null || commandNode.isNull()) {
      return new InvalidFrame("missing 'command_string' (the command to run)", commandId);
    }
    if (!commandNode.isTextual()) {
      return new InvalidFrame(
          "'command_string' must be a string, got " + typeOf(commandNode), commandId);
    }
    String commandString = commandNode.asText();
    if (commandString.isBlank()) {
      return new InvalidFrame(
          "'command_string' must not be empty (an actor finishes an empty command without any"
              + " reply)",
          commandId);
    }
    return new CommandFrame(
        new Command(consumer, commandString, commandId == null ? newCommandId() : commandId));
  }

  /** A new command id in CLU's form (a uuid4 string). */
  public static String newCommandId() {
    return CluIds.newCommandId();
  }

  /** A new message id in CLU's form (32 hex digits). */
  public static String newMessageId() {
    return CluIds.newMessageId();
  }

  private static boolean validConsumer(String consumer) {
    for (int i = 0; i < consumer.length(); i++) {
      char c = consumer.charAt(i);
      if (c == '*' || c == '#' || Character.isWhitespace(c)) {
        return false;
      }
    }
    return true;
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    // Jackson names where an unclosed array/object started, with parser internals: keep it short.
    message = START_MARKER.matcher(message).replaceAll("");
    if (e.getLocation() != null && e.getLocation().getColumnNr() > 0) {
      message += " (at column " + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }

  static String typeOf(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    switch (type) {
      case ARRAY:
        return "an array";
      case OBJECT:
        return "an object";
      case BOOLEAN:
        return "a boolean";
      case NUMBER:
        return "a number";
      case STRING:
        return "a string";
      case NULL:
        return "null";
      default:
        return type.name().toLowerCase(Locale.ROOT);
    }
  }
}
