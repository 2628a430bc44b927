package dev.cluws.core.spi;

/** The connection state of a {@link MessageSource}, reported to its {@link ReplyListener}. */
public enum SourceState {
  /** Not started yet, or the first connection attempt is under way. */
  CONNECTING,
  /** Connected and consuming replies. */
  UP,
  /** The connection is lost; replies are not arriving. */
  DOWN,
  /** The connection is lost and the source is reconnecting. */
  RECOVERING,
  /** Closed for good. */
  CLOSED
}
