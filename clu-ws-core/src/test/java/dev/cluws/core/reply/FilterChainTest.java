package dev.cluws.core.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.GatewayStats;
import dev.cluws.core.TestReplies;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class FilterChainTest {
  private final GatewayStats stats = new GatewayStats();
  private final Reply reply = TestReplies.reply("lvmecp");

  private FilterChain chain(ReplyFilter... filters) {
    return new FilterChain(List.of(filters), stats);
  }

  /** A filter with a fixed verdict that counts how often it was asked. */
  private static final class Fixed implements ReplyFilter {
    private final Verdict verdict;
    final AtomicInteger asked = new AtomicInteger();
    final AtomicInteger mapped = new AtomicInteger();

    Fixed(Verdict verdict) {
      this.verdict = verdict;
    }

    @Override
    public Verdict verdict(Reply r) {
      asked.incrementAndGet();
      return verdict;
    }

    @Override
    public Reply map(Reply r) {
      mapped.incrementAndGet();
      return r;
    }
  }

  private static ReplyFilter mapping(UnaryOperator<Reply> map) {
    return new ReplyFilter() {
      @Override
      public Reply map(Reply r) {
        return map.apply(r);
      }
    };
  }

  /** A filter that appends a mark to the body's "trail" field. */
  private static ReplyFilter marking(String mark) {
    return mapping(
        r -> {
          ObjectNode body = r.body().deepCopy();
          body.put("trail", body.path("trail").asText("") + mark);
          return r.withBody(body);
        });
  }

  private static final ReplyFilter THROWING_VERDICT =
      new ReplyFilter() {
        @Override
        public Verdict verdict(Reply r) {
          throw new IllegalStateException("broken filter");
        }
      };

  @Test
  void anEmptyChainAcceptsTheReplyUnchanged() {
    assertThat(chain().apply(reply)).isSameAs(reply);
  }

  @Test
  void theAcceptAllChainAcceptsTheReplyUnchanged() {
    assertThat(FilterChain.acceptAll().apply(reply)).isSameAs(reply);
    assertThat(FilterChain.acceptAll().size()).isZero();
  }

  @Test
  void aChainOfNeutralFiltersAcceptsTheReplyUnchanged() {
    assertThat(chain(new Fixed(Verdict.NEUTRAL), new Fixed(Verdict.NEUTRAL)).apply(reply))
        .isSameAs(reply);
  }

  @Test
  void aDenyingFilterDropsTheReply() {
    assertThat(chain(new Fixed(Verdict.NEUTRAL), new Fixed(Verdict.DENY)).apply(reply)).isNull();
  }

  @Test
  void theFirstDenyWinsOverALaterAccept() {
    Fixed later = new Fixed(Verdict.ACCEPT);

    assertThat(chain(new Fixed(Verdict.DENY), later).apply(reply)).isNull();
    assertThat(later.asked).hasValue(0);
  }

  @Test
  void theFirstAcceptWinsOverALaterDeny() {
    Fixed later = new Fixed(Verdict.DENY);

    assertThat(chain(new Fixed(Verdict.ACCEPT), later).apply(reply)).isSameAs(reply);
    assertThat(later.asked).hasValue(0);
  }

  @Test
  void aDeniedReplyIsNotMapped() {
    Fixed first = new Fixed(Verdict.NEUTRAL);

    chain(first, new Fixed(Verdict.DENY)).apply(reply);

    assertThat(first.mapped).hasValue(0);
  }

  @Test
  void mapsAreAppliedInChainOrder() {
    Reply result = chain(marking("a"), marking("b"), marking("c")).apply(reply);

    assertThat(result.body().get("trail").textValue()).isEqualTo("abc");
  }

  @Test
  void everyMapIsAppliedEvenAfterAnEarlyAccept() {
    Fixed after = new Fixed(Verdict.DENY);

    Reply result = chain(new Fixed(Verdict.ACCEPT), marking("x"), after).apply(reply);

    assertThat(result.body().get("trail").textValue()).isEqualTo("x");
    assertThat(after.mapped).hasValue(1);
    assertThat(after.asked).hasValue(0);
  }

  @Test
  void aRewrittenReplyIsANewInstanceAndTheOriginalIsUntouched() {
    Reply result = chain(marking("x")).apply(reply);

    assertThat(result).isNotSameAs(reply);
    assertThat(reply.body().has("trail")).isFalse();
  }

  @Test
  void aFilterWhoseVerdictThrowsDeniesTheReply() {
    assertThat(chain(new Fixed(Verdict.NEUTRAL), THROWING_VERDICT).apply(reply)).isNull();
  }

  @Test
  void aFilterWhoseVerdictThrowsDeniesEvenIfALaterFilterWouldAccept() {
    assertThat(chain(THROWING_VERDICT, new Fixed(Verdict.ACCEPT)).apply(reply)).isNull();
  }

  @Test
  void aThrowingFilterIsCountedAsAFilterError() {
    chain(THROWING_VERDICT).apply(reply);
    chain(THROWING_VERDICT).apply(reply);

    assertThat(stats.filterErrors.sum()).isEqualTo(2);
  }

  @Test
  void aFilterWhoseMapThrowsDeniesTheReplyAndIsCounted() {
    ReplyFilter throwingMap =
        mapping(
            r -> {
              throw new IllegalStateException("broken map");
            });

    assertThat(chain(throwingMap).apply(reply)).isNull();
    assertThat(stats.filterErrors.sum()).isEqualTo(1);
  }

  @Test
  void aFilterThatUsesWhatThisGatewaysSpiLacksDeniesTheReplyAndIsReportedLikeAThrowingOne() {
    ReplyFilter needsNewerSpi =
        new ReplyFilter() {
          @Override
          public Verdict verdict(Reply r) {
            throw new NoSuchMethodError("'java.lang.String dev.cluws.core.spi.Reply.newer()'");
          }
        };
    List<String> reported = new ArrayList<>();
    FilterChain chain = new FilterChain(List.of(needsNewerSpi), List.of("newer"), stats);

    Reply result =
        chain.apply(
            reply, (filter, r, failure) -> reported.add(filter + ": " + failure.getMessage()));

    assertThat(result).isNull();
    assertThat(stats.filterErrors.sum()).isEqualTo(1);
    assertThat(reported)
        .singleElement()
        .asString()
        .startsWith("newer: the filter does not fit this gateway: java.lang.NoSuchMethodError");
  }

  @Test
  void aMapThatReturnsNullDeniesTheReplyAndIsReportedAndCountedLikeAThrowingFilter() {
    List<String> reported = new ArrayList<>();
    FilterChain chain =
        new FilterChain(List.of(mapping(r -> null), marking("x")), List.of("nulls", "x"), stats);

    Reply result =
        chain.apply(
            reply, (filter, r, failure) -> reported.add(filter + ": " + failure.getMessage()));

    assertThat(result).isNull();
    assertThat(stats.filterErrors.sum()).isEqualTo(1);
    assertThat(reported)
        .containsExactly(
            "nulls: map() returned null (return the reply itself to keep it unchanged; deny a"
                + " reply in verdict())");
  }

  @Test
  void aVerdictOfNullDeniesTheReplyEvenIfALaterFilterWouldAcceptAndIsReported() {
    ReplyFilter nullVerdict =
        new ReplyFilter() {
          @Override
          public Verdict verdict(Reply r) {
            return null;
          }
        };
    List<String> reported = new ArrayList<>();
    FilterChain chain =
        new FilterChain(
            List.of(nullVerdict, new Fixed(Verdict.ACCEPT)), List.of("nulls", "accept"), stats);

    Reply result =
        chain.apply(
            reply, (filter, r, failure) -> reported.add(filter + ": " + failure.getMessage()));

    assertThat(result).isNull();
    assertThat(stats.filterErrors.sum()).isEqualTo(1);
    assertThat(reported).singleElement().asString().startsWith("nulls: verdict() returned null");
  }

  @Test
  void aChainThatDeniesWithoutThrowingCountsNoFilterError() {
    chain(new Fixed(Verdict.DENY)).apply(reply);

    assertThat(stats.filterErrors.sum()).isZero();
  }
}
