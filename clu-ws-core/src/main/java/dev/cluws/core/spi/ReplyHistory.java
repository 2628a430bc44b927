package dev.cluws.core.spi;

import java.time.Instant;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A shared, durable history of the replies that crossed the exchange, kept outside the gateway's
 * process (for clu-ws-amqp: a RabbitMQ stream bound to {@code reply.#}) so that every instance of
 * the gateway reads the same one, and a restarted instance finds what was published before.
 * Optional: a gateway without one keeps only its in-memory replay ring and state.
 *
 * <p>The gateway reads it at start to rebuild its current state, and for clients that ask for
 * history ({@code docs/protocol.md}). Reads never block the caller: each runs on the history's own
 * threads and completes a stage.
 */
public interface ReplyHistory extends AutoCloseable {

  /** The history's name (the stream's), for logs and messages. */
  String name();

  /**
   * Connects and declares the history (and what feeds it). Returns once it is ready to read.
   *
   * @throws BrokerUnavailableException when the broker cannot be reached
   * @throws CluWsException when the history cannot be declared
   */
  void start();

  /**
   * Reads the replies kept from {@code from} on, oldest first, up to the last one the history held
   * when the read began (so a read ends even while replies keep arriving), and hands each valid one
   * to {@code visitor} until it returns {@code false}. The visitor runs on one of the history's
   * threads, one reply at a time; it must not block. The stage completes when the read ends, or
   * fails with a {@link CluWsException} (the broker went away, or sent nothing for longer than the
   * history allows).
   */
  CompletionStage<Read> read(Instant from, Visitor visitor);

  /** Releases the connection. Idempotent. The history itself stays (it is shared). */
  @Override
  void close();

  /** Receives the replies of a read, in order. */
  @FunctionalInterface
  interface Visitor {
    /** Takes one reply; {@code false} ends the read (the stage completes as stopped). */
    boolean accept(Reply reply);

    /**
     * Whether the visitor wants the replies of this sender (the {@code sender} header, {@code null}
     * when absent), asked before a reply is parsed: a read skips the others without parsing them,
     * and does not count them in {@link Read#replies}. Every sender by default.
     */
    default boolean wants(@Nullable String sender) {
      return true;
    }

    /**
     * Whether the visitor can take more replies now (e.g. its client's outbox has room). While it
     * says no, the read asks the history for no more than the few replies already on their way, and
     * asks the visitor again every few milliseconds; the read's timeout does not run meanwhile.
     * Always by default.
     */
    default boolean ready() {
      return true;
    }
  }

  /**
   * How a read ended.
   *
   * @param replies the replies handed to the visitor
   * @param stopped whether the visitor ended the read before the end of the history
   * @param keptSince when the read began at the oldest reply the history still keeps, older ones
   *     having been dropped (retention), and that reply is newer than the time asked for: that
   *     reply's time. What was published between the time asked for and then is no longer kept.
   *     {@code null} when nothing the read asked for was dropped.
   */
  record Read(long replies, boolean stopped, @Nullable Instant keptSince) {}
}
