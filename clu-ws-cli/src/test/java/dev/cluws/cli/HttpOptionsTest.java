package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.AdminPort;
import dev.cluws.jetty.HttpEndpoints;
import dev.cluws.jetty.ServerSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HttpOptionsTest {
  private static HttpEndpoints parse(Map<String, String> environment, String... args) {
    return settings(environment, args).http();
  }

  private static ServerSettings settings(Map<String, String> environment, String... args) {
    CluWsCommand command = new CluWsCommand(environment, (g, a, s, w, x, p) -> 0);
    CommandLine commandLine = new CommandLine(command);
    ConfigDefaults.install(commandLine, environment, args);
    commandLine.parseArgs(args);
    return command.serverSettings();
  }

  @Test
  void byDefaultThereIsNoOperationsPortAndNoTrustInProxyHeaders() {
    ServerSettings settings = settings(Map.of());
    assertThat(settings.admin()).isNull();
    assertThat(settings.forwarded()).isFalse();
  }

  @Test
  void permessageDeflateIsOffUnlessAskedFor() {
    assertThat(settings(Map.of()).permessageDeflate()).isFalse();
    assertThat(settings(Map.of(), "--permessage-deflate").permessageDeflate()).isTrue();
  }

  @Test
  void theOperationsPortListensOnLoopbackUnlessToldOtherwise() {
    assertThat(settings(Map.of(), "--admin-port", "9877").admin())
        .isEqualTo(new AdminPort("127.0.0.1", 9877, true));
    assertThat(
            settings(
                    Map.of(),
                    "--admin-port",
                    "9877",
                    "--admin-host",
                    "10.0.0.5",
                    "--no-public-admin")
                .admin())
        .isEqualTo(new AdminPort("10.0.0.5", 9877, false));
    assertThat(settings(Map.of("CLU_WS_ADMIN_PORT", "9000"), "--forwarded"))
        .satisfies(s -> assertThat(s.admin().port()).isEqualTo(9000))
        .satisfies(s -> assertThat(s.forwarded()).isTrue());
  }

  @Test
  void operationsOptionsWithoutAnOperationsPortAreRefusedWithAClearMessage() {
    assertThatThrownBy(() -> settings(Map.of(), "--no-public-admin"))
        .isInstanceOf(CluWsException.class)
        .hasMessage("--no-public-admin needs --admin-port");
    assertThatThrownBy(() -> settings(Map.of(), "--admin-host", "127.0.0.2"))
        .isInstanceOf(CluWsException.class)
        .hasMessage("--admin-host needs --admin-port");
    assertThatThrownBy(() -> settings(Map.of(), "--admin-port", "70000"))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("between 0 and 65535");
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
