package dev.cluws.bench.load;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A websocket client that asks the gateway for history and times each answer: from sending the
 * {@code history} control frame to the frame that ends the answer, counting the history frames in
 * between. One request at a time (as the gateway allows).
 */
public final class HistoryClient implements Session.Listener.AutoDemanding {
  private static final String HISTORY_FRAME = "\"history\":true";
  private static final String END_FRAME = "\"control\":\"history\"";
  private static final String ERROR_FRAME = "\"message_code\":\"e\"";

  /** One answer: how long it took and what came. */
  record Answer(long nanos, long historyFrames, String endFrame) {
    double millis() {
      return nanos / 1e6;
    }
  }

  private volatile Session session;
  private volatile CompletableFuture<Answer> pending;
  private volatile long started;
  private volatile long historyFrames;

  @Override
  public void onWebSocketOpen(Session opened) {
    session = opened;
  }

  /** Sends one request and waits (at most {@code timeoutMillis}) for its end frame. */
  Answer request(String controlFrame, long timeoutMillis) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    historyFrames = 0;
    pending = answer;
    started = System.nanoTime();
    session.sendText(controlFrame, Callback.NOOP);
    try {
      return answer.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no end frame within " + timeoutMillis + " ms (" + historyFrames + " history frames)", e);
    } finally {
      pending = null;
    }
  }

  @Override
  public void onWebSocketText(String text) {
    CompletableFuture<Answer> answer = pending;
    if (answer == null) {
      return;
    }
    if (text.contains(HISTORY_FRAME)) {
      historyFrames = historyFrames + 1;
    } else if (text.contains(END_FRAME)) {
      answer.complete(new Answer(System.nanoTime() - started, historyFrames, text));
    } else if (text.contains(ERROR_FRAME)) {
      answer.completeExceptionally(new IllegalStateException("the gateway answered " + text));
    }
  }

  @Override
  public void onWebSocketPing(ByteBuffer payload) {
    ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
    session.sendPong(copy, Callback.NOOP);
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    CompletableFuture<Answer> answer = pending;
    if (answer != null) {
      answer.completeExceptionally(
          new IllegalStateException(
              "the gateway closed the websocket: " + statusCode + " " + reason));
    }
  }
}
