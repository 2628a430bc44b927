package dev.cluws.core.spi;

/**
 * What the broker did with a published command. A command that could not be published at all
 * completes its stage exceptionally with a {@link CluWsException}.
 */
public enum CommandOutcome {
  /** The broker confirmed the command and routed it to the actor's queue. */
  PUBLISHED,
  /**
   * The broker confirmed the command but could not route it: no actor of that name is running. The
   * sink has published CLU's {@code f} "Failed routing message to consumer" reply, which every
   * listener (including this gateway's clients) receives like any other reply.
   */
  RETURNED
}
