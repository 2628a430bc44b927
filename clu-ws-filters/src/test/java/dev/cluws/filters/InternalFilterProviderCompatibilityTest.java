package dev.cluws.filters;

import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.List;

/** {@link InternalFilterProvider} passes the compatibility kit every filter plugin must pass. */
class InternalFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new InternalFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("internal=false", "internal=true");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of("internal", "internal=no", "internal=false&internal.x=1");
  }
}
