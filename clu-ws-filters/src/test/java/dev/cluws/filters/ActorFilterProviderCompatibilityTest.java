package dev.cluws.filters;

import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.List;

/** {@link ActorFilterProvider} passes the compatibility kit every filter plugin must pass. */
class ActorFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new ActorFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("actors=kit_actor", "actors=lvm*,other-actor.*&actors=*");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of("actors", "actors=bad name", "actors=lvm%23", "actors=lvm*&actors.regex=true");
  }
}
