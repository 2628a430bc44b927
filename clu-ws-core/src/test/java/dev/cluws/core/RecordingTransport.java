package dev.cluws.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cluws.core.client.ClientTransport;
import dev.cluws.core.codec.EncodedFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link ClientTransport} that records what it is asked to send. It completes each send inline
 * (before {@code send} returns), on an executor, or only when the test says so.
 */
public final class RecordingTransport implements ClientTransport {
  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final List<EncodedFrame> frames = new ArrayList<>(); // guarded by itself
  private final List<String> closes = new CopyOnWriteArrayList<>();
  private final Deque<SendCallback> pending = new ArrayDeque<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile boolean inline;
  private volatile Executor executor;
  private volatile RuntimeException throwOnSend;

  private RecordingTransport(boolean inline, Executor executor) {
    this.inline = inline;
    this.executor = executor;
  }

  /** Every send completes successfully before {@code send} returns. */
  public static RecordingTransport completingInline() {
    return new RecordingTransport(true, null);
  }

  /** Sends complete only through {@link #completeNext()} or {@link #failNext(Throwable)}. */
  public static RecordingTransport completingOnDemand() {
    return new RecordingTransport(false, null);
  }

  /** Every send completes successfully on the executor. */
  public static RecordingTransport completingOn(Executor executor) {
    return new RecordingTransport(false, executor);
  }

  /** From now on, sends complete inline (pending ones still wait for the test). */
  public void completeInlineFromNowOn() {
    inline = true;
  }

  /** From now on, {@code send} throws this instead of sending. */
  public void throwOnSend(RuntimeException failure) {
    throwOnSend = failure;
  }

  @Override
  public void send(EncodedFrame frame, SendCallback callback) {
    RuntimeException failure = throwOnSend;
    if (failure != null) {
      throw failure;
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    synchronized (frames) {
      frames.add(frame);
    }
    if (inline) {
      inFlight.decrementAndGet();
      callback.completed(null);
    } else if (executor != null) {
      executor.execute(
          () -> {
            inFlight.decrementAndGet();
            callback.completed(null);
          });
    } else {
      synchronized (pending) {
        pending.addLast(callback);
      }
    }
  }

  /** Completes the oldest pending send successfully. */
  public void completeNext() {
    takeNext().completed(null);
  }

  /** Completes the oldest pending send with a failure. */
  public void failNext(Throwable failure) {
    takeNext().completed(failure);
  }

  private SendCallback takeNext() {
    SendCallback callback;
    synchronized (pending) {
      callback = pending.pollFirst();
    }
    if (callback == null) {
      throw new AssertionError("no send is pending");
    }
    inFlight.decrementAndGet();
    return callback;
  }

  public int pendingSends() {
    synchronized (pending) {
      return pending.size();
    }
  }

  /** The frames handed to {@link #send} so far, in order (a snapshot). */
  public List<EncodedFrame> frames() {
    synchronized (frames) {
      return new ArrayList<>(frames);
    }
  }

  /** The frames handed to {@link #send}, parsed. */
  public List<JsonNode> json() {
    List<JsonNode> result = new ArrayList<>();
    for (EncodedFrame frame : frames()) {
      try {
        result.add(MAPPER.readTree(frame.text()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return result;
  }

  /** The most sends that were ever in flight at once. */
  public int maxInFlight() {
    return maxInFlight.get();
  }

  public List<String> closes() {
    return closes;
  }

  @Override
  public void close(int statusCode, String reason) {
    closes.add(statusCode + " " + reason);
  }

  /** Recorded among the closes as {@code "abort"}. */
  @Override
  public void abort() {
    closes.add("abort");
  }

  @Override
  public String remoteAddress() {
    return "198.51.100.7:50000";
  }
}
