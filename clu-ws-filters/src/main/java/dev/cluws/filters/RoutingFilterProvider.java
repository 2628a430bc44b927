package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code routing} filter: a client that connects with {@code ?routing=reply.broadcast} or
 * {@code ?routing=reply.*.lvmecp,reply.broadcast} receives only the replies whose routing key
 * matches one of the AMQP topic patterns ({@code *} exactly one word, {@code #} zero or more words,
 * words separated by {@code .}), as a RabbitMQ topic binding would. Snapshot frames (which have no
 * routing key) always pass. See the {@linkplain dev.cluws.filters package documentation}.
 */
public final class RoutingFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "routing";

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public RoutingFilterProvider() {}

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
   * @throws IllegalArgumentException when no pattern is given, a pattern is longer than 255 bytes
   *     or has a partial-word wildcard (like {@code re*ly}), or an option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.noOptions(NAME, context, "routing=reply.#");
    if (context.values().isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one routing pattern, e.g. routing=reply.broadcast or routing=reply.#");
    }
    Set<String> exact = new HashSet<>();
    List<TopicPattern> patterns = new ArrayList<>();
    Set<String> shown = new LinkedHashSet<>();
    for (String value : context.values()) {
      TopicPattern pattern = TopicPattern.parse(value);
      if (!shown.add(value)) {
        continue;
      }
      if (pattern.hasWildcard()) {
        patterns.add(pattern);
      } else {
        exact.add(value);
      }
    }
    return new RoutingFilter(Set.copyOf(exact), patterns, String.join(",", shown));
  }

  /** Denies replies whose routing key matches no pattern. */
  private static final class RoutingFilter implements ReplyFilter {
    private final Set<String> exact;
    private final TopicPattern[] patterns;
    private final String shown;

    RoutingFilter(Set<String> exact, List<TopicPattern> patterns, String shown) {
      this.exact = exact;
      this.patterns = patterns.toArray(new TopicPattern[0]);
      this.shown = shown;
    }

    @Override
    public Verdict verdict(Reply reply) {
      if (reply.snapshot()) {
        return Verdict.NEUTRAL;
      }
      String key = reply.routingKey();
      if (exact.contains(key)) {
        return Verdict.NEUTRAL;
      }
      for (TopicPattern pattern : patterns) {
        if (pattern.matches(key)) {
          return Verdict.NEUTRAL;
        }
      }
      return Verdict.DENY;
    }

    @Override
    public String toString() {
      return "routing " + shown;
    }
  }
}
