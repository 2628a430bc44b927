package dev.cluws.filters;

import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.List;

/** {@link CodeFilterProvider} passes the compatibility kit every filter plugin must pass. */
class CodeFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new CodeFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("codes=:f", "codes=:&codes=f", "codes=>:fewi!d", "codes=i");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of("codes", "codes=x", "codes=F", "codes=:&codes.strict=true");
  }
}
