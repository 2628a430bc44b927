package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ActorFilterProviderTest {
  private final ActorFilterProvider provider = new ActorFilterProvider();

  private ReplyFilter filter(String... patterns) {
    return provider.create(TestContext.of(patterns));
  }

  @Test
  void theProviderIsNamedActors() {
    assertThat(provider.name()).isEqualTo("actors").isEqualTo(ActorFilterProvider.NAME);
  }

  @Test
  void aReplyFromAWantedActorGetsNoOpinion() {
    assertThat(filter("lvmecp").verdict(TestReplies.from("lvmecp"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyFromAnActorMatchingAWildcardGetsNoOpinion() {
    assertThat(filter("lvm*").verdict(TestReplies.from("lvmnps"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyFromAnyOtherActorIsDenied() {
    assertThat(filter("lvmecp", "lvm*").verdict(TestReplies.from("jaeger")))
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void aReplyWithoutSenderIsDenied() {
    assertThat(filter("*").verdict(TestReplies.from(null))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    assertThat(filter("lvmecp").verdict(TestReplies.from(TestContext.GATEWAY)))
        .isEqualTo(Verdict.DENY);
    assertThat(filter("lvmecp").verdict(TestReplies.claimingGateway("i", "{}")))
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void aFrameFromAnotherGatewayIsFilteredLikeAnyActor() {
    assertThat(filter("lvmecp").verdict(TestReplies.from("clu-ws-ffffffffffff")))
        .isEqualTo(Verdict.DENY);
  }

  @Test
  void aNonStringSenderHeaderIsMatchedInItsStringForm() {
    Reply reply = TestReplies.from("x");
    Map<String, Object> headers = new LinkedHashMap<>(reply.headers());
    headers.put(Reply.SENDER, 42);
    Reply numeric =
        new Reply(
            headers,
            reply.exchange(),
            reply.routingKey(),
            reply.messageId(),
            reply.correlationId(),
            reply.timestamp(),
            reply.body());

    assertThat(filter("4*").verdict(numeric)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theFilterNeverRewritesAReply() {
    Reply reply = TestReplies.from("lvmecp");

    assertThat(filter("lvmecp").map(reply)).isSameAs(reply);
  }

  @Test
  void noValuesAreRejectedWithAClearMessage() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter())
        .withMessageContaining("at least one actor name or pattern");
  }

  @Test
  void anInvalidPatternIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("lvmecp", "lvm#"))
        .withMessageStartingWith("'lvm#' is not a valid actor name or pattern");
  }

  @Test
  void anOptionIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("lvm*").withOption("regex", "true")))
        .withMessage(
            "unknown option 'actors.regex': the actors filter has no options; give its values as"
                + " actors=lvmecp,lvm*");
  }

  @Test
  void aSnapshotFrameIsFilteredByItsActor() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\"}");

    assertThat(filter("lvm*").verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter("jaeger").verdict(snapshot)).isEqualTo(Verdict.DENY);
  }

  @Test
  void eachCallCreatesAnIndependentFilter() {
    ReplyFilter lvm = filter("lvm*");
    ReplyFilter jaeger = filter("jaeger");

    assertThat(lvm.verdict(TestReplies.from("jaeger"))).isEqualTo(Verdict.DENY);
    assertThat(jaeger.verdict(TestReplies.from("jaeger"))).isEqualTo(Verdict.NEUTRAL);
  }
}
