package dev.cluws.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyFilterTest {
  private static Reply from(String sender) {
    return new Reply(
        Map.of(Reply.SENDER, sender, Reply.MESSAGE_CODE, "i"),
        "sdss_exchange",
        "reply.broadcast",
        null,
        null,
        null,
        JsonNodeFactory.instance.objectNode());
  }

  private static final ReplyFilter DEFAULTS = new ReplyFilter() {};

  @Test
  void aFilterIsNeutralByDefault() {
    assertThat(DEFAULTS.verdict(from("lvmecp"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aFilterMapsAReplyToItselfByDefault() {
    Reply reply = from("lvmecp");

    assertThat(DEFAULTS.map(reply)).isSameAs(reply);
  }

  @Test
  void denyUnlessDeniesWhatThePredicateRejectsAndIsNeutralOtherwise() {
    ReplyFilter filter = ReplyFilter.denyUnless(r -> "lvmecp".equals(r.sender()));

    assertThat(filter.verdict(from("lvmecp"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(from("jaeger"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void denyDeniesWhatThePredicateMatchesAndIsNeutralOtherwise() {
    ReplyFilter filter = ReplyFilter.deny(r -> "jaeger".equals(r.sender()));

    assertThat(filter.verdict(from("jaeger"))).isEqualTo(Verdict.DENY);
    assertThat(filter.verdict(from("lvmecp"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void acceptAcceptsWhatThePredicateMatchesAndIsNeutralOtherwise() {
    ReplyFilter filter = ReplyFilter.accept(r -> "lvmecp".equals(r.sender()));

    assertThat(filter.verdict(from("lvmecp"))).isEqualTo(Verdict.ACCEPT);
    assertThat(filter.verdict(from("jaeger"))).isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void theFactoriesRejectANullPredicate() {
    assertThatNullPointerException().isThrownBy(() -> ReplyFilter.denyUnless(null));
    assertThatNullPointerException().isThrownBy(() -> ReplyFilter.deny(null));
    assertThatNullPointerException().isThrownBy(() -> ReplyFilter.accept(null));
  }
}
