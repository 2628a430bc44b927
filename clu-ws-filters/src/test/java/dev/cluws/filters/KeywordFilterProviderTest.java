package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeywordFilterProviderTest {
  private final KeywordFilterProvider provider = new KeywordFilterProvider();

  private ReplyFilter filter(String... keywords) {
    return provider.create(TestContext.of(keywords));
  }

  private static Reply withBody(String json) {
    return TestReplies.reply("lvmecp").code("i").body(json).build();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void theProviderIsNamedKeywords() {
    assertThat(provider.name()).isEqualTo("keywords").isEqualTo(KeywordFilterProvider.NAME);
  }

  @Test
  void aReplyWithOneOfTheKeywordsGetsNoOpinion() {
    ReplyFilter filter = filter("dome_status", "text");

    assertThat(filter.verdict(withBody("{\"text\": \"Pong.\"}"))).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.verdict(withBody("{\"a\": 1, \"dome_status\": \"0x10\"}")))
        .isEqualTo(Verdict.NEUTRAL);
  }

  @Test
  void aReplyWithNoneOfTheKeywordsIsDenied() {
    ReplyFilter filter = filter("dome_status", "text");

    assertThat(filter.verdict(withBody("{\"status_word\": 42}"))).isEqualTo(Verdict.DENY);
    assertThat(filter.verdict(withBody("{}"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void theBodyIsTrimmedToTheWantedKeywordsInTheBodysOrder() {
    Reply reply =
        withBody("{\"a\": 1, \"text\": \"x\", \"b\": [1, 2], \"dome_status\": {\"c\": 3}}");

    Reply trimmed = filter("dome_status", "text").map(reply);

    assertThat(fieldNames(trimmed.body())).containsExactly("text", "dome_status");
    assertThat(trimmed.body().path("text").asText()).isEqualTo("x");
    assertThat(trimmed.body().path("dome_status").path("c").asInt()).isEqualTo(3);
  }

  @Test
  void aTrimmedReplyKeepsEverythingButTheBody() {
    Reply reply = withBody("{\"a\": 1, \"text\": \"x\"}");

    Reply trimmed = filter("text").map(reply);

    assertThat(trimmed).isNotSameAs(reply);
    assertThat(trimmed.headers()).isEqualTo(reply.headers());
    assertThat(trimmed.exchange()).isEqualTo(reply.exchange());
    assertThat(trimmed.routingKey()).isEqualTo(reply.routingKey());
    assertThat(trimmed.messageId()).isEqualTo(reply.messageId());
    assertThat(trimmed.correlationId()).isEqualTo(reply.correlationId());
    assertThat(trimmed.timestamp()).isEqualTo(reply.timestamp());
  }

  @Test
  void theSharedBodyIsNeverChanged() {
    Reply reply = withBody("{\"a\": 1, \"text\": \"x\", \"b\": {\"c\": 3}}");
    String before = reply.body().toString();

    filter("text").map(reply);
    filter("b").map(reply);

    assertThat(reply.body().toString()).isEqualTo(before);
  }

  @Test
  void aReplyWithOnlyWantedKeywordsIsPassedOnAsTheSameInstance() {
    Reply reply = withBody("{\"text\": \"x\", \"dome_status\": 1}");

    assertThat(filter("dome_status", "text", "other").map(reply)).isSameAs(reply);
  }

  @Test
  void aKeywordWithANullValueCounts() {
    Reply reply = withBody("{\"a\": 1, \"text\": null}");
    ReplyFilter filter = filter("text");

    assertThat(filter.verdict(reply)).isEqualTo(Verdict.NEUTRAL);
    assertThat(filter.map(reply).body().has("text")).isTrue();
    assertThat(filter.map(reply).body().path("text").isNull()).isTrue();
  }

  @Test
  void onlyTopLevelKeywordsCount() {
    Reply nested = withBody("{\"dome\": {\"text\": \"x\"}}");

    assertThat(filter("text").verdict(nested)).isEqualTo(Verdict.DENY);
  }

  @Test
  void keywordsAreMatchedCaseSensitively() {
    assertThat(filter("Text").verdict(withBody("{\"text\": \"x\"}"))).isEqualTo(Verdict.DENY);
  }

  @Test
  void aBodyThatIsNotAnObjectIsDeniedAndNeverRewritten() {
    Reply array = withBody("[\"text\"]");
    ReplyFilter filter = filter("text");

    assertThat(filter.verdict(array)).isEqualTo(Verdict.DENY);
    assertThat(filter.map(array)).isSameAs(array);
  }

  @Test
  void aReplyAcceptedByAnEarlierFilterWithoutTheKeywordsIsDeliveredWithAnEmptyBody() {
    Reply reply = withBody("{\"a\": 1}");

    Reply trimmed = filter("text").map(reply);

    assertThat(trimmed.body().isObject()).isTrue();
    assertThat(trimmed.body().isEmpty()).isTrue();
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayIsFilteredLikeAnyActorsReply() {
    Reply error = TestReplies.claimingGateway("e", "{\"error\": \"bad frame\"}");
    ReplyFilter filter = filter("text");

    assertThat(filter.verdict(error)).isEqualTo(Verdict.DENY);
  }

  @Test
  void aSnapshotFrameIsTrimmedToTheWantedKeywords() {
    Reply snapshot =
        TestReplies.snapshot("lvmecp", "{\"dome_status\": \"0x10\", \"status_word\": 42}");
    ReplyFilter filter = filter("dome_status");

    assertThat(filter.verdict(snapshot)).isEqualTo(Verdict.NEUTRAL);
    Reply trimmed = filter.map(snapshot);
    assertThat(fieldNames(trimmed.body())).containsExactly("dome_status");
    assertThat(trimmed.snapshot()).isTrue();
  }

  @Test
  void aSnapshotFrameWithoutTheKeywordsIsDenied() {
    Reply snapshot = TestReplies.snapshot("lvmecp", "{\"status_word\": 42}");

    assertThat(filter("dome_status").verdict(snapshot)).isEqualTo(Verdict.DENY);
  }

  @Test
  void clientsWantingTheSameKeywordsShareOneTrimmedReply() {
    Reply reply = withBody("{\"a\": 1, \"text\": \"x\", \"b\": 2}");

    Reply first = filter("text", "b").map(reply);
    Reply second = filter("b", "text").map(reply);

    assertThat(second).isSameAs(first);
    assertThat(fieldNames(first.body())).containsExactly("text", "b");
  }

  @Test
  void manyDifferentKeywordSetsEachGetTheirOwnTrimOfTheSameReply() {
    StringBuilder json = new StringBuilder("{\"all\": 0");
    for (int i = 0; i < 40; i++) {
      json.append(", \"k").append(i).append("\": ").append(i);
    }
    Reply reply = withBody(json.append('}').toString());
    List<ReplyFilter> filters = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      filters.add(filter("k" + i));
    }

    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 40; i++) {
        assertThat(filters.get(i).map(reply).body().toString())
            .isEqualTo("{\"k" + i + "\":" + i + "}");
      }
    }
  }

  @Test
  void eachReplyIsTrimmedOnItsOwn() {
    ReplyFilter filter = filter("text");
    Reply first = withBody("{\"a\": 1, \"text\": \"first\"}");
    Reply second = withBody("{\"a\": 1, \"text\": \"second\"}");

    assertThat(filter.map(first).body().path("text").asText()).isEqualTo("first");
    assertThat(filter.map(second).body().path("text").asText()).isEqualTo("second");
    assertThat(filter.map(first).body().path("text").asText()).isEqualTo("first");
  }

  @Test
  void aRepeatedKeywordIsHarmless() {
    Reply reply = withBody("{\"text\": \"x\"}");

    assertThat(filter("text", "text").map(reply)).isSameAs(reply);
  }

  @Test
  void noKeywordIsRejectedWithAnExample() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter())
        .withMessage("give at least one keyword, e.g. keywords=dome_status,text");
  }

  @Test
  void aWildcardIsRejectedSayingKeywordsAreExact() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("text", "dome_*"))
        .withMessage(
            "'dome_*' is not a valid keyword: unexpected character '*' at position 6; keywords"
                + " are matched exactly, without wildcards");
  }

  @Test
  void anyOtherCharacterIsRejectedNamingIt() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> filter("dome status"))
        .withMessage(
            "'dome status' is not a valid keyword: unexpected character ' ' at position 5; use"
                + " letters, digits, '_', '.' and '-'");
  }

  @Test
  void anOptionIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> provider.create(TestContext.of("text").withOption("nested", "true")))
        .withMessageStartingWith("unknown option 'keywords.nested'");
  }
}
