package dev.cluws.core.access;

import dev.cluws.core.codec.EncodedFrame;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Origin;
import dev.cluws.core.spi.Reply;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one client's role lets it see: the one place where the gateway decides, for every frame on
 * every path (live replies, replay, snapshots, acknowledgements, errors, status), whether the
 * client may receive it.
 *
 * <p>The rule reads only the frame's {@link Origin}, set where the frame was made: the gateway's
 * own frames ({@link Origin#isGateway()}) carry no actor's data and are always shown; actor data
 * (an actor's reply, live or replayed, and a snapshot of an actor) is shown only when the access
 * policy lets the client see that actor ({@link AccessPolicy#visibleActors}). A reply's headers,
 * exchange or routing key never make it the gateway's: a reply that names the gateway as its sender
 * is an actor's reply of an actor named like the gateway.
 *
 * <p>The hub asks {@link #allows(Reply)} before a client's filters see a reply (so no filter, nor a
 * filter's error message, ever learns of a reply the client may not see), and the client's
 * connection asks {@link #allows(EncodedFrame)} for every frame it queues, as the last step before
 * its outbox. Thread-safe; never blocks. A policy that throws hides the frame (fails closed).
 */
public final class Visibility {
  private static final Logger log = LoggerFactory.getLogger(Visibility.class);

  /** Shows everything (a policy that lets the client see every actor). */
  public static final Visibility ALL = new Visibility(actor -> true);

  private final Predicate<String> actors;

  private Visibility(Predicate<String> actors) {
    this.actors = Objects.requireNonNull(actors, "actors");
  }

  /** What {@code identity} may see under {@code policy}. */
  public static Visibility of(AccessPolicy policy, ClientIdentity identity) {
    Predicate<String> actors = policy.visibleActors(identity);
    return actors == null ? ALL : new Visibility(actors);
  }

  /** Whether the client may receive this reply. */
  public boolean allows(Reply reply) {
    return allows(reply.origin(), reply.actor());
  }

  /** Whether the client may receive this frame. */
  public boolean allows(EncodedFrame frame) {
    return allows(frame.origin(), frame.actor());
  }

  private boolean allows(Origin origin, String actor) {
    if (origin.isGateway()) {
      return true;
    }
    try {
      return actors.test(actor);
    } catch (RuntimeException e) {
      log.error("the access policy failed on a reply of actor {}; hiding it", actor, e);
      return false;
    }
  }
}
