package dev.cluws.testkit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.Set;

/**
 * A well-behaved rewriting provider for the kit's own tests: {@code ?hide=secret} removes the
 * keyword {@code secret} from the bodies of the replies that have it, and leaves the others alone.
 */
public final class HideKeywordFilterProvider implements ReplyFilterProvider {
  @Override
  public String name() {
    return "hide";
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public ReplyFilter create(FilterContext context) {
    Set<String> hidden = Set.copyOf(context.values());
    if (hidden.isEmpty()) {
      throw new IllegalArgumentException("hide needs the keywords to hide");
    }
    return new ReplyFilter() {
      @Override
      public Reply map(Reply reply) {
        if (!reply.body().isObject() || hidden.stream().noneMatch(reply.body()::has)) {
          return reply;
        }
        ObjectNode trimmed = ((ObjectNode) reply.body()).deepCopy();
        trimmed.remove(hidden);
        return reply.withBody(trimmed);
      }
    };
  }
}
