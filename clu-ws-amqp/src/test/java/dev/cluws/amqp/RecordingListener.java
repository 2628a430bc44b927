package dev.cluws.amqp;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records what a source delivers, in order ({@link #events}: {@code reply}, {@code lost} or a
 * state's name); its room can be taken away and given back like a gateway whose clients lag.
 */
final class RecordingListener implements ReplyListener {
  final List<Reply> replies = new CopyOnWriteArrayList<>();
  final List<SourceState> states = new CopyOnWriteArrayList<>();
  final List<String> lost = new CopyOnWriteArrayList<>();
  final List<String> events = new CopyOnWriteArrayList<>();
  private volatile boolean room = true;
  private volatile Runnable resume = () -> {};

  @Override
  public void onReply(Reply reply) {
    replies.add(reply);
    events.add("reply");
  }

  @Override
  public void onStateChange(SourceState state) {
    states.add(state);
    events.add(state.name());
  }

  @Override
  public boolean hasRoom() {
    return room;
  }

  @Override
  public void setResumeAction(Runnable action) {
    resume = action;
  }

  @Override
  public void onRepliesLost(String reason) {
    lost.add(reason);
    events.add("lost");
  }

  /** Takes the room away: the source must stop asking for more. */
  void full() {
    room = false;
  }

  /** Gives the room back and tells the source, as the gateway does when its clients catch up. */
  void drained() {
    room = true;
    resume.run();
  }
}
