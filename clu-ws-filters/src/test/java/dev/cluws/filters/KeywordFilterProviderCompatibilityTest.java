package dev.cluws.filters;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyBuilder;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.ArrayList;
import java.util.List;

/** {@link KeywordFilterProvider} passes the compatibility kit every filter plugin must pass. */
class KeywordFilterProviderCompatibilityTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new KeywordFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("keywords=text", "keywords=status_word,mode", "keywords=error&keywords=help");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of(
        "keywords", "keywords=dome_*", "keywords=a b", "keywords=text&keywords.nested=true");
  }

  /** Replies the filter trims in several ways (some keywords kept, all kept, none kept). */
  @Override
  public List<Reply> sampleReplies() {
    List<Reply> replies = new ArrayList<>(super.sampleReplies());
    replies.add(
        ReplyBuilder.from("kit_actor")
            .code("i")
            .body("{\"mode\": \"Open\", \"text\": \"Opening.\", \"status_word\": 3, \"x\": null}")
            .build());
    replies.add(ReplyBuilder.from("kit_actor").body("{\"text\": \"only\"}").build());
    return replies;
  }
}
