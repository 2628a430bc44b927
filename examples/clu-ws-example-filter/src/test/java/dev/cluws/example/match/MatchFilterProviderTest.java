package dev.cluws.example.match;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.testkit.ReplyBuilder;
import dev.cluws.testkit.ReplyFilterProviderCompatibilityKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code match} provider keeps the contract of every filter provider (the inherited tests of
 * the compatibility kit) and delivers what its documentation says (the tests below).
 */
class MatchFilterProviderTest extends ReplyFilterProviderCompatibilityKit {
  @Override
  protected ReplyFilterProvider createProvider() {
    return new MatchFilterProvider();
  }

  @Override
  protected List<String> validParameters() {
    return List.of(
        "match=open",
        "match=OPEN,closed&match.keyword=text",
        "match=42&match.keyword=status_word,mode",
        "match=ünï");
  }

  @Override
  protected List<String> invalidParameters() {
    return List.of(
        "match",
        "match=",
        "match.keyword=text",
        "match=open&match.keyword=",
        "match=open&match.keyword=dome status",
        "match=open&match.colour=red",
        "match=" + "x".repeat(MatchFilterProvider.MAX_TEXT_LENGTH + 1),
        "match=" + "a,".repeat(MatchFilterProvider.MAX_TEXTS + 1));
  }

  @Override
  public List<Reply> sampleReplies() {
    List<Reply> replies = new ArrayList<>(super.sampleReplies());
    replies.add(status("{\"dome\": \"OPEN\", \"text\": \"ok\"}"));
    replies.add(status("{\"dome\": [\"closed\", {\"previous\": \"opening\"}]}"));
    replies.add(status("{\"open\": false}"));
    return replies;
  }

  private static Reply status(String body) {
    return ReplyBuilder.from("lvmecp").broadcast().body(body).build();
  }

  @Test
  void aReplyWithTheTextInAKeywordValueIsDeliveredUnchanged() {
    Reply reply = status("{\"dome\": \"open\"}");

    assertThat(deliver(filter("match=open"), reply)).isSameAs(reply);
  }

  @Test
  void aReplyWithoutTheTextIsNotDelivered() {
    assertThat(deliver(filter("match=open"), status("{\"dome\": \"closed\"}"))).isNull();
  }

  @Test
  void theTextMatchesInAnyCaseAndInsideLongerText() {
    ReplyFilter filter = filter("match=Open");

    assertThat(deliver(filter, status("{\"text\": \"the dome is OPENING\"}"))).isNotNull();
  }

  @Test
  void anyOfSeveralTextsIsEnough() {
    ReplyFilter filter = filter("match=open,closed");

    assertThat(deliver(filter, status("{\"dome\": \"closed\"}"))).isNotNull();
    assertThat(deliver(filter, status("{\"dome\": \"moving\"}"))).isNull();
  }

  @Test
  void numbersBooleansListsAndNestedObjectsAreSearched() {
    assertThat(deliver(filter("match=42"), status("{\"status_word\": 42}"))).isNotNull();
    assertThat(deliver(filter("match=true"), status("{\"ready\": true}"))).isNotNull();
    assertThat(deliver(filter("match=open"), status("{\"dome\": [\"closed\", \"open\"]}")))
        .isNotNull();
    assertThat(deliver(filter("match=open"), status("{\"dome\": {\"state\": \"open\"}}")))
        .isNotNull();
  }

  @Test
  void keywordNamesAreNotSearched() {
    assertThat(deliver(filter("match=open"), status("{\"open\": false}"))).isNull();
  }

  @Test
  void withTheKeywordOptionOnlyThatKeywordsValueCounts() {
    ReplyFilter filter = filter("match=open&match.keyword=dome");

    assertThat(deliver(filter, status("{\"dome\": \"open\"}"))).isNotNull();
    assertThat(deliver(filter, status("{\"dome\": \"closed\", \"text\": \"open\"}"))).isNull();
  }

  @Test
  void aReplyWhoseBodyIsNotAnObjectIsNotDelivered() {
    assertThat(deliver(filter("match=open"), status("[\"open\"]"))).isNull();
  }

  @Test
  void framesFromTheGatewayPassWithoutAskingTheFilter() {
    Reply brokerLost =
        ReplyBuilder.fromGateway("w", "{\"broker\": \"disconnected\", \"text\": \"lost\"}").build();

    assertThat(deliver(filter("match=open"), brokerLost)).isSameAs(brokerLost);
  }

  @Test
  void aReplyThatClaimsToComeFromTheGatewayMustMatchLikeAnyOther() {
    Reply claiming =
        ReplyBuilder.claimingGateway("w", "{\"broker\": \"disconnected\", \"text\": \"x\"}")
            .build();

    assertThat(deliver(filter("match=open"), claiming)).isNull();
  }

  @Test
  void aSnapshotFramePassesWhenOneOfItsKeywordsMatches() {
    ReplyFilter filter = filter("match=open&match.keyword=dome");

    assertThat(deliver(filter, ReplyBuilder.snapshot("lvmecp", "{\"dome\": \"open\"}").build()))
        .isNotNull();
    assertThat(deliver(filter, ReplyBuilder.snapshot("lvmecp", "{\"dome\": \"shut\"}").build()))
        .isNull();
  }

  @Test
  void anUnknownOptionIsRefusedWithTheOptionThereIs() {
    assertThatThrownBy(() -> filter("match=open&match.colour=red"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("match has no option 'colour' (its only option is match.keyword=<keyword>)");
  }

  @Test
  void theOperatorsMaxTextsSettingLimitsHowManyTextsAClientMayGive() {
    Map<String, String> two = Map.of(MatchFilterProvider.MAX_TEXTS_SETTING, "2");

    assertThat(filter("match=open,closed", two)).isNotNull();
    assertThatThrownBy(() -> filter("match=open,closed,moving", two))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("match takes at most 2 texts, not 3");
  }

  @Test
  void withoutTheSettingAClientMayGiveSixteenTexts() {
    assertThat(filter("match=" + "a,".repeat(MatchFilterProvider.MAX_TEXTS))).isNotNull();
    assertThat(createProvider().settings())
        .singleElement()
        .satisfies(
            setting -> {
              assertThat(setting.key()).isEqualTo("max-texts");
              assertThat(setting.defaultText()).isEqualTo("16");
              assertThat(setting.rangeText()).isEqualTo("1 to 1024");
            });
  }

  @Test
  void aMaxTextsSettingOutOfRangeIsRefusedAsTheGatewayRefusesToStart() {
    Map<String, String> zero = Map.of(MatchFilterProvider.MAX_TEXTS_SETTING, "0");

    assertThatThrownBy(() -> filter("match=open", zero))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the setting 'max-texts': '0' is out of range (1 to 1024)");
  }

  @Test
  void noTextIsRefusedWithAnExample() {
    assertThatThrownBy(() -> filter("match.keyword=dome"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("match needs the text to look for, e.g. match=open");
  }
}
