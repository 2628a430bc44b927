package dev.cluws.filters;

import dev.cluws.core.spi.FilterContext;
import java.util.List;

/**
 * The {@link FilterContext} a gateway named {@code clu-ws-0123456789ab} gives client {@code c1}.
 */
record TestContext(String clientId, List<String> values, String gatewayName)
    implements FilterContext {
  static final String GATEWAY = "clu-ws-0123456789ab";

  static TestContext of(String... values) {
    return new TestContext("c1", List.of(values), GATEWAY);
  }
}
