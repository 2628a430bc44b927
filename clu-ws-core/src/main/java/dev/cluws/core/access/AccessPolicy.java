package dev.cluws.core.access;

import dev.cluws.core.command.CommandGate;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Command;
import java.util.function.Predicate;

/**
 * Decides what a client may do: which commands the {@link CommandGate} publishes for it, and which
 * actors' data it may see (applied by {@link Visibility} to every frame, before and whatever its
 * own subscription). Implementations are thread-safe and never block.
 */
public interface AccessPolicy {

  /** The default: every client may send every command and see every reply (CLU's behaviour). */
  AccessPolicy ALLOW_ALL = (identity, command) -> Decision.allow();

  /** Whether {@code identity} may send {@code command}. */
  Decision decide(ClientIdentity identity, Command command);

  /**
   * Which actors' data {@code identity} may see — their replies, live or replayed, and snapshots of
   * them — by actor name ({@code null} for an actor's reply without a sender); {@code null} when it
   * may see every actor. The gateway's own frames are shown to every client whatever this says.
   * Asked once per client, at connect; the predicate is asked for every frame of actor data, on the
   * delivery thread (cheap, thread-safe, never blocks).
   */
  default Predicate<String> visibleActors(ClientIdentity identity) {
    return null;
  }

  /**
   * A decision about one command.
   *
   * @param allowed whether the command may be published
   * @param rule the rule that decided (named to the client and in the audit log when denied)
   */
  record Decision(boolean allowed, String rule) {
    private static final Decision ALLOW = new Decision(true, "allow-all");

    public static Decision allow() {
      return ALLOW;
    }

    public static Decision allow(String rule) {
      return new Decision(true, rule);
    }

    public static Decision deny(String rule) {
      return new Decision(false, rule);
    }
  }
}
