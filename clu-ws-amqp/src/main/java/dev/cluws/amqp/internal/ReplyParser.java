package dev.cluws.amqp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.LongString;
import dev.cluws.core.spi.Reply;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  private final ObjectReader reader;

  public ReplyParser(ObjectReader reader) {
    this.reader = reader;
  }

  public Result parse(Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> headers = convertTable(props.getHeaders());
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
    JsonNode tree;
    try {
      tree = body == null || body.length == 0 ? null : reader.readTree(body);
    } catch (JsonProcessingException e) {
      return new Result(null, "body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new Result(null, "body could not be read: " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      return new Result(null, "body is empty");
    }
    Date timestamp = props.getTimestamp();
    Instant instant =
        timestamp == null ? null : timestamp.toInstant().truncatedTo(ChronoUnit.SECONDS);
    Reply reply =
        new Reply(
            headers,
            envelope.getExchange(),
            envelope.getRoutingKey(),
            props.getMessageId(),
            correlationId,
            instant,
            tree);
    return new Result(reply, null);
  }

  /**
   * An AMQP field table as JSON-friendly values, keys in alphabetical order (amqp-client does not
   * keep the wire order; alphabetical order is what CLU's frames show).
   */
  static Map<String, Object> convertTable(Map<String, Object> table) {
    if (table == null || table.isEmpty()) {
      return Collections.emptyMap();
    }
    Map<String, Object> result = new LinkedHashMap<>(table.size() * 2);
    for (Map.Entry<String, Object> entry : new TreeMap<>(table).entrySet()) {
      result.put(entry.getKey(), convert(entry.getValue()));
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
