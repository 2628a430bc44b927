package dev.cluws.bench.load;

import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A websocket client that commands an actor through the gateway, one command at a time: it sends a
 * command, waits for the frame with its command id and code {@code :} (or {@code f}/{@code e}),
 * records the round trip and sends the next, from Jetty's callback (no thread waits). The first
 * {@code warmup} commands are not recorded.
 */
public final class CommandClient implements Session.Listener.AutoDemanding {
  private static final String COMMAND_ID = "\"command_id\":";
  private static final String MESSAGE_CODE = "\"message_code\":";

  private final String actor;
  private final String idPrefix;
  private final int warmup;
  private final int measured;
  private final Histogram latency = new Histogram();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private volatile Session session;
  private volatile String currentId;
  private volatile int next;
  private volatile long answered;
  private volatile long failed;
  private long sentNanos;
  private long firstSentNanos;
  private long lastAnsweredNanos;

  CommandClient(String actor, String idPrefix, int warmup, int measured) {
    this.actor = actor;
    this.idPrefix = idPrefix;
    this.warmup = warmup;
    this.measured = measured;
  }

  /** Sends the first command; {@link #done()} completes after the last answer. */
  void start() {
    sendNext();
  }

  CompletableFuture<Void> done() {
    return done;
  }

  /** Measured commands answered with {@code :}. */
  long answered() {
    return answered;
  }

  /** Commands answered with {@code f} or {@code e}. */
  long failed() {
    return failed;
  }

  int measured() {
    return measured;
  }

  Histogram latency() {
    return latency;
  }

  long firstSentNanos() {
    return firstSentNanos;
  }

  long lastAnsweredNanos() {
    return lastAnsweredNanos;
  }

  @Override
  public void onWebSocketOpen(Session opened) {
    session = opened;
  }

  @Override
  public void onWebSocketText(String text) {
    String id = currentId;
    if (id == null || !FrameScan.stringEquals(text, COMMAND_ID, 0, id)) {
      return; // another client's command, or an earlier reply
    }
    String code = FrameScan.stringAfter(text, MESSAGE_CODE, 0);
    if (code == null || !(code.equals(":") || code.equals("f") || code.equals("e"))) {
      return; // not the end of the command
    }
    long now = System.nanoTime();
    int index = next - 1;
    if (code.equals(":")) {
      if (index >= warmup) {
        latency.record((now - sentNanos) / 1_000);
        lastAnsweredNanos = now;
        answered = answered + 1;
      }
    } else {
      failed = failed + 1;
    }
    sendNext();
  }

  private void sendNext() {
    int index = next;
    if (index >= warmup + measured) {
      currentId = null;
      done.complete(null);
      return;
    }
    String id = idPrefix + index;
    currentId = id;
    next = index + 1;
    sentNanos = System.nanoTime();
    if (index == warmup) {
      firstSentNanos = sentNanos;
    }
    session.sendText(
        BenchMessages.commandFrame(actor, "ping", id),
        Callback.from(() -> {}, done::completeExceptionally));
  }

  @Override
  public void onWebSocketClose(int statusCode, String reason) {
    done.completeExceptionally(
        new IllegalStateException("websocket closed: " + statusCode + " " + reason));
  }

  @Override
  public void onWebSocketError(Throwable cause) {
    done.completeExceptionally(cause);
  }
}
