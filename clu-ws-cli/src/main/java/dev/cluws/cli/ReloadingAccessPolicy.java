package dev.cluws.cli;

import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Command;
import dev.cluws.jetty.reload.Reloadable;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The access policy of a permissions file that is reloaded while the gateway runs: every command is
 * decided by the rules in force when it arrives, and every frame of actor data is shown or hidden
 * by them, for clients connected before the reload too. Connected clients keep their identity (and
 * roles).
 */
final class ReloadingAccessPolicy implements AccessPolicy {
  private final Reloadable<? extends AccessPolicy> policy;

  ReloadingAccessPolicy(Reloadable<? extends AccessPolicy> policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  @Override
  public Decision decide(ClientIdentity identity, Command command) {
    return policy.get().decide(identity, command);
  }

  @Override
  public Predicate<String> visibleActors(ClientIdentity identity) {
    return new CurrentRules(identity);
  }

  /**
   * The actors the rules in force let one client see: asked of the policy again (once) after each
   * reload, so a client's visibility follows the file without a reconnect.
   */
  private final class CurrentRules implements Predicate<String> {
    private final ClientIdentity identity;
    private volatile Made made;

    /** What one loaded policy lets the client see ({@code actors} null: every actor). */
    private record Made(AccessPolicy from, Predicate<String> actors) {}

    CurrentRules(ClientIdentity identity) {
      this.identity = identity;
    }

    @Override
    public boolean test(String actor) {
      AccessPolicy now = policy.get();
      Made current = made;
      if (current == null || current.from() != now) {
        current = new Made(now, now.visibleActors(identity)); // a race makes an equal one
        made = current;
      }
      return current.actors() == null || current.actors().test(actor);
    }
  }
}
