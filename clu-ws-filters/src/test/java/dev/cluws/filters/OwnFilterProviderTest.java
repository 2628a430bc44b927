package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import org.junit.jupiter.api.Test;

class OwnFilterProviderTest {
  private final OwnFilterProvider provider = new OwnFilterProvider();

  /** {@code own=true} for a client whose unfinished command is {@code mine}. */
  private ReplyFilter own() {
    return provider.create(TestContext.of("true").withOwnCommands("mine"));
  }

  private ReplyFilter ownWithBroadcasts() {
    return provider.create(
        TestContext.of("true").withOption("broadcasts", "true").withOwnCommands("mine"));
  }

  private static Reply toCommand(String commandId, String code) {
    return TestReplies.reply("lvmecp").commandId(commandId).code(code).build();
  }

  @Test
  void theProviderIsNamedOwn() {
    assertThat(provider.name()).isEqualTo("own").isEqualTo(OwnFilterProvider.NAME);
  }

  @Test
  void everyReplyToTheClientsOwnCommandGetsNoOpinion() {
    ReplyFilter filter = own();

    for (String code : new String[] {">", "i", "w", ":", "f"}) {
      assertThat(filter.verdict(toCommand("mine", code))).as(code).isEqualTo(Verdict.NEUTRAL);
    }
  }

  @Test
  void repliesToAnotherClientsCommandAreDenied() {
    ReplyFilter filter = own();

    assertThat(filter.verdict(toCommand("theirs", ">"))).isEqualTo(Verdict.DENY);
    assertThat(filter.verdict(toCommand("theirs", ":"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void broadcastsAreDeniedUnlessAskedFor() {
    assertThat(own().verdict(TestReplies.broadcast("lvmecp").build())).isEqualTo(Verdict.DENY);
  }

  @Test
  void withBroadcastsRepliesWithoutCommandIdPass() {
    Reply broadcast = TestReplies.broadcast("lvmecp").routingKey("reply.somewhere").build();

    assertThat(ownWithBroadcasts().verdict(broadcast)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void withBroadcastsRepliesOnTheBroadcastRoutingKeyPass() {
    Reply explicit =
        TestReplies.reply("lvmecp").commandId("theirs").routingKey("reply.broadcast").build();

    assertThat(ownWithBroadcasts().verdict(explicit)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void withBroadcastsAnEmptyCommandIdCountsAsNone() {
    Reply broadcast = TestReplies.broadcast("lvmecp").commandId("").routingKey("reply.x").build();

    assertThat(ownWithBroadcasts().verdict(broadcast)).isEqualTo(Verdict.NEUTRAL);
    assertThat(own().verdict(broadcast)).isEqualTo(Verdict.DENY);
  }

  @Test
  void withBroadcastsRepliesToAnotherClientsCommandAreStillDenied() {
    ReplyFilter filter = ownWithBroadcasts();

    assertThat(filter.verdict(toCommand("theirs", ":"))).isEqualTo(Verdict.DENY);
    assertThat(filter.verdict(toCommand("mine", ":"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void broadcastsFalseIsTheDefault() {
    ReplyFilter filter =
        provider.create(
            TestContext.of("true").withOption("broadcasts", "false").withOwnCommands("mine"));

    assertThat(filter.verdict(TestReplies.broadcast("lvmecp").build())).isEqualTo(Verdict.DENY);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    Reply error = TestReplies.claimingGateway("e", "{\"error\": \"bad frame\"}");

    assertThat(own().verdict(error)).isEqualTo(Verdict.DENY);
  }

  @Test
  void aSnapshotFrameAlwaysPasses() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\"}");

    assertThat(own().verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void ownFalseLetsEveryReplyThrough() {
    ReplyFilter off = provider.create(TestContext.of("false").withOwnCommands("mine"));

    assertThat(off.verdict(toCommand("theirs", ":"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(off.verdict(TestReplies.broadcast("lvmecp").build())).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theOptionAloneMeansOwnTrue() {
    ReplyFilter filter =
        provider.create(TestContext.of().withOption("broadcasts", "true").withOwnCommands("mine"));

    assertThat(filter.verdict(toCommand("theirs", ":"))).isEqualTo(Verdict.DENY);
    assertThat(filter.verdict(TestReplies.broadcast("lvmecp").build())).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void trueAndFalseAreReadWhateverTheirCase() {
    ReplyFilter filter = provider.create(TestContext.of("TRUE").withOwnCommands("mine"));

    assertThat(filter.verdict(toCommand("theirs", ":"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void theFilterNeverRewritesAReply() {
    Reply reply = toCommand("mine", ":");

    assertThat(own().map(reply)).isSameAs(reply);
  }

  @Test
  void aValueOtherThanTrueOrFalseIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("yes")))
        .withMessage("own must be true or false, not 'yes'");
  }

  @Test
  void twoValuesAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("true", "false")))
        .withMessage("own takes one value, true or false, but got 2: true,false");
  }

  @Test
  void anInvalidBroadcastsOptionIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("true").withOption("broadcasts", "1")))
        .withMessage("own.broadcasts must be true or false, not '1'");
  }

  @Test
  void aBroadcastsOptionWithoutValueIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("true").withOption("broadcasts")))
        .withMessage("own.broadcasts needs a value: true or false, e.g. own.broadcasts=false");
  }

  @Test
  void anUnknownOptionIsRejectedNamingTheKnownOne() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("true").withOption("broadcast", "true")))
        .withMessage(
            "unknown option 'own.broadcast': the own filter's options are"
                + " own.broadcasts=true|false");
  }

  @Test
  void broadcastsWithOwnFalseIsRejectedAsContradictory() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("false").withOption("broadcasts", "true")))
        .withMessageStartingWith("own.broadcasts=true only applies with own=true");
  }

  @Test
  void theBroadcastTestFollowsClu() {
    assertThat(OwnFilterProvider.isBroadcast(TestReplies.broadcast("a").build())).isTrue();
    assertThat(OwnFilterProvider.isBroadcast(toCommand("x", ":"))).isFalse();
  }
}
