package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.core.GatewayStats;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.reply.FilterChain;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The filter as the gateway finds and uses it: through ServiceLoader, in a client's chain. */
class ActorFilterDiscoveryTest {
  private final GatewayStats stats = new GatewayStats();

  private static ProviderCatalog<ReplyFilterProvider> catalog() {
    return ProviderCatalog.load(
        ReplyFilterProvider.class,
        ReplyFilterProvider::name,
        ActorFilterDiscoveryTest.class.getClassLoader());
  }

  private FilterChain chainFor(String... patterns) {
    ReplyFilterProvider provider = catalog().select("actors");
    return new FilterChain(List.of(provider.create(TestContext.of(patterns))), stats);
  }

  @Test
  void theProviderIsFoundThroughServiceLoaderUnderTheNameActors() {
    assertThat(catalog().find("actors")).get().isInstanceOf(ActorFilterProvider.class);
  }

  @Test
  void theModuleRegistersTheSixBuiltInFilters() {
    assertThat(catalog().names())
        .containsExactlyInAnyOrder("actors", "codes", "own", "internal", "keywords", "routing");
  }

  @Test
  void aChainWithTheFilterDeliversMatchingRepliesUnchanged() {
    Reply reply = TestReplies.from("lvmecp");

    assertThat(chainFor("lvm*").apply(reply)).isSameAs(reply);
  }

  @Test
  void aChainWithTheFilterDropsRepliesFromOtherActors() {
    assertThat(chainFor("lvm*").apply(TestReplies.from("jaeger"))).isNull();
  }

  @Test
  void aChainWithTheFilterDeliversTheGatewaysOwnFramesButNotRepliesClaimingToBeThem() {
    Reply status = TestReplies.fromGateway("w", "{\"broker\": \"disconnected\"}");
    Reply claiming = TestReplies.claimingGateway("w", "{\"broker\": \"disconnected\"}");

    assertThat(chainFor("lvm*").apply(status)).isSameAs(status);
    assertThat(chainFor("lvm*").apply(claiming)).isNull();
  }

  @Test
  void theFilterCausesNoFilterErrors() {
    FilterChain chain = chainFor("lvm*");

    chain.apply(TestReplies.from("jaeger"));
    chain.apply(TestReplies.from(null));
    chain.apply(TestReplies.from("lvmecp"));

    assertThat(stats.filterErrors.sum()).isZero();
  }
}
