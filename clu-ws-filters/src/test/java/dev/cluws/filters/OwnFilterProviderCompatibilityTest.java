package dev.cluws.filters;

import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.List;

/** {@link OwnFilterProvider} passes the compatibility kit every filter plugin must pass. */
class OwnFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new OwnFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("own=true", "own=true&own.broadcasts=true", "own.broadcasts=false", "own=false");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of(
        "own=maybe",
        "own=true,false",
        "own=true&own.broadcast=true",
        "own=false&own.broadcasts=true",
        "own.broadcasts");
  }
}
