package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;

/**
 * The {@code internal} filter: a client that connects with {@code ?internal=false} does not receive
 * the replies whose {@code internal} header is {@code true} (e.g. the {@code >} that starts a CLU
 * {@code ping}, and the replies to commands actors send each other). {@code internal=true} keeps
 * them, as without the parameter. Snapshot frames are never internal. See the {@linkplain
 * dev.cluws.filters package documentation}.
 */
public final class InternalFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "internal";

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public InternalFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /**
   * Creates the filter.
   *
   * @throws IllegalArgumentException when the value is missing or not one of {@code true} and
   *     {@code false}, or an option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.noOptions(NAME, context, "internal=false");
    boolean internal = Parameters.flag(NAME, context.values(), null);
    if (internal) {
      return new ReplyFilter() {
        @Override
        public String toString() {
          return "internal=true (every reply)";
        }
      };
    }
    return new NoInternal();
  }

  /** Denies internal replies. */
  private static final class NoInternal implements ReplyFilter {
    @Override
    public Verdict verdict(Reply reply) {
      return reply.internal() ? Verdict.DENY : Verdict.NEUTRAL;
    }

    @Override
    public String toString() {
      return "internal=false";
    }
  }
}
