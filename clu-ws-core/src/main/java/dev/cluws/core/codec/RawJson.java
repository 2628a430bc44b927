package dev.cluws.core.codec;

import com.fasterxml.jackson.core.SerializableString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * JSON text that a generator writes as it is ({@link
 * com.fasterxml.jackson.core.JsonGenerator#writeRawValue(SerializableString)}): a reply's body as
 * it came from the broker, or a frame part encoded once and reused. Only the UTF-8 methods the
 * generator of {@link FrameCodec} calls are meaningful; the rest work from the same bytes.
 */
final class RawJson implements SerializableString {
  /** A read-only view of the bytes, from its position to its limit (never moved). */
  private final ByteBuffer utf8;

  private final int length;

  RawJson(byte[] utf8) {
    this(ByteBuffer.wrap(utf8));
  }

  RawJson(ByteBuffer utf8) {
    this.utf8 = utf8;
    this.length = utf8.remaining();
  }

  @Override
  public String getValue() {
    return new String(asUnquotedUTF8(), StandardCharsets.UTF_8);
  }

  @Override
  public int charLength() {
    return getValue().length();
  }

  @Override
  public char[] asQuotedChars() {
    return getValue().toCharArray();
  }

  @Override
  public byte[] asUnquotedUTF8() {
    byte[] copy = new byte[length];
    utf8.duplicate().get(copy);
    return copy;
  }

  @Override
  public byte[] asQuotedUTF8() {
    return asUnquotedUTF8();
  }

  @Override
  public int appendQuotedUTF8(byte[] buffer, int at) {
    return appendUnquotedUTF8(buffer, at);
  }

  @Override
  public int appendQuoted(char[] buffer, int at) {
    return appendUnquoted(buffer, at);
  }

  @Override
  public int appendUnquotedUTF8(byte[] buffer, int at) {
    if (at + length > buffer.length) {
      return -1;
    }
    utf8.duplicate().get(buffer, at, length);
    return length;
  }

  @Override
  public int appendUnquoted(char[] buffer, int at) {
    String value = getValue();
    if (at + value.length() > buffer.length) {
      return -1;
    }
    value.getChars(0, value.length(), buffer, at);
    return value.length();
  }

  @Override
  public int writeQuotedUTF8(OutputStream out) throws IOException {
    return writeUnquotedUTF8(out);
  }

  @Override
  public int writeUnquotedUTF8(OutputStream out) throws IOException {
    out.write(asUnquotedUTF8());
    return length;
  }

  @Override
  public int putQuotedUTF8(ByteBuffer buffer) {
    return putUnquotedUTF8(buffer);
  }

  @Override
  public int putUnquotedUTF8(ByteBuffer buffer) {
    if (buffer.remaining() < length) {
      return -1;
    }
    buffer.put(utf8.duplicate());
    return length;
  }
}
