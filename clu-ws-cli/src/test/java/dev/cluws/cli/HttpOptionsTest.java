package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cluws.jetty.HttpEndpoints;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HttpOptionsTest {
  private static HttpEndpoints parse(Map<String, String> environment, String... args) {
    CluWsCommand command = new CluWsCommand(environment, (g, a, s, w, x, p) -> 0);
    CommandLine commandLine = new CommandLine(command);
    ConfigDefaults.install(commandLine, environment, args);
    commandLine.parseArgs(args);
    return command.serverSettings().http();
  }

  @Test
  void withoutOptionsEveryEndpointIsServedAndMetricsFollowTheTokens() {
    assertThat(parse(Map.of())).isEqualTo(HttpEndpoints.all());
  }

  @Test
  void eachEndpointCanBeTurnedOff() {
    assertThat(parse(Map.of(), "--no-health")).isEqualTo(HttpEndpoints.all().withHealth(false));
    assertThat(parse(Map.of(), "--no-metrics")).isEqualTo(HttpEndpoints.all().withMetrics(false));
    assertThat(parse(Map.of(), "--no-console")).isEqualTo(HttpEndpoints.all().withConsole(false));
    assertThat(parse(Map.of(), "--metrics-without-token"))
        .isEqualTo(HttpEndpoints.all().withMetricsNeedToken(false));
  }

  @Test
  void theEnvironmentCanTurnThemOffToo() {
    assertThat(parse(Map.of("CLU_WS_NO_METRICS", "true", "CLU_WS_NO_CONSOLE", "true")))
        .isEqualTo(HttpEndpoints.all().withMetrics(false).withConsole(false));
  }
}
