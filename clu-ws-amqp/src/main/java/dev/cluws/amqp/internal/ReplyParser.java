package dev.cluws.amqp.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Turns an AMQP delivery into a {@link Reply}, checking it the way CLU does: a reply is valid only
 * with a non-empty {@code message_code} header, a {@code command_id} header (when present) equal to
 * the correlation id, and a JSON body.
 */
public final class ReplyParser {

  /** The outcome of parsing one delivery: a reply, or why it is invalid. */
  public record Result(Reply reply, String problem) {
    public boolean valid() {
      return reply != null;
    }
  }

  /** The most distinct strings {@link #shared} keeps. */
  static final int MAX_SHARED_STRINGS = 1024;

  /** The longest string {@link #shared} keeps. */
  static final int MAX_SHARED_LENGTH = 64;

  /**
   * Headers whose values repeat from reply to reply (an actor's name, a message code, a flag, the
   * client a command came from), unlike a command's or a message's id.
   */
  private static final Set<String> REPEATING_HEADERS =
      Set.of(Reply.MESSAGE_CODE, Reply.SENDER, Reply.INTERNAL, Reply.COMMANDER_ID);

  private final ObjectReader reader;

  /**
   * One instance of each string that repeats from reply to reply (header names, the values of
   * {@link #REPEATING_HEADERS}, exchange, routing key), so that the replies the gateway keeps (the
   * replay ring holds thousands) share them instead of each holding its own copy: less memory to
   * copy and to collect per reply. Bounded: once full, new strings are kept per reply as before.
   */
  private final Map<String, String> shared = new ConcurrentHashMap<>();

  /** The last timestamp parsed, shared by the replies of the same second. */
  private volatile Instant lastSecond;

  public ReplyParser(ObjectReader reader) {
    this.reader = reader;
  }

  public Result parse(Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    return parse(envelope, props, body, null);
  }

  /**
   * {@link #parse(Envelope, AMQP.BasicProperties, byte[])} leaving out one header that the broker
   * added (e.g. a stream's offset), which is not the actor's.
   */
  public Result parse(
      Envelope envelope, AMQP.BasicProperties props, byte[] body, @Nullable String brokerHeader) {
    Map<String, Object> headers = headers(props.getHeaders(), brokerHeader);
    Object code = headers.get(Reply.MESSAGE_CODE);
    if (code == null || code.toString().isEmpty()) {
      return new Result(null, "no message_code header");
    }
    Object commandId = headers.get(Reply.COMMAND_ID);
    String correlationId = props.getCorrelationId();
    if (commandId != null && !commandId.toString().equals(correlationId)) {
      return new Result(
          null,
          "command_id header '"
              + commandId
              + "' differs from correlation id '"
              + correlationId
              + "'");
    }
    byte[] json;
    try {
      json = jsonValue(body);
    } catch (JsonProcessingException e) {
      return new Result(null, "body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new Result(null, "body could not be read: " + e.getMessage());
    }
    if (json == null) {
      return new Result(null, "body is empty");
    }
    Date timestamp = props.getTimestamp();
    Instant instant = timestamp == null ? null : second(timestamp);
    Reply reply =
        Reply.ofJson(
            headers,
            shared(envelope.getExchange()),
            shared(envelope.getRoutingKey()),
            props.getMessageId(),
            correlationId,
            instant,
            json);
    return new Result(reply, null);
  }

  /** The timestamp to the second, the same instance as the last reply's when they are equal. */
  private Instant second(Date timestamp) {
    long epochSecond = Math.floorDiv(timestamp.getTime(), 1000L);
    Instant last = lastSecond;
    if (last != null && last.getEpochSecond() == epochSecond) {
      return last;
    }
    Instant instant = Instant.ofEpochSecond(epochSecond);
    lastSecond = instant;
    return instant;
  }

  /**
   * The reply's headers as {@link #convertTable} makes them (without {@code leftOut}), with
   * repeating strings shared.
   */
  private Map<String, Object> headers(Map<String, Object> table, @Nullable String leftOut) {
    if (table == null || table.isEmpty()) {
      return Collections.emptyMap();
    }
    String[] keys = table.keySet().toArray(new String[0]);
    Arrays.sort(keys);
    Map<String, Object> result = new LinkedHashMap<>(table.size() * 2);
    for (String key : keys) {
      if (key.equals(leftOut)) {
        continue;
      }
      Object value = convert(table.get(key));
      if (value instanceof String && REPEATING_HEADERS.contains(key)) {
        value = shared((String) value);
      }
      result.put(shared(key), value);
    }
    return result;
  }

  /** The shared instance of a string equal to {@code text} (see {@link #shared}). */
  private String shared(String text) {
    if (text == null || text.length() > MAX_SHARED_LENGTH) {
      return text;
    }
    String known = shared.get(text);
    if (known != null) {
      return known;
    }
    if (shared.size() >= MAX_SHARED_STRINGS) {
      return text;
    }
    known = shared.putIfAbsent(text, text);
    return known == null ? text : known;
  }

  /**
   * Checks that the body is JSON by reading every token of its first value (without building a
   * tree), and returns that value's text: the body itself, or the part of it without the whitespace
   * around the value (and, as before, without anything after it, which a tree parse ignored too).
   * {@code null} for an empty body.
   */
  private byte @Nullable [] jsonValue(byte @Nullable [] body) throws IOException {
    if (body == null || body.length == 0) {
      return null;
    }
    try (JsonParser parser = reader.createParser(body)) {
      if (parser.nextToken() == null) {
        return null;
      }
      int start = (int) parser.currentTokenLocation().getByteOffset();
      parser.skipChildren();
      // A string is read lazily: finish it so that it is checked and the location is after it.
      parser.finishToken();
      int end = (int) parser.currentLocation().getByteOffset();
      if (start < 0 || end > body.length || end <= start) {
        throw new IOException("could not locate the JSON value in the body");
      }
      while (end > start && isJsonWhitespace(body[end - 1])) {
        end--;
      }
      return start == 0 && end == body.length ? body : Arrays.copyOfRange(body, start, end);
    }
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  /**
   * An AMQP field table as JSON-friendly values, keys in alphabetical order (amqp-client does not
   * keep the wire order; alphabetical order is what CLU's frames show).
   */
  static Map<String, Object> convertTable(Map<String, Object> table) {
    return convertTable(table, null);
  }

  private static Map<String, Object> convertTable(
      Map<String, Object> table, @Nullable String leftOut) {
    if (table == null || table.isEmpty()) {
      return Collections.emptyMap();
    }
    String[] keys = table.keySet().toArray(new String[0]);
    Arrays.sort(keys);
    Map<String, Object> result = new LinkedHashMap<>(table.size() * 2);
    for (String key : keys) {
      if (!key.equals(leftOut)) {
        result.put(key, convert(table.get(key)));
      }
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  static Object convert(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof Double
        || value instanceof Float
        || value instanceof BigDecimal) {
      return value;
    }
    if (value instanceof LongString) {
      return new String(((LongString) value).getBytes(), StandardCharsets.UTF_8);
    }
    if (value instanceof Date) {
      return ((Date) value).toInstant().toString();
    }
    if (value instanceof Map) {
      return convertTable((Map<String, Object>) value);
    }
    if (value instanceof List) {
      List<Object> list = new ArrayList<>();
      for (Object item : (List<Object>) value) {
        list.add(convert(item));
      }
      return list;
    }
    if (value instanceof byte[]) {
      return Base64.getEncoder().encodeToString((byte[]) value);
    }
    return value.toString();
  }
}
