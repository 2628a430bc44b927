package dev.cluws.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the few fields the load tool needs straight out of a frame's text or a reply's body bytes,
 * without parsing the JSON: a client that parsed every frame would measure itself, not the gateway.
 * Only for the compact JSON that Jackson and {@link BenchMessages} write (no spaces around {@code
 * :}).
 */
final class FrameScan {
  /** Returned when a field is absent or not a number. */
  static final long MISSING = Long.MIN_VALUE;

  private static final byte[] SEQ_BYTES = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SENT_BYTES = "\"t\":".getBytes(StandardCharsets.US_ASCII);

  private FrameScan() {}

  /** The string value after {@code key} (which ends with the colon), or {@code null}. */
  static String stringAfter(String text, String key, int from) {
    int at = text.indexOf(key, from);
    if (at < 0) {
      return null;
    }
    int start = at + key.length();
    if (start >= text.length() || text.charAt(start) != '"') {
      return null;
    }
    int end = text.indexOf('"', start + 1);
    return end < 0 ? null : text.substring(start + 1, end);
  }

  /** Whether the string value after {@code key} equals {@code expected}, without allocating. */
  static boolean stringEquals(String text, String key, int from, String expected) {
    int at = text.indexOf(key, from);
    if (at < 0) {
      return false;
    }
    int start = at + key.length() + 1;
    int end = start + expected.length();
    return start - 1 < text.length()
        && text.charAt(start - 1) == '"'
        && end < text.length()
        && text.charAt(end) == '"'
        && text.regionMatches(start, expected, 0, expected.length());
  }

  /**
   * The bench number in a frame's payload: the body is the frame's last field and a bench body is
   * {@value BenchMessages#BODY_BYTES} bytes, so the search starts just before it.
   */
  static long seq(ByteBuffer payload) {
    return longAfter(payload, SEQ_BYTES);
  }

  static long sentMicros(ByteBuffer payload) {
    return longAfter(payload, SENT_BYTES);
  }

  private static long longAfter(ByteBuffer b, byte[] key) {
    int limit = b.limit();
    int from = Math.max(b.position(), limit - BenchMessages.BODY_BYTES - 64);
    int at = indexOf(b, key, from, limit);
    if (at < 0) {
      at = indexOf(b, key, b.position(), limit);
      if (at < 0) {
        return MISSING;
      }
    }
    int i = at + key.length;
    boolean negative = false;
    if (i < limit && b.get(i) == '-') {
      negative = true;
      i++;
    }
    long value = 0;
    int digits = 0;
    while (i < limit) {
      byte c = b.get(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
      digits++;
      i++;
    }
    if (digits == 0) {
      return MISSING;
    }
    return negative ? -value : value;
  }

  /** Whether {@code key} occurs in the payload's remaining bytes. */
  static boolean contains(ByteBuffer b, byte[] key) {
    return indexOf(b, key, b.position(), b.limit()) >= 0;
  }

  private static int indexOf(ByteBuffer b, byte[] key, int from, int limit) {
    byte first = key[0];
    outer:
    for (int i = from; i <= limit - key.length; i++) {
      if (b.get(i) != first) {
        continue;
      }
      for (int j = 1; j < key.length; j++) {
        if (b.get(i + j) != key[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The bench number in a reply body (the same scan as for a frame's payload). */
  static long seq(byte[] body) {
    return seq(ByteBuffer.wrap(body));
  }

  static long sentMicros(byte[] body) {
    return sentMicros(ByteBuffer.wrap(body));
  }
}
