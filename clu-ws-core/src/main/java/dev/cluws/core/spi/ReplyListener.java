package dev.cluws.core.spi;

/**
 * Receives what a {@link MessageSource} delivers. Called on the source's delivery thread: an
 * implementation only hands work on and returns; it never blocks.
 *
 * <p><b>Flow control.</b> A listener that cannot pass replies on as fast as they come (the gateway,
 * whose clients read at their own pace) says so with {@link #hasRoom()}. A source that can let its
 * broker hold replies back takes no more than a bounded window of replies while the listener has no
 * room (for RabbitMQ: it withholds the acknowledgements, so that the prefetch window fills and the
 * broker keeps the rest in its queue), and resumes when the listener runs the action it was given
 * with {@link #setResumeAction}. So the broker's queue, not the listener's memory, buffers what the
 * listener's consumers have not taken yet. A source that cannot hold replies back ignores both; the
 * defaults say "always room".
 */
public interface ReplyListener {
  /** A valid reply arrived. */
  void onReply(Reply reply);

  /** The source's connection state changed. */
  default void onStateChange(SourceState state) {}

  /**
   * Whether the listener can take more replies now. Called by the source on its own threads, often
   * (for every batch of acknowledgements): cheap, thread-safe, never blocks. While it returns
   * {@code false} the source still hands over what the broker already sent (at most its window) but
   * asks for no more.
   */
  default boolean hasRoom() {
    return true;
  }

  /**
   * Gives the listener the action that tells the source it has room again. The source calls this
   * once, before its first {@link #onReply}. The listener runs {@code resume} (on any thread) when
   * {@link #hasRoom()} turns true again after it was false; {@code resume} never blocks and may be
   * run more often than needed.
   */
  default void setResumeAction(Runnable resume) {}

  /**
   * Replies meant for this listener may have been lost for good: the source found its queue gone
   * and had to declare it anew (the broker restarted, or the queue expired during a long outage),
   * so whatever was published to it in between never arrives. Called on the source's threads after
   * the source consumes again and before it reports {@link SourceState#UP}.
   *
   * @param reason what happened, in one sentence, for logs and clients
   */
  default void onRepliesLost(String reason) {}
}
