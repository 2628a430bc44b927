package dev.cluws.core.spi;

/**
 * Receives what a {@link MessageSource} delivers. Called on the source's delivery thread: an
 * implementation only hands work on and returns; it never blocks.
 */
public interface ReplyListener {
  /** A valid reply arrived. */
  void onReply(Reply reply);

  /** The source's connection state changed. */
  default void onStateChange(SourceState state) {}
}
