package dev.cluws.core.reply;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's ordered filters, applied with the rules written in {@link ReplyFilter}'s Javadoc.
 * The gateway's own frames ({@link dev.cluws.core.spi.Origin#isGateway()}) pass unchanged without
 * asking any filter: that rule lives here, not in each filter.
 */
public final class FilterChain {
  private static final Logger log = LoggerFactory.getLogger(FilterChain.class);
  private static final FilterChain EMPTY = new FilterChain(List.of(), new GatewayStats());

  /** Told when a filter throws; the chain has already counted it. */
  @FunctionalInterface
  public interface FailureListener {
    /** Logs every failure as a warning. */
    FailureListener LOG =
        (filter, reply, failure) ->
            log.warn(
                "reply filter '{}' failed on a reply from {}; the reply is not delivered",
                filter,
                LogText.of(reply.sender()),
                failure);

    void filterFailed(String filter, Reply reply, RuntimeException failure);
  }

  private final ReplyFilter[] filters;
  private final String[] names;
  private final GatewayStats stats;

  /** A chain of unnamed filters (each is named by its class in logs). */
  public FilterChain(List<ReplyFilter> filters, GatewayStats stats) {
    this(filters, Collections.nCopies(filters.size(), null), stats);
  }

  /**
   * A chain of filters and their names (the provider names clients asked for), for messages; a
   * {@code null} name stands for the filter's class name.
   */
  public FilterChain(List<ReplyFilter> filters, List<String> names, GatewayStats stats) {
    if (filters.size() != names.size()) {
      throw new IllegalArgumentException("one name per filter");
    }
    this.filters = filters.toArray(new ReplyFilter[0]);
    List<String> resolved = new ArrayList<>();
    for (int i = 0; i < filters.size(); i++) {
      String name = names.get(i);
      resolved.add(name != null ? name : filters.get(i).getClass().getName());
    }
    this.names = resolved.toArray(new String[0]);
    this.stats = stats;
  }

  /** The chain that accepts everything unchanged (CLU's behaviour). */
  public static FilterChain acceptAll() {
    return EMPTY;
  }

  public int size() {
    return filters.length;
  }

  /** {@link #apply(Reply, FailureListener)} that logs failures. */
  public Reply apply(Reply reply) {
    return apply(reply, FailureListener.LOG);
  }

  /**
   * The reply as this client should receive it (the same instance when no filter rewrote it), or
   * {@code null} when the client should not receive it. A frame the gateway made itself is returned
   * as it is. A filter that throws, or returns {@code null} from {@code verdict} or {@code map},
   * denies the reply; the failure is counted and passed to {@code onFailure}.
   */
  public Reply apply(Reply reply, FailureListener onFailure) {
    if (reply.origin().isGateway()) {
      return reply;
    }
    int current = -1;
    try {
      for (int i = 0; i < filters.length; i++) {
        current = i;
        Verdict verdict = filters[i].verdict(reply);
        if (verdict == null) {
          throw new IllegalStateException(
              "verdict() returned null (return NEUTRAL for no opinion, DENY to drop the reply)");
        }
        if (verdict == Verdict.DENY) {
          return null;
        }
        if (verdict == Verdict.ACCEPT) {
          break;
        }
      }
      Reply result = reply;
      for (int i = 0; i < filters.length; i++) {
        current = i;
        result = filters[i].map(result);
        if (result == null) {
          throw new IllegalStateException(
              "map() returned null (return the reply itself to keep it unchanged; deny a reply in"
                  + " verdict())");
        }
      }
      return result;
    } catch (RuntimeException e) {
      stats.filterErrors.increment();
      onFailure.filterFailed(names[current], reply, e);
      return null;
    } catch (LinkageError e) {
      // A plugin that uses what this gateway's SPI does not have: fail closed, like a throw.
      stats.filterErrors.increment();
      onFailure.filterFailed(
          names[current],
          reply,
          new IllegalStateException("the filter does not fit this gateway: " + e, e));
      return null;
    }
  }
}
