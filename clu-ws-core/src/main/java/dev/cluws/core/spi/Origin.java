package dev.cluws.core.spi;

/**
 * Where a frame comes from: a fact set where the frame is made, never inferred from its headers,
 * its exchange or its routing key.
 *
 * <p>Two kinds matter for who may see a frame. <em>Actor data</em> ({@link #ACTOR}, {@link
 * #SNAPSHOT}) is shown to a client only when its role may see the actor; the <em>gateway's own</em>
 * frames ({@link #GATEWAY_TO_CLIENT}, {@link #GATEWAY_TO_ALL}) carry no actor's data and pass every
 * client's role and filters.
 */
public enum Origin {
  /**
   * A reply an actor published, as the message source delivered it — whatever its headers, exchange
   * or routing key claim: a reply that names the gateway as its {@code sender}, or that was
   * published through the broker's default exchange straight to the gateway's queue, is still an
   * actor's reply. Replayed replies keep this origin.
   */
  ACTOR,
  /**
   * A frame of the gateway's current-state snapshot: the latest values of one actor (its {@code
   * sender}), made by the gateway from that actor's replies. Actor data, like those replies.
   */
  SNAPSHOT,
  /**
   * The gateway speaking to one client: errors, acknowledgements, answers to control frames,
   * notices about replay and snapshots.
   */
  GATEWAY_TO_CLIENT,
  /** The gateway speaking to every client: the broker's status. */
  GATEWAY_TO_ALL;

  /** Whether the frame carries an actor's data (an actor's reply or a snapshot of an actor). */
  public boolean isActorData() {
    return this == ACTOR || this == SNAPSHOT;
  }

  /** Whether the gateway itself speaks (to one client or to all). */
  public boolean isGateway() {
    return !isActorData();
  }
}
