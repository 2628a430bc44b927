package dev.cluws.core.spi;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides which replies one websocket client receives, and may rewrite them. Modelled on
 * Micrometer's {@code MeterFilter}.
 *
 * <h2>How a chain of filters decides</h2>
 *
 * Every client has an ordered chain of filters, built from its subscription. For each reply:
 *
 * <ol>
 *   <li>The filters' {@link #verdict(Reply)}s are asked in order. The first {@link Verdict#DENY}
 *       drops the reply for this client; the first {@link Verdict#ACCEPT} accepts it without asking
 *       the filters after it. If every filter says {@link Verdict#NEUTRAL}, the reply is accepted.
 *       So filters that deny what they don't want and are neutral otherwise combine with AND.
 *   <li>An accepted reply passes through every filter's {@link #map(Reply)} in chain order (also
 *       after an early {@code ACCEPT}). A filter that does not rewrite returns its argument itself;
 *       the gateway then sends the very frame it encoded once for all clients.
 *   <li>A filter that throws, or returns {@code null} from {@code verdict} or {@code map}, counts
 *       as {@code DENY} for that reply (a permission filter must fail closed); the error is logged
 *       and counted, the client is told with an {@code e} frame from the gateway (naming the filter
 *       and the reply's sender), and other clients are not affected.
 * </ol>
 *
 * <p>An empty chain accepts everything: a client that subscribes to nothing gets exactly CLU's
 * behaviour.
 *
 * <h2>What a filter sees</h2>
 *
 * A filter sees actor data only: the replies of actors, live and replayed, and the frames of the
 * current-state snapshot ({@link Reply#snapshot()}, one per actor, shaped like that actor's reply),
 * and only those the client's role may see. What a role may see is not a filter: the gateway
 * applies it to every frame on every path, whatever the client's filters say, so no filter can
 * widen it. The gateway's own frames ({@link Reply#fromGateway()}: errors, acknowledgements,
 * answers to control frames, broker status) never reach a filter: the chain lets them through
 * unchanged, so a filter need not (and cannot) make an exception for them. Whether a frame is the
 * gateway's is a fact the gateway records where it makes the frame ({@link Reply#origin()}), never
 * its headers: a reply from the broker whose {@code sender} is the gateway's name is an actor's
 * reply like any other. A client that connected with {@code own_replies=always} receives the
 * replies to its own commands whatever its filters say.
 *
 * <p>Implementations are pure and thread-safe: a filter is called on the gateway's delivery thread,
 * must not block, and must not keep per-call state outside its own thread-safe fields.
 */
public interface ReplyFilter {

  /** A filter's opinion about a reply. */
  enum Verdict {
    /** Deliver the reply; later filters are not asked. */
    ACCEPT,
    /** Do not deliver the reply to this client. */
    DENY,
    /** No opinion: ask the next filter. */
    NEUTRAL
  }

  /**
   * This filter's verdict on a reply. The default is {@link Verdict#NEUTRAL}. Never {@code null}:
   * the chain treats {@code null} as a failure of the filter (see rule 3 above).
   */
  default Verdict verdict(Reply reply) {
    return Verdict.NEUTRAL;
  }

  /**
   * Rewrites an accepted reply. The default returns the reply itself, unchanged. Never {@code
   * null}: a filter drops a reply with {@link Verdict#DENY} in {@link #verdict(Reply)}; the chain
   * treats {@code null} from {@code map} as a failure of the filter (see rule 3 above), not as a
   * quiet denial.
   */
  default Reply map(Reply reply) {
    return reply;
  }

  /** A filter that denies every reply the predicate rejects and is neutral about the rest. */
  static ReplyFilter denyUnless(Predicate<Reply> wanted) {
    Objects.requireNonNull(wanted, "wanted");
    return new ReplyFilter() {
      @Override
      public Verdict verdict(Reply reply) {
        return wanted.test(reply) ? Verdict.NEUTRAL : Verdict.DENY;
      }
    };
  }

  /** A filter that denies every reply the predicate matches and is neutral about the rest. */
  static ReplyFilter deny(Predicate<Reply> unwanted) {
    Objects.requireNonNull(unwanted, "unwanted");
    return denyUnless(unwanted.negate());
  }

  /** A filter that accepts every reply the predicate matches and is neutral about the rest. */
  static ReplyFilter accept(Predicate<Reply> wanted) {
    Objects.requireNonNull(wanted, "wanted");
    return new ReplyFilter() {
      @Override
      public Verdict verdict(Reply reply) {
        return wanted.test(reply) ? Verdict.ACCEPT : Verdict.NEUTRAL;
      }
    };
  }
}
