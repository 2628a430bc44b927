package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import org.junit.jupiter.api.Test;

class CodeFilterProviderTest {
  private final CodeFilterProvider provider = new CodeFilterProvider();

  private ReplyFilter filter(String... codes) {
    return provider.create(TestContext.of(codes));
  }

  private static Reply withCode(String code) {
    return TestReplies.reply("lvmecp").code(code).build();
  }

  @Test
  void theProviderIsNamedCodes() {
    assertThat(provider.name()).isEqualTo("codes").isEqualTo(CodeFilterProvider.NAME);
  }

  @Test
  void aReplyWithAWantedCodeGetsNoOpinion() {
    ReplyFilter completions = filter(":f");

    assertThat(completions.verdict(withCode(":"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(completions.verdict(withCode("f"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyWithAnyOtherCodeIsDenied() {
    ReplyFilter completions = filter(":f");

    for (String code : new String[] {">", "e", "w", "i", "!", "d"}) {
      assertThat(completions.verdict(withCode(code))).as(code).isEqualTo(Verdict.DENY);
    }
  }

  @Test
  void everyCluCodeCanBeChosenAlone() {
    for (char code : ">:fewi!d".toCharArray()) {
      String text = String.valueOf(code);
      assertThat(filter(text).verdict(withCode(text))).as(text).isEqualTo(Verdict.NEUTRAL);
    }
  }

  @Test
  void codesGivenAsSeveralValuesAddUp() {
    ReplyFilter split = filter(":", "f");

    assertThat(split.verdict(withCode(":"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(split.verdict(withCode("f"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(split.verdict(withCode("i"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aRepeatedCodeIsHarmless() {
    assertThat(filter("::", ":").verdict(withCode(":"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyWithoutAValidCodeIsDenied() {
    ReplyFilter all = filter(">:fewi!d");

    assertThat(all.verdict(TestReplies.reply("lvmecp").withoutHeader(Reply.MESSAGE_CODE).build()))
        .isEqualTo(Verdict.DENY);
    assertThat(all.verdict(withCode("x"))).isEqualTo(Verdict.DENY);
    assertThat(all.verdict(withCode("::"))).isEqualTo(Verdict.DENY);
    assertThat(all.verdict(withCode(""))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    Reply error = TestReplies.claimingGateway("e", "{\"error\": \"bad frame\"}");

    assertThat(filter(":").verdict(error)).isEqualTo(Verdict.DENY);
  }

  @Test
  void aSnapshotFrameAlwaysPasses() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\"}");

    assertThat(filter(":f").verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theFilterNeverRewritesAReply() {
    Reply reply = withCode(":");

    assertThat(filter(":").map(reply)).isSameAs(reply);
  }

  @Test
  void noCodeIsRejectedWithAnExample() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter())
        .withMessage(
            "give at least one message code, e.g. codes=:f for completions and failures"
                + " (codes: > : f e w i ! d)");
  }

  @Test
  void aCharacterThatIsNoCodeIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter(":x"))
        .withMessage("'x' is not a CLU message code; use any of > : f e w i ! d (e.g. codes=:f)");
  }

  @Test
  void codesAreCaseSensitiveLikeClu() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("F"))
        .withMessageStartingWith("'F' is not a CLU message code");
  }

  @Test
  void aSpaceInsideTheValueIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter(": f"))
        .withMessageStartingWith("' ' is not a CLU message code");
  }

  @Test
  void aNonBmpCharacterIsNamedWhole() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter(":\uD83D\uDE00"))
        .withMessageStartingWith("'\uD83D\uDE00' is not a CLU message code");
  }

  @Test
  void anOptionIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of(":").withOption("strict", "true")))
        .withMessage(
            "unknown option 'codes.strict': the codes filter has no options; give its values as"
                + " codes=:f");
  }

  @Test
  void eachCallCreatesAnIndependentFilter() {
    ReplyFilter done = filter(":");
    ReplyFilter info = filter("i");

    assertThat(done.verdict(withCode("i"))).isEqualTo(Verdict.DENY);
    assertThat(info.verdict(withCode("i"))).isEqualTo(Verdict.NEUTRAL);
  }
}
