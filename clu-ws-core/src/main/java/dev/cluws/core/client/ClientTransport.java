package dev.cluws.core.client;

import dev.cluws.core.codec.EncodedFrame;

/**
 * The websocket side of one client, as the core sees it; the Jetty module implements it. The
 * client's {@link Outbox} calls {@link #send} with at most one frame in flight.
 */
public interface ClientTransport {

  /** Completion of one {@link ClientTransport#send}. */
  @FunctionalInterface
  interface SendCallback {
    /** The send finished: {@code failure} is {@code null} on success. */
    void completed(Throwable failure);
  }

  /**
   * Starts sending one text frame and returns at once; {@code callback} runs when the frame has
   * been written (possibly before this method returns) or has failed. Never blocks.
   */
  void send(EncodedFrame frame, SendCallback callback);

  /**
   * Like {@link #send(EncodedFrame, SendCallback)}, with a hint: {@code more} is true when further
   * frames are already queued behind this one, so the transport may hold this frame back to write
   * several in one go (it must write it out at the latest with the next frame sent with {@code more
   * = false}). The default ignores the hint.
   */
  default void send(EncodedFrame frame, boolean more, SendCallback callback) {
    send(frame, callback);
  }

  /** Closes the websocket with a close code and reason. Never blocks. */
  void close(int statusCode, String reason);

  /**
   * Drops the connection at once, without a close handshake (for a client that does not read and so
   * would never receive a close frame). Never blocks. The default just closes.
   */
  default void abort() {
    close(1001, "connection dropped");
  }

  /** The client's remote address, for logs. */
  String remoteAddress();
}
