package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code clu-ws --help} reads well: one section per topic, nothing broken by the wrapping. */
class HelpTest {
  private static final Pattern URL = Pattern.compile("[a-z]+://[^\\s;)]+");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]+`");

  private static CommandLine commandLine() {
    return new CommandLine(new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0));
  }

  private static String help(int width) {
    CommandLine commandLine = commandLine();
    commandLine.setUsageHelpAutoWidth(false);
    commandLine.setUsageHelpWidth(width);
    return commandLine.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  @Test
  void theHelpHasOneSectionPerTopicInOrder() {
    List<String> lines = help(100).lines().toList();

    assertThat(lines)
        .containsSubsequence(
            "Usage: clu-ws [OPTION]...",
            "Broker:",
            "Web:",
            "Limits:",
            "Security:",
            "Operations:",
            "Demo:");
  }

  @Test
  void everyOptionIsInATopicSection() {
    List<String> loose = new ArrayList<>();
    for (OptionSpec option : commandLine().getCommandSpec().options()) {
      if (option.group() == null) {
        loose.add(option.longestName());
      }
    }

    assertThat(loose).as("options outside every section of the help").isEmpty();
  }

  @Test
  void eachOptionSitsUnderItsTopic() {
    String help = help(100);

    assertThat(help.indexOf("--rabbitmq-host"))
        .isBetween(help.indexOf("Broker:"), help.indexOf("Web:"));
    assertThat(help.indexOf("--port=")).isBetween(help.indexOf("Web:"), help.indexOf("Limits:"));
    assertThat(help.indexOf("--command-rate"))
        .isBetween(help.indexOf("Limits:"), help.indexOf("Security:"));
    assertThat(help.indexOf("--token-file="))
        .isBetween(help.indexOf("Security:"), help.indexOf("Operations:"));
    assertThat(help.indexOf("--log-format"))
        .isBetween(help.indexOf("Operations:"), help.indexOf("Demo:"));
    assertThat(help.indexOf("--demo-actor-name")).isGreaterThan(help.indexOf("Demo:"));
  }

  @Test
  void numbersAreShownAsTheReadmeShowsThem() {
    String help = help(200);

    assertThat(help).contains("(default: 50).").doesNotContain("50.0");
  }

  @ParameterizedTest(name = "at {0} columns")
  @ValueSource(ints = {80, 100, 120, 160})
  void noUrlOrCodeSpanIsBrokenAcrossLinesAndNoLineIsTooWide(int width) {
    String help = help(width);

    List<String> whole = new ArrayList<>();
    for (OptionSpec option : commandLine().getCommandSpec().options()) {
      String description = String.join(" ", option.description());
      collect(URL, description, whole);
      collect(CODE_SPAN, description, whole);
    }
    for (String text : commandLine().getCommandSpec().usageMessage().description()) {
      collect(URL, text, whole);
      collect(CODE_SPAN, text, whole);
    }
    assertThat(whole).as("the URLs and code spans of the help").isNotEmpty();
    assertThat(help).contains(whole);
    assertThat(help.lines())
        .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(width));
    assertThat(help.lines())
        .allSatisfy(line -> assertThat(line.chars().filter(c -> c == '`').count() % 2).isZero());
  }

  private static void collect(Pattern pattern, String text, List<String> into) {
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      into.add(matcher.group());
    }
  }
}
