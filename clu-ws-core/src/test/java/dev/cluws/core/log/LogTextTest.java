package dev.cluws.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogTextTest {
  @Test
  void plainTextIsLoggedAsItIs() {
    String text = "status --verbose é 日本 \uD83D\uDE00";

    assertThat(LogText.of(text)).isSameAs(text);
  }

  @Test
  void lineBreaksAndTabsCannotStartAnotherLogLine() {
    String forged =
        "x\n2026-12-07 00:00:00.000 INFO  [main] dev.cluws.audit - root consumer=shutdown\r\tend";

    assertThat(LogText.of(forged))
        .doesNotContain("\n", "\r", "\t")
        .isEqualTo(
            "x\\n2026-12-07 00:00:00.000 INFO  [main] dev.cluws.audit - root"
                + " consumer=shutdown\\r\\tend");
  }

  @Test
  void ansiEscapeSequencesShowAsTextInsteadOfColouringTheTerminal() {
    assertThat(LogText.of("\u001b[31mred\u001b[0m\u001b]0;title\u0007"))
        .isEqualTo("\\u001b[31mred\\u001b[0m\\u001b]0;title\\u0007");
  }

  @Test
  void everyOtherControlCharacterIsEscaped() {
    assertThat(LogText.of("\u0000\u0008\u000b\u000c\u001f\u007f\u0085\u009b"))
        .isEqualTo("\\u0000\\u0008\\u000b\\u000c\\u001f\\u007f\\u0085\\u009b");
  }

  @Test
  void unicodeLineSeparatorsAndBidiOverridesAreEscaped() {
    assertThat(LogText.of("a\u2028b\u2029c\u202eevil\u202c\u2066x\u2069\u200e\u061c\ufeff"))
        .isEqualTo("a\\u2028b\\u2029c\\u202eevil\\u202c\\u2066x\\u2069\\u200e\\u061c\\ufeff");
  }

  @Test
  void aBackslashIsDoubledSoThatEscapesAreUnambiguous() {
    assertThat(LogText.of("a\\nb")).isEqualTo("a\\\\nb");
  }

  @Test
  void loneSurrogatesAreEscapedAndPairsKept() {
    assertThat(LogText.of("a\uD83Db")).isEqualTo("a\\ud83db");
    assertThat(LogText.of("a\uDE00b")).isEqualTo("a\\ude00b");
    assertThat(LogText.of("\uDE00\uD83D")).isEqualTo("\\ude00\\ud83d");
    assertThat(LogText.of("\uD83D\uDE00")).isEqualTo("\uD83D\uDE00");
  }

  @Test
  void supplementaryFormatCharactersAreEscaped() {
    // U+E0041 TAG LATIN CAPITAL LETTER A, an invisible format character
    assertThat(LogText.of("a\uDB40\uDC41")).isEqualTo("a\\udb40\\udc41");
  }

  @Test
  void longTextIsCutAndKeepsItsLength() {
    String command = "a".repeat(1_048_576);

    assertThat(LogText.quoted(command))
        .isEqualTo("\"" + "a".repeat(LogText.MAX_CHARS) + "…\" (1048576 chars)");
    assertThat(LogText.of(command, 3)).isEqualTo("aaa… (1048576 chars)");
  }

  @Test
  void textOfExactlyTheLimitIsNotCut() {
    String text = "b".repeat(LogText.MAX_CHARS);

    assertThat(LogText.of(text)).isEqualTo(text);
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String text = "ab\uD83D\uDE00cd";

    assertThat(LogText.of(text, 3)).isEqualTo("ab… (6 chars)");
    assertThat(LogText.of(text, 4)).isEqualTo("ab\uD83D\uDE00… (6 chars)");
  }

  @Test
  void theLogOfAHugeHostileValueIsBounded() {
    String hostile = "\u001b\n".repeat(500_000);

    assertThat(LogText.quoted(hostile).length()).isLessThan(LogText.MAX_CHARS * 6 + 40);
  }

  @Test
  void quotedTextEscapesItsQuotes() {
    assertThat(LogText.quoted("say \"hi\"")).isEqualTo("\"say \\\"hi\\\"\"");
    assertThat(LogText.of("say \"hi\"")).isEqualTo("say \"hi\"");
  }

  @Test
  void aFieldValueIsBareOnlyWhenItIsOneWord() {
    assertThat(LogText.field("log-it-1")).isEqualTo("log-it-1");
    assertThat(LogText.field("8c2e2f3a-1b2c-4d5e-8f90-0123456789ab"))
        .isEqualTo("8c2e2f3a-1b2c-4d5e-8f90-0123456789ab");
    assertThat(LogText.field("[::1]:54321")).isEqualTo("[::1]:54321");
    assertThat(LogText.field("x outcome=forwarded")).isEqualTo("\"x outcome=forwarded\"");
    assertThat(LogText.field("")).isEqualTo("\"\"");
    assertThat(LogText.field(null)).isEqualTo("-");
    assertThat(LogText.field("x\ny")).isEqualTo("\"x\\ny\"");
  }

  @Test
  void nullIsWrittenAsNull() {
    assertThat(LogText.of(null)).isEqualTo("null");
    assertThat(LogText.quoted(null)).isEqualTo("null");
  }

  @Test
  void escapeKeepsAllOfTheText() {
    assertThat(LogText.escape("x".repeat(1000) + "\n")).isEqualTo("x".repeat(1000) + "\\n");
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> LogText.of("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
