package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import org.junit.jupiter.api.Test;

class RoutingFilterProviderTest {
  private final RoutingFilterProvider provider = new RoutingFilterProvider();

  private ReplyFilter filter(String... patterns) {
    return provider.create(TestContext.of(patterns));
  }

  private static Reply on(String routingKey) {
    return TestReplies.reply("lvmecp").routingKey(routingKey).build();
  }

  @Test
  void theProviderIsNamedRouting() {
    assertThat(provider.name()).isEqualTo("routing").isEqualTo(RoutingFilterProvider.NAME);
  }

  @Test
  void aReplyOnAMatchingRoutingKeyGetsNoOpinion() {
    assertThat(filter("reply.broadcast").verdict(on("reply.broadcast"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter("reply.*.lvmecp").verdict(on("reply.gw.lvmecp"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyOnAnyOtherRoutingKeyIsDenied() {
    ReplyFilter broadcasts = filter("reply.broadcast");

    assertThat(broadcasts.verdict(on("reply.gw.lvmecp"))).isEqualTo(Verdict.DENY);
    assertThat(broadcasts.verdict(on(""))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aKeyMatchingAnyOfSeveralPatternsPasses() {
    ReplyFilter filter = filter("reply.broadcast", "reply.#.lvmecp", "reply.*.jaeger");

    assertThat(filter.verdict(on("reply.broadcast"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(on("reply.gw.x.lvmecp"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(on("reply.gw.jaeger"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(on("reply.gw.x.jaeger"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    Reply error = TestReplies.claimingGateway("e", "{\"error\": \"bad frame\"}");

    assertThat(filter("reply.broadcast").verdict(error)).isEqualTo(Verdict.DENY);
  }

  @Test
  void aSnapshotFrameAlwaysPasses() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\"}");

    assertThat(filter("reply.broadcast").verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theFilterNeverRewritesAReply() {
    Reply reply = on("reply.broadcast");

    assertThat(filter("reply.#").map(reply)).isSameAs(reply);
  }

  @Test
  void noPatternIsRejectedWithAnExample() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter())
        .withMessage(
            "give at least one routing pattern, e.g. routing=reply.broadcast or routing=reply.#");
  }

  @Test
  void aPartialWordWildcardIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("reply.broadcast", "re*ly.#"))
        .withMessageStartingWith(
            "'re*ly.#' is not a valid routing pattern: word 1, 're*ly', mixes a wildcard");
  }

  @Test
  void anOptionIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("reply.#").withOption("exchange", "x")))
        .withMessage(
            "unknown option 'routing.exchange': the routing filter has no options; give its values"
                + " as routing=reply.#");
  }
}
