package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.cli.plugins.TunedFilterProvider;
import dev.cluws.core.PluginConfiguration.Kind;
import dev.cluws.core.spi.PluginSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugin settings on the command line, in the environment and in the config file, as {@code clu-ws}
 * reads and checks them before it starts anything (the plugin {@code tuned} is on the test class
 * path).
 */
class PluginOptionsTest {
  @TempDir Path folder;

  private final StringWriter err = new StringWriter();
  private final AtomicReference<ProcessSettings> ran = new AtomicReference<>();

  private int run(Map<String, String> environment, String... args) {
    return Main.execute(
        args,
        environment,
        new PrintWriter(err, true),
        (g, a, s, w, x, p) -> {
          ran.set(p);
          return 0;
        });
  }

  private PluginSettings tuned() {
    assertThat(ran.get()).as("the gateway was run").isNotNull();
    return ran.get()
        .plugins()
        .configuration()
        .settingsOf(
            Kind.FILTER, ran.get().plugins().installed().filters().find("tuned").orElseThrow());
  }

  @Test
  void withNoSettingsGivenEveryPluginHasItsDefaults() {
    assertThat(run(Map.of())).isZero();

    assertThat(tuned().getInt("max-texts")).isEqualTo(16);
    assertThat(tuned().getDuration("expiry")).isEqualTo(Duration.ofSeconds(30));
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFlagGivesAPluginSettingInEitherForm() {
    assertThat(
            run(
                Map.of(),
                "--filter.tuned.max-texts=4",
                "--filter.tuned.expiry",
                "2m",
                "--port",
                "0"))
        .isZero();

    assertThat(tuned().getInt("max-texts")).isEqualTo(4);
    assertThat(tuned().getDuration("expiry")).isEqualTo(Duration.ofMinutes(2));
    assertThat(tuned().isGiven("loud")).isFalse();
  }

  @Test
  void theEnvironmentGivesAPluginSettingWithDashesAsUnderscores() {
    assertThat(
            run(Map.of("CLU_WS_FILTER_TUNED_MAX_TEXTS", "7", "CLU_WS_FILTER_TUNED_LOUD", "true")))
        .isZero();

    assertThat(tuned().getInt("max-texts")).isEqualTo(7);
    assertThat(tuned().getBoolean("loud")).isTrue();
  }

  @Test
  void theConfigFileGivesAPluginSettingAndFlagsWinOverTheEnvironmentWhichWinsOverTheFile()
      throws IOException {
    Path config = folder.resolve("clu-ws.properties");
    Files.writeString(
        config,
        "port = 0\nfilter.tuned.max-texts = 5\nfilter.tuned.greeting = hello\nfilter.tuned.loud ="
            + " true\n",
        StandardCharsets.UTF_8);
    Map<String, String> environment = new HashMap<>();
    environment.put("CLU_WS_FILTER_TUNED_MAX_TEXTS", "6");
    environment.put("CLU_WS_FILTER_TUNED_LOUD", "false");

    assertThat(run(environment, "--config", config.toString(), "--filter.tuned.max-texts=8"))
        .isZero();

    assertThat(tuned().getInt("max-texts")).isEqualTo(8);
    assertThat(tuned().getBoolean("loud")).isFalse();
    assertThat(tuned().getString("greeting")).isEqualTo("hello");
  }

  @Test
  void anUnknownSettingIsOneLineAndExitStatus2() {
    assertThat(run(Map.of(), "--filter.tuned.colour=red")).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "clu-ws: --filter.tuned.colour: the filter 'tuned' has no setting 'colour' (its"
                + " settings: max-texts, expiry, loud, greeting)"
                + System.lineSeparator());
    assertThat(ran.get()).as("nothing was started").isNull();
  }

  @Test
  void aValueOfTheWrongTypeIsOneLineAndExitStatus2() {
    assertThat(run(Map.of("CLU_WS_FILTER_TUNED_EXPIRY", "soon"))).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "clu-ws: CLU_WS_FILTER_TUNED_EXPIRY: 'soon' is not a duration (e.g. 500ms, 30s, 2m, 1h"
                + " or PT1M30S)"
                + System.lineSeparator());
  }

  @Test
  void aSettingForAPluginThatIsNotInstalledIsOneLineAndExitStatus2() {
    assertThat(run(Map.of(), "--filter.match.max-texts", "4")).isEqualTo(2);

    assertThat(err.toString())
        .startsWith(
            "clu-ws: --filter.match.max-texts: there is no filter named 'match' (installed:")
        .contains("tuned")
        .endsWith(")" + System.lineSeparator());
  }

  @Test
  void anUnknownEnvironmentVariableOfAPluginIsOneLineAndExitStatus2() {
    assertThat(run(Map.of("CLU_WS_FILTER_TUNED_COLOUR", "red"))).isEqualTo(2);

    assertThat(err.toString())
        .startsWith("clu-ws: CLU_WS_FILTER_TUNED_COLOUR: no filter setting has this variable")
        .contains("CLU_WS_FILTER_TUNED_MAX_TEXTS");
  }

  @Test
  void anUnknownConfigFileKeyOfAPluginIsOneLineAndExitStatus2() throws IOException {
    Path config = folder.resolve("clu-ws.properties");
    Files.writeString(config, "source.amqp.prefetch = 10\n", StandardCharsets.UTF_8);

    assertThat(run(Map.of(), "--config", config.toString())).isEqualTo(2);

    assertThat(err.toString())
        .isEqualTo(
            "clu-ws: source.amqp.prefetch in "
                + config
                + ": the source 'amqp' has no setting 'prefetch' (it has no settings)"
                + System.lineSeparator());
  }

  @Test
  void aPluginFlagWithoutAKeyOrAValueIsOneLineAndExitStatus2() {
    assertThat(run(Map.of(), "--filter.tuned=4")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "clu-ws: --filter.tuned: a plugin setting is written --filter.<name>.<key>=<value> (see"
                + " --help-plugins)"
                + System.lineSeparator());

    err.getBuffer().setLength(0);
    assertThat(run(Map.of(), "--sink.amqp.x")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "clu-ws: --sink.amqp.x needs a value (--sink.amqp.x=<value>)" + System.lineSeparator());
  }

  @Test
  void helpPluginsListsEveryPluginWithItsSettingsAndExits() {
    StringWriter out = new StringWriter();
    picocli.CommandLine commandLine =
        new picocli.CommandLine(new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 1));
    commandLine.setOut(new PrintWriter(out, true));

    assertThat(commandLine.execute("--help-plugins")).isZero();

    assertThat(out.toString())
        .contains(
            "Filters (a client selects one with ?<name>=...):",
            "  explode  (no settings)",
            "  tuned\n",
            "    --filter.tuned.max-texts=<integer>\n"
                + "        The most texts a client may give. (default: 16; environment"
                + " CLU_WS_FILTER_TUNED_MAX_TEXTS)",
            "    --filter.tuned.expiry=<duration>\n"
                + "        How long a text is kept. (default: 30s; environment"
                + " CLU_WS_FILTER_TUNED_EXPIRY)",
            "    --filter.tuned.greeting=<text>",
            "(default: empty;",
            "Sources:\n  amqp  (no settings)",
            "Sinks:\n  amqp  (no settings)");
    assertThat(TunedFilterProvider.NAME).isEqualTo("tuned");
  }

  @Test
  void theHelpNamesHelpPluginsAndHowPluginSettingsAreGiven() {
    String usage =
        new picocli.CommandLine(new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 1))
            .getUsageMessage();

    assertThat(usage).contains("--help-plugins", "--filter.<name>.<key>=<value>");
  }
}
