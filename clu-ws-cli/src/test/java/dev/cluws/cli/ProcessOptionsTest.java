package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.cli.logging.LogFormat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --demo}, {@code --demo-actor-name} and {@code --log-format}, as the command reads them.
 */
class ProcessOptionsTest {
  private final StringWriter err = new StringWriter();

  /** The settings the command hands to the runner for these arguments and environment. */
  private ProcessSettings parsed(Map<String, String> environment, String... args) {
    AtomicReference<ProcessSettings> settings = new AtomicReference<>();
    CommandLine commandLine =
        new CommandLine(
            new CluWsCommand(
                environment,
                (g, a, s, w, x, p) -> {
                  settings.set(p);
                  return 0;
                }));
    ConfigDefaults.install(commandLine, environment, args);
    assertThat(commandLine.execute(args)).isZero();
    return settings.get();
  }

  @Test
  void byDefaultLogsAreTextAndNoDemoActorRuns() {
    ProcessSettings settings = parsed(Map.of());

    assertThat(settings.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(settings.demo().enabled()).isFalse();
  }

  @Test
  void demoRunsAnActorNamedDemoUnlessANameIsGiven() {
    assertThat(parsed(Map.of(), "--demo").demo())
        .isEqualTo(DemoSettings.actor(DemoSettings.DEFAULT_ACTOR_NAME));
    assertThat(parsed(Map.of(), "--demo", "--demo-actor-name", "enclosure-sim").demo().actorName())
        .isEqualTo("enclosure-sim");
  }

  @Test
  void theLogFormatComesFromTheOptionOrTheEnvironmentInAnyCase() {
    assertThat(parsed(Map.of(), "--log-format", "JSON").logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(parsed(Map.of("CLU_WS_LOG_FORMAT", "json")).logFormat()).isEqualTo(LogFormat.JSON);
    assertThat(parsed(Map.of("CLU_WS_LOG_FORMAT", "json"), "--log-format", "text").logFormat())
        .isEqualTo(LogFormat.TEXT);
  }

  @Test
  void anUnknownLogFormatIsAUsageErrorThatSaysWhatToWrite() {
    int status = Main.execute(new String[] {"--log-format", "xml"}, Map.of(), new PrintWriter(err));

    assertThat(status).isEqualTo(2);
    assertThat(err.toString()).contains("unknown log format 'xml': use text or json");
  }

  @Test
  void aDemoActorNameThatWouldChangeItsBindingIsOneClearLine() {
    int status =
        Main.execute(
            new String[] {"--demo", "--demo-actor-name", "dome.#"}, Map.of(), new PrintWriter(err));

    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString().lines().toList())
        .containsExactly(
            "clu-ws: --demo-actor-name: invalid demo actor name 'dome.#': use letters, digits, '-',"
                + " '_' or '.'");
  }
}
