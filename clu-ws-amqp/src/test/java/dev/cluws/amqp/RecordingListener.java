package dev.cluws.amqp;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyListener;
import dev.cluws.core.spi.SourceState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a source delivers. */
final class RecordingListener implements ReplyListener {
  final List<Reply> replies = new CopyOnWriteArrayList<>();
  final List<SourceState> states = new CopyOnWriteArrayList<>();

  @Override
  public void onReply(Reply reply) {
    replies.add(reply);
  }

  @Override
  public void onStateChange(SourceState state) {
    states.add(state);
  }
}
