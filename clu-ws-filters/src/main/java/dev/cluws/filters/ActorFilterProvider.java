package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.function.Predicate;

/**
 * The {@code actors} filter: a client that connects with {@code ?actors=lvmecp,lvm*} receives only
 * the replies whose {@code sender} header matches one of the patterns ({@code *} matches any run of
 * characters). Replies the filter does not want are denied; the others get no opinion from it
 * ({@link ReplyFilter.Verdict#NEUTRAL}), so it combines with other filters by AND. (The gateway's
 * own frames never reach a filter.) See the {@linkplain dev.cluws.filters package documentation}
 * for the parameter's syntax.
 */
public final class ActorFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "actors";

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public ActorFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /**
   * Creates the filter for the client's patterns.
   *
   * @throws IllegalArgumentException when no pattern is given, a pattern has a character other than
   *     letters, digits, {@code _}, {@code .}, {@code -} and {@code *}, or an option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.noOptions(NAME, context, "actors=lvmecp,lvm*");
    ActorPatterns patterns = ActorPatterns.parse(context.values());
    return ReplyFilter.denyUnless(new SenderMatches(patterns));
  }

  /** Whether a reply comes from one of the wanted actors. */
  private static final class SenderMatches implements Predicate<Reply> {
    private final ActorPatterns patterns;

    SenderMatches(ActorPatterns patterns) {
      this.patterns = patterns;
    }

    @Override
    public boolean test(Reply reply) {
      String sender = reply.sender();
      if (sender == null) {
        return false;
      }
      return patterns.matches(sender);
    }

    @Override
    public String toString() {
      return "sender matches " + patterns;
    }
  }
}
