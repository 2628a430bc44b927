package dev.cluws.filters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActorPatternsTest {

  private static boolean matches(String pattern, String name) {
    return ActorPatterns.parse(List.of(pattern)).matches(name);
  }

  @Test
  void aNameWithoutWildcardMatchesOnlyItself() {
    assertThat(matches("lvmecp", "lvmecp")).isTrue();
    assertThat(matches("lvmecp", "lvmecp2")).isFalse();
    assertThat(matches("lvmecp", "xlvmecp")).isFalse();
    assertThat(matches("lvm", "lvmecp")).isFalse();
  }

  @Test
  void matchingIsCaseSensitive() {
    assertThat(matches("lvmecp", "LVMECP")).isFalse();
    assertThat(matches("LVM*", "lvmecp")).isFalse();
  }

  @Test
  void aTrailingStarMatchesEveryNameWithThatPrefix() {
    assertThat(matches("lvm*", "lvmecp")).isTrue();
    assertThat(matches("lvm*", "lvm")).isTrue();
    assertThat(matches("lvm*", "lv")).isFalse();
    assertThat(matches("lvm*", "jaeger")).isFalse();
  }

  @Test
  void aLeadingStarMatchesEveryNameWithThatSuffix() {
    assertThat(matches("*ecp", "lvmecp")).isTrue();
    assertThat(matches("*ecp", "ecp")).isTrue();
    assertThat(matches("*ecp", "lvmecp.sim")).isFalse();
  }

  @Test
  void aStarInTheMiddleMatchesAnyRunBetweenPrefixAndSuffix() {
    assertThat(matches("lvm.*.agcam", "lvm.sci.agcam")).isTrue();
    assertThat(matches("lvm.*.agcam", "lvm..agcam")).isTrue();
    assertThat(matches("lvm.*.agcam", "lvm.agcam")).isFalse();
  }

  @Test
  void prefixAndSuffixMustNotOverlap() {
    assertThat(matches("ab*ba", "aba")).isFalse();
    assertThat(matches("ab*ba", "abba")).isTrue();
  }

  @Test
  void severalStarsMatchPiecesInOrder() {
    assertThat(matches("*a*b*c*", "xxaxxbxxcxx")).isTrue();
    assertThat(matches("*a*b*c*", "xxcxxbxxaxx")).isFalse();
    assertThat(matches("a*b*a", "abbba")).isTrue();
    assertThat(matches("a*ba*a", "abaa")).isTrue();
    assertThat(matches("a*ba*a", "aba")).isFalse();
  }

  @Test
  void consecutiveStarsActAsOne() {
    assertThat(matches("lvm**ecp", "lvmecp")).isTrue();
    assertThat(matches("lvm**ecp", "lvm-x-ecp")).isTrue();
  }

  @Test
  void aLoneStarMatchesEveryName() {
    assertThat(matches("*", "lvmecp")).isTrue();
    assertThat(matches("*", "")).isTrue();
  }

  @Test
  void aDotIsAPlainCharacterNotARegexWildcard() {
    assertThat(matches("lvm.ecp", "lvm.ecp")).isTrue();
    assertThat(matches("lvm.ecp", "lvmxecp")).isFalse();
    assertThat(matches("lvm.*", "lvmxecp")).isFalse();
  }

  @Test
  void aNameMatchesWhenAnyPatternMatches() {
    ActorPatterns patterns = ActorPatterns.parse(List.of("jaeger", "lvm*", "*.sim"));

    assertThat(patterns.matches("jaeger")).isTrue();
    assertThat(patterns.matches("lvmnps")).isTrue();
    assertThat(patterns.matches("archon.sim")).isTrue();
    assertThat(patterns.matches("archon")).isFalse();
  }

  @Test
  void noPatternMatchesAMissingName() {
    assertThat(ActorPatterns.parse(List.of("*")).matches(null)).isFalse();
  }

  @Test
  void everyAllowedCharacterIsAccepted() {
    String all = "ABCXYZabcxyz0189_.-*";

    assertThat(matches(all, "ABCXYZabcxyz0189_.-anything")).isTrue();
  }

  @Test
  void noPatternsAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActorPatterns.parse(List.of()))
        .withMessage("give at least one actor name or pattern, e.g. actors=lvmecp,lvm*");
  }

  @Test
  void anEmptyPatternIsRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActorPatterns.parse(List.of("lvmecp", "")))
        .withMessage("an actor name or pattern must not be empty");
  }

  @Test
  void aPatternWithARoutingWildcardIsRejectedNamingTheCharacter() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActorPatterns.parse(List.of("lvm#")))
        .withMessage(
            "'lvm#' is not a valid actor name or pattern: unexpected character '#' at position 4;"
                + " use letters, digits, '_', '.', '-' and the wildcard '*'");
  }

  @Test
  void patternsWithRegexOrSpaceCharactersAreRejected() {
    for (String bad : List.of("lvm?", "lvm ecp", "(lvm)+", "lvm[a-z]", "lvm/ecp", "lvm,", "é")) {
      assertThatIllegalArgumentException()
          .as(bad)
          .isThrownBy(() -> ActorPatterns.parse(List.of(bad)))
          .withMessageStartingWith("'" + bad + "' is not a valid actor name or pattern");
    }
  }

  @Test
  void aNonBmpCharacterIsNamedWhole() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> ActorPatterns.parse(List.of("lvm\uD83D\uDE00")))
        .withMessageContaining("unexpected character '\uD83D\uDE00' at position 4");
  }

  @Test
  void aPathologicalPatternOnALongNameFinishesQuickly() {
    char[] as = new char[100_000];
    Arrays.fill(as, 'a');
    String name = new String(as);
    String pattern = "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b";

    boolean result = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> matches(pattern, name));

    assertThat(result).isFalse();
  }

  @Test
  void aPathologicalMiddlePieceOnALongNameFinishesQuickly() {
    char[] as = new char[100_000];
    Arrays.fill(as, 'a');
    String name = new String(as) + "c";
    String pattern = "*" + "a".repeat(50) + "b*" + "a".repeat(50) + "*c";

    boolean result = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> matches(pattern, name));

    assertThat(result).isFalse();
  }

  @Test
  void patternsAreShownAsTheClientWroteThem() {
    assertThat(ActorPatterns.parse(List.of("lvm*", "jaeger", "lvm*")).toString())
        .isEqualTo("lvm*,jaeger");
  }
}
