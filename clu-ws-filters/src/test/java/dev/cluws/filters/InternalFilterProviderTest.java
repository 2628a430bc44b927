package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import org.junit.jupiter.api.Test;

class InternalFilterProviderTest {
  private final InternalFilterProvider provider = new InternalFilterProvider();

  private ReplyFilter filter(String... values) {
    return provider.create(TestContext.of(values));
  }

  private static Reply internal(boolean internal) {
    return TestReplies.reply("lvmecp").code(">").internal(internal).build();
  }

  @Test
  void theProviderIsNamedInternal() {
    assertThat(provider.name()).isEqualTo("internal").isEqualTo(InternalFilterProvider.NAME);
  }

  @Test
  void internalFalseDeniesInternalReplies() {
    assertThat(filter("false").verdict(internal(true))).isEqualTo(Verdict.DENY);
  }

  @Test
  void internalFalseHasNoOpinionOnOtherReplies() {
    ReplyFilter filter = filter("false");

    assertThat(filter.verdict(internal(false))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(TestReplies.reply("lvmecp").withoutHeader(Reply.INTERNAL).build()))
        .isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aNonBooleanInternalHeaderIsNotInternal() {
    Reply text = TestReplies.reply("lvmecp").header(Reply.INTERNAL, "true").build();

    assertThat(filter("false").verdict(text)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void internalTrueKeepsEveryReply() {
    ReplyFilter filter = filter("true");

    assertThat(filter.verdict(internal(true))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(internal(false))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    Reply marked =
        TestReplies.reply(TestContext.GATEWAY).internal(true).exchange("").routingKey("").build();

    assertThat(filter("false").verdict(marked)).isEqualTo(Verdict.DENY);
  }

  @Test
  void aSnapshotFrameIsNotInternalSoItPasses() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\"}");

    assertThat(filter("false").verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theFilterNeverRewritesAReply() {
    Reply reply = internal(false);

    assertThat(filter("false").map(reply)).isSameAs(reply);
  }

  @Test
  void theParameterWithoutValueIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter())
        .withMessage("internal needs a value: true or false, e.g. internal=false");
  }

  @Test
  void aValueOtherThanTrueOrFalseIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("no"))
        .withMessage("internal must be true or false, not 'no'");
  }

  @Test
  void anOptionIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("false").withOption("x", "1")))
        .withMessage(
            "unknown option 'internal.x': the internal filter has no options; give its values as"
                + " internal=false");
  }
}
