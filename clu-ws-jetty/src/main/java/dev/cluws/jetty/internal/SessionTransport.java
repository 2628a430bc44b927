package dev.cluws.jetty.internal;

import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.codec.EncodedFrame;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One websocket session as the core's {@link ClientTransport}.
 *
 * <p>Frames are sent as the UTF-8 bytes the gateway encoded once for every client: when the session
 * is Jetty's own {@link WebSocketSession}, the frame's read-only buffer goes straight to the {@link
 * CoreSession} as a TEXT frame, so nothing is re-encoded per client. Any other {@link Session}
 * falls back to {@link Session#sendText}. Both return at once; Jetty completes the callback when
 * the frame is written or has failed.
 */
final class SessionTransport implements ClientTransport {
  private final Session session;
  private final CoreSession coreSession;
  private final String remoteAddress;

  SessionTransport(Session session, String remoteAddress) {
    this.session = session;
    this.coreSession =
        session instanceof WebSocketSession ? ((WebSocketSession) session).getCoreSession() : null;
    this.remoteAddress = remoteAddress;
  }

  @Override
  public void send(EncodedFrame frame, SendCallback callback) {
    send(frame, false, callback);
  }

  /**
   * With {@code more}, Jetty batches the frame (copies it into its write buffer and completes at
   * once) and writes the batch with the next frame that has no more behind it: under load, many
   * frames leave in one write instead of one system call each.
   */
  @Override
  public void send(EncodedFrame frame, boolean more, SendCallback callback) {
    if (coreSession != null) {
      coreSession.sendFrame(new Frame(OpCode.TEXT, frame.buffer()), new Completion(callback), more);
    } else {
      session.sendText(
          frame.text(), Callback.from(() -> callback.completed(null), callback::completed));
    }
  }

  @Override
  public void close(int statusCode, String reason) {
    session.close(statusCode, reason, Callback.NOOP);
  }

  @Override
  public void abort() {
    session.disconnect();
  }

  @Override
  public String remoteAddress() {
    return remoteAddress;
  }

  /**
   * One frame's completion as Jetty's callback: one object per frame instead of a callback and two
   * lambdas. Non-blocking: the outbox's completion only queues or starts the next send.
   */
  private static final class Completion implements org.eclipse.jetty.util.Callback {
    private final SendCallback callback;

    Completion(SendCallback callback) {
      this.callback = callback;
    }

    @Override
    public void succeeded() {
      callback.completed(null);
    }

    @Override
    public void failed(Throwable failure) {
      callback.completed(failure);
    }

    @Override
    public InvocationType getInvocationType() {
      return InvocationType.NON_BLOCKING;
    }
  }

  /** Whether frames go out as pre-encoded bytes (true for every session Jetty creates). */
  boolean sendsPreEncoded() {
    return coreSession != null;
  }
}
