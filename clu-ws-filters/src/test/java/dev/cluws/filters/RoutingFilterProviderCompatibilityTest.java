package dev.cluws.filters;

import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.List;

/** {@link RoutingFilterProvider} passes the compatibility kit every filter plugin must pass. */
class RoutingFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new RoutingFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of(
        "routing=reply.%23", "routing=reply.broadcast,reply.*.kit_actor", "routing=%23.*");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of(
        "routing", "routing=re*ly", "routing=reply.%23x", "routing=reply.%23&routing.exchange=x");
  }
}
