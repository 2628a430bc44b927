package dev.cluws.core.codec;

import dev.cluws.core.spi.MessageCode;
import dev.cluws.core.spi.Origin;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One websocket text frame, encoded once (as UTF-8) and shared by every client that receives it.
 *
 * <p>Transports send {@link #buffer()} (a read-only view; each call returns a fresh view of the
 * same bytes) or, if they can only send strings, {@link #text()}.
 */
public final class EncodedFrame {
  private final byte[] utf8;
  private final MessageCode code;
  private final String commandId;
  private final long sequence;
  private final Origin origin;
  private final String actor;
  private final String messageId;

  /** When the frame was encoded: for the delivery-to-write time the outboxes report. */
  private final long createdNanos = System.nanoTime();

  private volatile String text;

  /** A frame of an actor's reply whose actor is unknown (for tests of the transport side). */
  public EncodedFrame(byte[] utf8, MessageCode code, String commandId, long sequence) {
    this(utf8, code, commandId, sequence, Origin.ACTOR, null);
  }

  /**
   * A frame of a reply of the given origin; {@code actor} is the actor whose data it carries
   * ({@link dev.cluws.core.spi.Reply#actor()}), {@code null} for the gateway's own frames.
   */
  public EncodedFrame(
      byte[] utf8, MessageCode code, String commandId, long sequence, Origin origin, String actor) {
    this(utf8, code, commandId, sequence, origin, actor, null);
  }

  /** The same, for a reply with this {@code message_id} (or {@code null}). */
  public EncodedFrame(
      byte[] utf8,
      MessageCode code,
      String commandId,
      long sequence,
      Origin origin,
      String actor,
      String messageId) {
    this.utf8 = utf8;
    this.code = code;
    this.commandId = commandId;
    this.sequence = sequence;
    this.origin = origin;
    this.actor = actor;
    this.messageId = messageId;
  }

  /** A read-only view of the frame's UTF-8 payload. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(utf8).asReadOnlyBuffer();
  }

  /** The frame's payload as a string (decoded once, on first use). */
  public String text() {
    String t = text;
    if (t == null) {
      t = new String(utf8, StandardCharsets.UTF_8);
      text = t;
    }
    return t;
  }

  /** Payload size in bytes. */
  public int size() {
    return utf8.length;
  }

  /** The reply's message code, or {@code null} when it had none CLU knows. */
  public MessageCode code() {
    return code;
  }

  /** The reply's command id, or {@code null}. */
  public String commandId() {
    return commandId;
  }

  /**
   * The gateway's number for the reply this frame carries (increasing, one per reply received), or
   * 0 for frames the gateway sent to one client only.
   */
  public long sequence() {
    return sequence;
  }

  /** The {@code message_id} of the reply this frame carries, or {@code null}. */
  public String messageId() {
    return messageId;
  }

  /** Where the reply this frame carries comes from. */
  public Origin origin() {
    return origin;
  }

  /** The actor whose data the frame carries, or {@code null} (see {@link Origin}). */
  public String actor() {
    return actor;
  }

  /** {@link System#nanoTime()} when this frame was encoded. */
  public long createdNanos() {
    return createdNanos;
  }

  @Override
  public String toString() {
    return "EncodedFrame[seq=" + sequence + ", code=" + code + ", " + utf8.length + " bytes]";
  }
}
