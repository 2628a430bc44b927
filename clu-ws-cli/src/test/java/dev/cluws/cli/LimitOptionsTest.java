package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.GatewaySettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class LimitOptionsTest {
  private static CluWsCommand parse(String... args) {
    CluWsCommand command = new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0);
    new CommandLine(command).parseArgs(args);
    return command;
  }

  @Test
  void withoutOptionsTheGatewayHasItsDefaultBounds() {
    GatewaySettings settings = parse().gatewaySettings();

    assertThat(settings.maxConnections()).isEqualTo(GatewaySettings.DEFAULT_MAX_CONNECTIONS);
    assertThat(settings.outboxMaxFrames()).isEqualTo(GatewaySettings.DEFAULT_OUTBOX_FRAMES);
    assertThat(settings.slowClientTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(settings.commandsPerSecond()).isEqualTo(GatewaySettings.DEFAULT_COMMANDS_PER_SECOND);
  }

  @Test
  void limitOptionsBecomeTheGatewaysBounds() {
    GatewaySettings settings =
        parse(
                "--max-connections",
                "10",
                "--outbox-frames",
                "64",
                "--outbox-bytes",
                "65536",
                "--slow-client-timeout",
                "2s",
                "--replay-frames",
                "0",
                "--command-rate",
                "2.5",
                "--command-burst",
                "5",
                "--state-actors",
                "20",
                "--state-keywords",
                "30",
                "--state-bytes",
                "4096",
                "--name",
                "gw")
            .gatewaySettings();

    assertThat(settings.name()).isEqualTo("gw");
    assertThat(settings.maxConnections()).isEqualTo(10);
    assertThat(settings.outboxMaxFrames()).isEqualTo(64);
    assertThat(settings.outboxMaxBytes()).isEqualTo(65536);
    assertThat(settings.slowClientTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.replayFrames()).isZero();
    assertThat(settings.commandsPerSecond()).isEqualTo(2.5);
    assertThat(settings.commandBurst()).isEqualTo(5);
    assertThat(settings.stateActors()).isEqualTo(20);
    assertThat(settings.stateKeywords()).isEqualTo(30);
    assertThat(settings.stateBytes()).isEqualTo(4096);
  }

  @Test
  void anInvalidBoundIsRefusedWithItsReason() {
    assertThatThrownBy(() -> parse("--max-connections", "0").gatewaySettings())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnections must be positive");
  }

  @Test
  void durationsAcceptShortAndIsoForms() {
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    assertThatThrownBy(() -> DurationConverter.parse("soon"))
        .hasMessage("invalid duration 'soon': use e.g. 30s, 2m, 1h or PT1M30S");
  }
}
