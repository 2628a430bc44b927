package dev.cluws.bench.load;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the load tool puts on the wire: CLU replies and commands, with the properties and headers a
 * CLU actor or client sets, and the time base every latency is measured in.
 *
 * <p>A bench reply's body is about 200 bytes of compact JSON: {@code {"seq":N,"t":T,"pad":"..."}},
 * where {@code seq} is the reply's number (negative for warm-up replies) and {@code t} the send
 * time in epoch microseconds.
 */
final class BenchMessages {
  /** The actor name bench replies come from. */
  static final String SENDER = "bench_actor";

  static final String BROADCAST = "reply.broadcast";
  static final int BODY_BYTES = 200;

  private static final long EPOCH_MICROS_AT_START;
  private static final long NANOS_AT_START;

  static {
    Instant now = Instant.now();
    NANOS_AT_START = System.nanoTime();
    EPOCH_MICROS_AT_START = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private BenchMessages() {}

  /**
   * Now, in epoch microseconds, from the monotonic clock calibrated once: cheap, never steps back,
   * and the same time base for the publisher and every receiver in this process.
   */
  static long nowMicros() {
    return EPOCH_MICROS_AT_START + (System.nanoTime() - NANOS_AT_START) / 1_000;
  }

  /** The headers of a CLU broadcast reply with code {@code i}. */
  static Map<String, Object> broadcastHeaders() {
    Map<String, Object> headers = new LinkedHashMap<>();
    headers.put("message_code", "i");
    headers.put("sender", SENDER);
    headers.put("internal", false);
    headers.put("command_id", null);
    headers.put("commander_id", null);
    return Collections.unmodifiableMap(headers);
  }

  /** Properties of a CLU reply: text/json, a 32-hex-digit message id, a timestamp, headers. */
  static AMQP.BasicProperties replyProperties(
      Map<String, Object> headers, String messageId, String correlationId) {
    return new AMQP.BasicProperties.Builder()
        .contentType("text/json")
        .messageId(messageId)
        .correlationId(correlationId)
        .timestamp(new Date())
        .headers(headers)
        .build();
  }

  /** A 32-hex-digit message id made of a per-run prefix and a counter (no random per message). */
  static String messageId(long prefix, long counter) {
    return hex16(prefix) + hex16(counter);
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return "0000000000000000".substring(h.length()) + h;
  }

  /**
   * The body of bench reply {@code seq}, sent at {@code sentMicros}: {@value #BODY_BYTES} bytes.
   */
  static byte[] body(long seq, long sentMicros) {
    StringBuilder sb = new StringBuilder(BODY_BYTES + 8);
    sb.append("{\"seq\":").append(seq).append(",\"t\":").append(sentMicros).append(",\"pad\":\"");
    int pad = BODY_BYTES - sb.length() - 2;
    for (int i = 0; i < pad; i++) {
      sb.append((char) ('a' + i % 26));
    }
    sb.append("\"}");
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The JSON a websocket client sends to command {@code consumer}. */
  static String commandFrame(String consumer, String commandString, String commandId) {
    return "{\"consumer\":\""
        + consumer
        + "\",\"command_string\":\""
        + commandString
        + "\",\"command_id\":\""
        + commandId
        + "\"}";
  }
}
