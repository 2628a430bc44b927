package dev.cluws.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit passes a provider whose filters rewrite bodies the right way. */
class HideKeywordFilterProviderTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new HideKeywordFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("hide=mode", "hide=secret,text");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of("hide=");
  }

  @Override
  public List<Reply> sampleReplies() {
    List<Reply> replies = new ArrayList<>(super.sampleReplies());
    replies.add(ReplyBuilder.from("lvmecp").body("{\"secret\": 1, \"open\": true}").build());
    return replies;
  }

  @Test
  void theHiddenKeywordIsRemovedFromTheBody() {
    ReplyFilter filter = filter("hide=secret");

    Reply delivered =
        deliver(
            filter, ReplyBuilder.from("lvmecp").body("{\"secret\": 1, \"open\": true}").build());

    assertThat(delivered.body()).isEqualTo(ReplyBuilder.parse("{\"open\": true}"));
  }
}
