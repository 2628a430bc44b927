package dev.cluws.cli;

import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.Command;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.jetty.reload.Reloadable;
import java.util.Objects;

/**
 * The access policy of a permissions file that is reloaded while the gateway runs: every command
 * is decided by the rules in force when it arrives, and every reply is filtered by them, for
 * clients connected before the reload too. Connected clients keep their identity (and roles).
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
  public ReplyFilter replyFilter(ClientIdentity identity) {
    return new CurrentRulesFilter(identity);
  }

  /**
   * The reply filter of the rules in force, for one client: made again (once) after each reload,
   * so a client's visibility follows the file without a reconnect.
   */
  private final class CurrentRulesFilter implements ReplyFilter {
    private final ClientIdentity identity;
    private volatile Made made;

    /** The filter made from one loaded policy ({@code filter} null: it sees every reply). */
    private record Made(AccessPolicy from, ReplyFilter filter) {}

    CurrentRulesFilter(ClientIdentity identity) {
      this.identity = identity;
    }

    private ReplyFilter filter() {
      AccessPolicy now = policy.get();
      Made current = made;
      if (current == null || current.from() != now) {
        current = new Made(now, now.replyFilter(identity)); // a race makes an equal one: harmless
        made = current;
      }
      return current.filter();
    }

    @Override
    public Verdict verdict(Reply reply) {
      ReplyFilter filter = filter();
      return filter == null ? Verdict.NEUTRAL : filter.verdict(reply);
    }

    @Override
    public Reply map(Reply reply) {
      ReplyFilter filter = filter();
      return filter == null ? reply : filter.map(reply);
    }
  }
}
