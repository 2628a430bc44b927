package dev.cluws.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GlobTest {

  @Test
  void aNameWithoutStarMatchesOnlyItself() {
    assertThat(new Glob("lvmecp").matches("lvmecp")).isTrue();
    assertThat(new Glob("lvmecp").matches("lvmecp2")).isFalse();
    assertThat(new Glob("lvmecp").matches("LVMECP")).isFalse();
  }

  @Test
  void aStarMatchesAnyRunOfCharactersAlsoNone() {
    assertThat(new Glob("lvm*").matches("lvm")).isTrue();
    assertThat(new Glob("lvm*").matches("lvmecp")).isTrue();
    assertThat(new Glob("*ecp").matches("lvmecp")).isTrue();
    assertThat(new Glob("l*e*p").matches("lvmecp")).isTrue();
    assertThat(new Glob("l*e*p").matches("lvmecx")).isFalse();
    assertThat(new Glob("ab*ab").matches("ab")).isFalse();
    assertThat(new Glob("ab*ab").matches("abab")).isTrue();
    assertThat(new Glob("*").matches("")).isTrue();
  }

  @Test
  void onlyAStarAloneMatchesEverything() {
    assertThat(new Glob("*").matchesEverything()).isTrue();
    assertThat(new Glob("**").matchesEverything()).isTrue();
    assertThat(new Glob("a*").matchesEverything()).isFalse();
  }

  @Test
  void nullNeverMatches() {
    assertThat(new Glob("*").matches(null)).isFalse();
  }

  @Test
  void anEmptyPatternIsRejected() {
    assertThatThrownBy(() -> new Glob("")).isInstanceOf(IllegalArgumentException.class);
  }
}
