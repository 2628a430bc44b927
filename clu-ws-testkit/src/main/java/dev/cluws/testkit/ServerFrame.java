package dev.cluws.testkit;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One websocket frame as a server sends it (unmasked), read off a raw socket: for tests that look
 * at the frames themselves (their RSV bits, a close frame's code) rather than at messages.
 *
 * @param firstByte the frame's first byte: FIN, the three RSV bits and the opcode
 * @param payload the payload as sent (compressed, if RSV1 says so)
 */
public record ServerFrame(int firstByte, byte[] payload) {
  /** The opcode of a text frame. */
  public static final int TEXT = 1;

  /** The opcode of a close frame. */
  public static final int CLOSE = 8;

  /** Reads one frame; blocks until it is complete (within the socket's read timeout). */
  public static ServerFrame read(DataInputStream in) throws IOException {
    int b0 = in.readUnsignedByte();
    long length = in.readUnsignedByte() & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new ServerFrame(b0, payload);
  }

  /** The frame's opcode ({@link #TEXT}, {@link #CLOSE}, ...). */
  public int opcode() {
    return firstByte & 0x0f;
  }

  /** The payload as UTF-8 text. */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** A close frame's status code; 1005 (no status) when it carries none. */
  public int closeCode() {
    return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
  }

  /** A close frame's reason, empty when it carries none. */
  public String closeReason() {
    return payload.length > 2
        ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
        : "";
  }
}
