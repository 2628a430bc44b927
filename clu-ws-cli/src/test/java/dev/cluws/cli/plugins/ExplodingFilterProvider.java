package dev.cluws.cli.plugins;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.List;

/**
 * A broken filter plugin for tests, found on the test class path: {@code ?explode=lvmecp} gives a
 * filter that throws on every reply from the actor {@code lvmecp} (and lets every other reply
 * through), and {@code ?explode.create=fail} makes {@link #create} itself throw, as a plugin with a
 * bug does.
 */
public final class ExplodingFilterProvider implements ReplyFilterProvider {
  /** The provider's name. */
  public static final String NAME = "explode";

  /** Found by {@link java.util.ServiceLoader}. */
  public ExplodingFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public ReplyFilter create(FilterContext context) {
    if (context.options().containsKey("create")) {
      throw new IllegalStateException("the explode plugin has a bug in create()");
    }
    List<String> actors = List.copyOf(context.values());
    return new ReplyFilter() {
      @Override
      public Verdict verdict(Reply reply) {
        if (reply.sender() != null && actors.contains(reply.sender())) {
          throw new IllegalStateException("kaboom on a reply from " + reply.sender());
        }
        return Verdict.NEUTRAL;
      }
    };
  }
}
