package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.List;
import java.util.Set;

/**
 * The {@code own} filter: a client that connects with {@code ?own=true} receives only the replies
 * to the commands it sent itself over this connection, from the first reply to the final {@code :}
 * or {@code f} (the gateway remembers a bounded number of a client's unfinished commands for a
 * bounded time: {@link FilterContext#isOwnReply(Reply)}). With the option {@code
 * own.broadcasts=true} it also receives broadcasts: replies without a {@code command_id}, or
 * published on the routing key {@code reply.broadcast}. {@code own=false} turns the filter off
 * (every reply passes). Snapshot frames always pass. See the {@linkplain dev.cluws.filters package
 * documentation}.
 */
public final class OwnFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "own";

  /** The option that adds broadcasts: {@code own.broadcasts=true}. */
  public static final String BROADCASTS = "broadcasts";

  /** The routing key of CLU's broadcasts. */
  static final String BROADCAST_KEY = "reply.broadcast";

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public OwnFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /**
   * Creates the filter. Without a value (e.g. {@code ?own.broadcasts=true} alone) it is {@code
   * own=true}.
   *
   * @throws IllegalArgumentException when the value or {@code own.broadcasts} is not one of {@code
   *     true} and {@code false}, {@code own.broadcasts=true} comes with {@code own=false}, or
   *     another option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.onlyOptions(NAME, context, Set.of(BROADCASTS), "own.broadcasts=true|false");
    boolean own = Parameters.flag(NAME, context.values(), true);
    List<String> broadcastsValues = context.options().get(BROADCASTS);
    boolean broadcasts =
        broadcastsValues != null
            && Parameters.flag(NAME + "." + BROADCASTS, broadcastsValues, null);
    if (!own) {
      if (broadcasts) {
        throw new IllegalArgumentException(
            "own.broadcasts=true only applies with own=true; give own=true&own.broadcasts=true,"
                + " or leave out own to receive everything");
      }
      return new ReplyFilter() {
        @Override
        public String toString() {
          return "own=false (every reply)";
        }
      };
    }
    return new OwnFilter(context, broadcasts);
  }

  /** Whether a reply is a broadcast: no command id, or the broadcast routing key. */
  static boolean isBroadcast(Reply reply) {
    String commandId = reply.commandId();
    return commandId == null || commandId.isEmpty() || BROADCAST_KEY.equals(reply.routingKey());
  }

  /** Denies replies to other clients' commands (and broadcasts, unless wanted). */
  private static final class OwnFilter implements ReplyFilter {
    private final FilterContext context;
    private final boolean broadcasts;

    OwnFilter(FilterContext context, boolean broadcasts) {
      this.context = context;
      this.broadcasts = broadcasts;
    }

    @Override
    public Verdict verdict(Reply reply) {
      if (reply.snapshot()) {
        return Verdict.NEUTRAL;
      }
      if (broadcasts && isBroadcast(reply)) {
        return Verdict.NEUTRAL;
      }
      return context.isOwnReply(reply) ? Verdict.NEUTRAL : Verdict.DENY;
    }

    @Override
    public String toString() {
      return broadcasts ? "own commands and broadcasts" : "own commands";
    }
  }
}
