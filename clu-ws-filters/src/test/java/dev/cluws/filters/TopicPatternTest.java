package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopicPatternTest {

  private static boolean matches(String pattern, String key) {
    return TopicPattern.parse(pattern).matches(key);
  }

  @Test
  void aPatternWithoutWildcardMatchesOnlyThatKey() {
    assertThat(matches("reply.broadcast", "reply.broadcast")).isTrue();
    assertThat(matches("reply.broadcast", "reply.broadcast.x")).isFalse();
    assertThat(matches("reply.broadcast", "reply.Broadcast")).isFalse();
    assertThat(matches("reply", "reply.broadcast")).isFalse();
  }

  @Test
  void aStarMatchesExactlyOneWord() {
    assertThat(matches("reply.*", "reply.broadcast")).isTrue();
    assertThat(matches("reply.*", "reply")).isFalse();
    assertThat(matches("reply.*", "reply.gw.lvmecp")).isFalse();
    assertThat(matches("reply.*.lvmecp", "reply.gw.lvmecp")).isTrue();
    assertThat(matches("reply.*.lvmecp", "reply.gw.jaeger")).isFalse();
  }

  @Test
  void aHashMatchesZeroOrMoreWords() {
    assertThat(matches("reply.#", "reply")).isTrue();
    assertThat(matches("reply.#", "reply.broadcast")).isTrue();
    assertThat(matches("reply.#", "reply.gw.lvmecp")).isTrue();
    assertThat(matches("reply.#", "replies.x")).isFalse();
    assertThat(matches("#.lvmecp", "lvmecp")).isTrue();
    assertThat(matches("#.lvmecp", "reply.gw.lvmecp")).isTrue();
    assertThat(matches("#.lvmecp", "reply.gw.lvmecp.x")).isFalse();
  }

  @Test
  void aHashInTheMiddleMatchesAnyRunOfWords() {
    assertThat(matches("reply.#.lvmecp", "reply.lvmecp")).isTrue();
    assertThat(matches("reply.#.lvmecp", "reply.a.b.c.lvmecp")).isTrue();
    assertThat(matches("reply.#.lvmecp", "reply.a.b.c.jaeger")).isFalse();
  }

  @Test
  void aLoneHashMatchesEveryKeyEvenTheEmptyOne() {
    assertThat(matches("#", "reply.broadcast")).isTrue();
    assertThat(matches("#", "x")).isTrue();
    assertThat(matches("#", "")).isTrue();
  }

  @Test
  void theEmptyKeyHasNoWords() {
    assertThat(matches("*", "")).isFalse();
    assertThat(matches("#.#", "")).isTrue();
  }

  @Test
  void emptyWordsAreWordsToo() {
    assertThat(matches("a.*.b", "a..b")).isTrue();
    assertThat(matches("a.b", "a..b")).isFalse();
    assertThat(matches("a.*", "a.")).isTrue();
    assertThat(matches("*", "a.")).isFalse();
  }

  @Test
  void hashFollowedByStarNeedsAtLeastOneWord() {
    assertThat(matches("#.*", "")).isFalse();
    assertThat(matches("#.*", "a")).isTrue();
    assertThat(matches("#.*", "a.b.c")).isTrue();
    assertThat(matches("reply.#.*", "reply")).isFalse();
  }

  @Test
  void aDotIsASeparatorNotACharacterOfAWord() {
    assertThat(matches("reply.*", "reply.gw.x")).isFalse();
    assertThat(matches("reply.gw", "replyxgw")).isFalse();
  }

  @Test
  void noPatternMatchesAMissingKey() {
    assertThat(matches("#", null)).isFalse();
  }

  @Test
  void matchingAgreesWithASimpleRecursiveMatcherOnRandomPatternsAndKeys() {
    Random random = new Random(20261124);
    String[] patternWords = {"*", "#", "a", "b", ""};
    String[] keyWords = {"a", "b", "c", ""};
    for (int round = 0; round < 5_000; round++) {
      List<String> pattern = randomWords(random, patternWords, 1 + random.nextInt(5));
      List<String> key = randomWords(random, keyWords, random.nextInt(6));
      String patternText = String.join(".", pattern);
      String keyText = String.join(".", key);
      if (patternText.isEmpty()) {
        continue;
      }
      boolean expected = reference(words(patternText), 0, words(keyText), 0);
      assertThat(matches(patternText, keyText))
          .as("'%s' on '%s'", patternText, keyText)
          .isEqualTo(expected);
    }
  }

  @Test
  void aPathologicalPatternOnALongKeyFinishesQuickly() {
    String key = "a.".repeat(20_000) + "c";
    String pattern = "#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.a.#.b";

    boolean result = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> matches(pattern, key));

    assertThat(result).isFalse();
  }

  @Test
  void aWildcardInsideAWordIsRejectedExplainingWholeWordWildcards() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TopicPattern.parse("re*ly.broadcast"))
        .withMessage(
            "'re*ly.broadcast' is not a valid routing pattern: word 1, 're*ly', mixes a wildcard"
                + " with other characters; a wildcard is a whole word between dots: '*' for"
                + " exactly one word, '#' for zero or more (e.g. reply.* or reply.#)");
  }

  @Test
  void everyPartialWordWildcardIsRejectedNamingTheWord() {
    for (String bad : List.of("reply.#x", "reply.x*", "**", "##", "reply.*#", "a.b#c.d")) {
      assertThatIllegalArgumentException()
          .as(bad)
          .isThrownBy(() -> TopicPattern.parse(bad))
          .withMessageStartingWith("'" + bad + "' is not a valid routing pattern: word ");
    }
  }

  @Test
  void anEmptyPatternIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TopicPattern.parse(""))
        .withMessage("a routing pattern must not be empty");
  }

  @Test
  void aPatternLongerThanAmqpAllowsIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> TopicPattern.parse("reply." + "x".repeat(250)))
        .withMessage(
            "the routing pattern 'reply.xxxxxxxxxxxxxx...' is longer than 255 bytes, AMQP's limit"
                + " for a routing key");
  }

  @Test
  void aPatternOfExactly255BytesIsAccepted() {
    String pattern = "reply." + "x".repeat(249);

    assertThat(matches(pattern, pattern)).isTrue();
  }

  @Test
  void thePatternIsShownAsWritten() {
    assertThat(TopicPattern.parse("reply.#").toString()).isEqualTo("reply.#");
  }

  private static List<String> randomWords(Random random, String[] from, int count) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      words.add(from[random.nextInt(from.length)]);
    }
    return words;
  }

  /** RabbitMQ's split: no words for the empty key. */
  private static List<String> words(String key) {
    return key.isEmpty() ? List.of() : List.of(key.split("\\.", -1));
  }

  /** The definition of topic matching, by plain recursion (exponential, fine for tiny inputs). */
  private static boolean reference(List<String> pattern, int p, List<String> key, int k) {
    if (p == pattern.size()) {
      return k == key.size();
    }
    String word = pattern.get(p);
    if (word.equals("#")) {
      for (int skip = k; skip <= key.size(); skip++) {
        if (reference(pattern, p + 1, key, skip)) {
          return true;
        }
      }
      return false;
    }
    if (k == key.size()) {
      return false;
    }
    return (word.equals("*") || word.equals(key.get(k))) && reference(pattern, p + 1, key, k + 1);
  }
}
