package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link FilterContext} a gateway named {@code clu-ws-0123456789ab} gives client {@code c1}:
 * the values and options of its parameter, and the ids of the unfinished commands it sent.
 */
record TestContext(
    String clientId,
    List<String> values,
    String gatewayName,
    Map<String, List<String>> options,
    Set<String> ownCommands)
    implements FilterContext {
  static final String GATEWAY = "clu-ws-0123456789ab";

  static TestContext of(String... values) {
    return new TestContext("c1", List.of(values), GATEWAY, Map.of(), Set.of());
  }

  /** The same context with one more option ({@code <name>.<option>=values}). */
  TestContext withOption(String option, String... optionValues) {
    Map<String, List<String>> more = new java.util.LinkedHashMap<>(options);
    more.put(option, List.of(optionValues));
    return new TestContext(clientId, values, gatewayName, Map.copyOf(more), ownCommands);
  }

  /** The same context for a client whose unfinished commands have these ids. */
  TestContext withOwnCommands(String... commandIds) {
    return new TestContext(clientId, values, gatewayName, options, Set.of(commandIds));
  }

  @Override
  public boolean isOwnReply(Reply reply) {
    String commandId = reply.commandId();
    return commandId != null && ownCommands.contains(commandId);
  }
}
