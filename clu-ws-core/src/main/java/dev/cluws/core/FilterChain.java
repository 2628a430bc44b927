package dev.cluws.core;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's ordered filters, applied with the rules written in {@link ReplyFilter}'s Javadoc.
 */
public final class FilterChain {
  private static final Logger log = LoggerFactory.getLogger(FilterChain.class);
  private static final FilterChain EMPTY = new FilterChain(List.of(), new GatewayStats());

  private final ReplyFilter[] filters;
  private final GatewayStats stats;

  public FilterChain(List<ReplyFilter> filters, GatewayStats stats) {
    this.filters = filters.toArray(new ReplyFilter[0]);
    this.stats = stats;
  }

  /** The chain that accepts everything unchanged (CLU's behaviour). */
  public static FilterChain acceptAll() {
    return EMPTY;
  }

  public int size() {
    return filters.length;
  }

  /**
   * The reply as this client should receive it (the same instance when no filter rewrote it), or
   * {@code null} when the client should not receive it.
   */
  public Reply apply(Reply reply) {
    ReplyFilter current = null;
    try {
      for (ReplyFilter filter : filters) {
        current = filter;
        Verdict verdict = filter.verdict(reply);
        if (verdict == Verdict.DENY) {
          return null;
        }
        if (verdict == Verdict.ACCEPT) {
          break;
        }
      }
      Reply result = reply;
      for (ReplyFilter filter : filters) {
        current = filter;
        result = filter.map(result);
        if (result == null) {
          return null;
        }
      }
      return result;
    } catch (RuntimeException e) {
      stats.filterErrors.increment();
      log.warn(
          "reply filter {} failed on a reply from {}; the reply is not delivered to this client",
          current.getClass().getName(),
          reply.sender(),
          e);
      return null;
    }
  }
}
