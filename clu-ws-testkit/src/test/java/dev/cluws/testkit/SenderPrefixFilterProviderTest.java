package dev.cluws.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kit passes a provider that keeps its contract, and its helpers work for own tests. */
class SenderPrefixFilterProviderTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new SenderPrefixFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of("sender-prefix=lvm", "sender-prefix=lvm,kit&sender-prefix=other");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of(
        "sender-prefix",
        "sender-prefix=",
        "sender-prefix=LVM",
        "sender-prefix=a&sender-prefix.x=1");
  }

  @Test
  void onlyRepliesFromActorsWithThePrefixAreDelivered() {
    ReplyFilter filter = filter("sender-prefix=lvm");

    assertThat(deliver(filter, ReplyBuilder.from("lvmecp").build())).isNotNull();
    assertThat(deliver(filter, ReplyBuilder.from("jaeger").build())).isNull();
  }

  @Test
  void framesFromTheGatewayAreDeliveredWithoutAskingTheFilter() {
    ReplyFilter filter = filter("sender-prefix=lvm");

    assertThat(deliver(filter, ReplyBuilder.fromGateway("e", "{\"error\": \"x\"}").build()))
        .isNotNull();
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    ReplyFilter filter = filter("sender-prefix=lvm");

    assertThat(deliver(filter, ReplyBuilder.claimingGateway("i", "{\"text\": \"x\"}").build()))
        .isNull();
  }
}
