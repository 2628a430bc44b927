package dev.cluws.core;

import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link MessageSource} the test pushes replies into. Records its lifecycle in a shared log. */
public final class InMemorySource implements MessageSource {
  private final List<String> events;
  private final AtomicInteger closes = new AtomicInteger();
  private volatile ReplyListener listener;
  private volatile SourceState state = SourceState.CONNECTING;
  private volatile RuntimeException startFailure;

  public InMemorySource(List<String> events) {
    this.events = events;
  }

  /** Makes {@link #start} throw this. */
  void failStartWith(RuntimeException failure) {
    startFailure = failure;
  }

  @Override
  public void start(ReplyListener replyListener) {
    events.add("source.start");
    if (startFailure != null) {
      throw startFailure;
    }
    listener = replyListener;
    changeState(SourceState.UP);
  }

  /** Delivers a reply to the listener, as a broker delivery would. */
  public void push(Reply reply) {
    ReplyListener l = listener;
    if (l == null) {
      throw new IllegalStateException("the source has not been started");
    }
    l.onReply(reply);
  }

  public void changeState(SourceState newState) {
    state = newState;
    ReplyListener l = listener;
    if (l != null) {
      l.onStateChange(newState);
    }
  }

  @Override
  public SourceState state() {
    return state;
  }

  @Override
  public void close() {
    events.add("source.close");
    closes.incrementAndGet();
    state = SourceState.CLOSED;
  }

  boolean isClosed() {
    return closes.get() > 0;
  }
}
