package dev.cluws.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A websocket client that reads every frame as it comes (Jetty demands the next frame after each)
 * and records the bench replies in its {@link ReceiveStats}.
 *
 * <p>It takes raw frames ({@link #onWebSocketFrame}), not text messages, and reads the two numbers
 * it needs straight out of the payload bytes: decoding every frame into a {@code String} was more
 * than half of the tool's CPU per frame (profiled with JFR). The gateway sends each reply as one
 * whole frame. Answers pings itself (a listener that takes raw frames gets them too).
 */
public final class ReadingClient implements Session.Listener.AutoDemanding {
  private static final byte[] PERFTEST_SENDER =
      ("\"sender\":\"" + PerfTestPublisher.SENDER + "\"").getBytes(StandardCharsets.US_ASCII);

  private final ReceiveStats stats;
  private final boolean countPerfTest;
  private volatile Session session;
  private volatile long frames;
  private volatile int closeCode = -1;
  private volatile Throwable error;

  ReadingClient(int expected) {
    this(expected, false);
  }

  /**
   * With {@code countPerfTest}, the measured replies are PerfTest's (sender {@value
   * PerfTestPublisher#SENDER}, no number in the body): each frame of that sender is counted.
   */
  ReadingClient(int expected, boolean countPerfTest) {
    this.stats = new ReceiveStats(expected);
    this.countPerfTest = countPerfTest;
  }

  ReceiveStats stats() {
    return stats;
  }

  /** Every text frame received, bench reply or not. */
  long frames() {
    return frames;
  }

  /** The close code, or -1 while open. */
  int closeCode() {
    return closeCode;
  }

  Throwable error() {
    return error;
  }

  @Override
  public void onWebSocketOpen(Session opened) {
    session = opened;
  }

  @Override
  public void onWebSocketFrame(Frame frame, Callback callback) {
    switch (frame.getType()) {
      case TEXT:
        frames = frames + 1;
        if (!frame.isFin()) {
          stats.unreadable(); // never sent by the gateway: a reply is one frame
          break;
        }
        ByteBuffer payload = frame.getPayload();
        if (countPerfTest && FrameScan.contains(payload, PERFTEST_SENDER)) {
          stats.recordUnnumbered();
          break;
        }
        long seq = FrameScan.seq(payload);
        if (seq == FrameScan.MISSING) {
          stats.unreadable();
        } else {
          stats.record(seq, FrameScan.sentMicros(payload));
        }
        break;
      case PING:
        ByteBuffer ping = frame.getPayload();
        ByteBuffer copy = ByteBuffer.allocate(ping == null ? 0 : ping.remaining());
        if (ping != null) {
          copy.put(ping.slice()).flip();
        }
        session.sendPong(copy, Callback.NOOP);
        break;
      case CONTINUATION:
        stats.unreadable();
        break;
      default:
        break;
    }
    callback.succeed();
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    closeCode = statusCode;
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    error = cause;
  }
}
