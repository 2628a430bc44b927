package dev.cluws.testkit;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.List;

/**
 * A well-behaved provider for the kit's own tests: {@code ?sender-prefix=lvm,jae} keeps the replies
 * whose sender starts with one of the prefixes.
 */
public final class SenderPrefixFilterProvider implements ReplyFilterProvider {
  @Override
  public String name() {
    return "sender-prefix";
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public ReplyFilter create(FilterContext context) {
    List<String> prefixes = List.copyOf(context.values());
    if (prefixes.isEmpty()) {
      throw new IllegalArgumentException("sender-prefix needs at least one prefix");
    }
    for (String prefix : prefixes) {
      if (!prefix.matches("[a-z_]+")) {
        throw new IllegalArgumentException("not a prefix of actor names: '" + prefix + "'");
      }
    }
    if (!context.options().isEmpty()) {
      throw new IllegalArgumentException(
          "sender-prefix has no options (got " + context.options().keySet() + ")");
    }
    return ReplyFilter.denyUnless(
        reply -> {
          String sender = reply.sender();
          return sender != null && prefixes.stream().anyMatch(sender::startsWith);
        });
  }
}
