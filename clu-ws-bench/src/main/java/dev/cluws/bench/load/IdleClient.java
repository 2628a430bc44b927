package dev.cluws.bench.load;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/** An idle websocket client: it only counts the frames it gets and answers pings. A few fields. */
public final class IdleClient implements Session.Listener.AutoDemanding {
  private volatile Session session;
  private volatile int frames;

  int frames() {
    return frames;
  }

  @Override
  public void onWebSocketOpen(Session opened) {
    session = opened;
  }

  @Override
  public void onWebSocketText(String text) {
    frames = frames + 1;
  }

  @Override
  public void onWebSocketPing(ByteBuffer payload) {
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
    session.sendPong(copy, Callback.NOOP);
  }
}
