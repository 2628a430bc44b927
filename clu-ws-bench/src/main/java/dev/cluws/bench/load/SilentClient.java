package dev.cluws.bench.load;

import org.eclipse.jetty.websocket.api.Session;

/**
 * A websocket client that never reads: it never demands a frame, so Jetty never reads its socket
 * and the gateway's writes to it back up (in the kernel's buffers, then in the gateway's outbox).
 * It answers no ping either, like a frozen browser tab.
 */
public final class SilentClient implements Session.Listener {
  private volatile int closeCode = -1;

  /** The close code, or -1 while open (a silent client hears no close frame either). */
  int closeCode() {
    return closeCode;
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    closeCode = statusCode;
  }
}
