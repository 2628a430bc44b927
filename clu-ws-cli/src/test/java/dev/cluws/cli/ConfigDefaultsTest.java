package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Flags &gt; environment &gt; config file &gt; defaults, for every option, and secrets kept out of
 * help.
 */
class ConfigDefaultsTest {
  @TempDir Path dir;

  private CluWsCommand parse(Map<String, String> environment, String... args) {
    CluWsCommand command = new CluWsCommand(environment, (g, a, s, w, x, p) -> 0);
    CommandLine commandLine = new CommandLine(command);
    ConfigDefaults.install(commandLine, environment, args);
    commandLine.parseArgs(args);
    return command;
  }

  private Path config(String text) throws IOException {
    return Files.writeString(dir.resolve("clu-ws.properties"), text);
  }

  @Test
  void flagsWinOverTheEnvironmentWhichWinsOverTheConfigFile() throws IOException {
    Path config = config("port = 7000\nrabbitmq-host = from-file\nexchange = file_exchange\n");
    Map<String, String> environment =
        Map.of("CLU_WS_RABBITMQ_HOST", "from-env", "CLU_WS_EXCHANGE", "env_exchange");

    CluWsCommand command =
        parse(environment, "--config", config.toString(), "--exchange", "flag_exchange");

    assertThat(command.serverSettings().port()).isEqualTo(7000);
    assertThat(command.amqpSettings().host()).isEqualTo("from-env");
    assertThat(command.amqpSettings().exchange()).isEqualTo("flag_exchange");
  }

  @Test
  void theConfigFileMayBeNamedInTheEnvironmentAndCoversOptionsOfEveryKind() throws IOException {
    Path config =
        config(
            "rabbitmq-tls = true\nallowed-origins = https://a.example, https://b.example\n"
                + "max-connections = 12\nwait-for-broker = 30s\n");

    CluWsCommand command = parse(Map.of("CLU_WS_CONFIG", config.toString()));

    assertThat(command.amqpSettings().tls().enabled()).isTrue();
    assertThat(command.security.allowedOrigins)
        .containsExactly("https://a.example", "https://b.example");
    assertThat(command.gatewaySettings().maxConnections()).isEqualTo(12);
  }

  @Test
  void relativePathsInTheConfigFileAreResolvedAgainstItsFolder() throws IOException {
    Path config = config("permissions = rules/permissions.json\n");

    CluWsCommand command = parse(Map.of(), "--config", config.toString());

    assertThat(command.security.permissions).isEqualTo(dir.resolve("rules/permissions.json"));
  }

  @Test
  void aJwksFileInTheConfigFileIsResolvedAgainstItsFolderAndAJwksUrlIsKeptAsItIs()
      throws IOException {
    CluWsCommand file =
        parse(Map.of(), "--config", config("jwt-jwks = keys/jwks.json\n").toString());
    CluWsCommand url =
        parse(
            Map.of(),
            "--config",
            config("jwt-jwks = https://sso.example.org/realms/lco/certs\n").toString());

    assertThat(file.security.jwtJwks.file()).isEqualTo(dir.resolve("keys/jwks.json"));
    assertThat(file.security.jwtJwks.url()).isNull();
    assertThat(url.security.jwtJwks.url()).hasToString("https://sso.example.org/realms/lco/certs");
  }

  @Test
  void aSecretComesFromAFileNamedInTheEnvironmentOrTheConfigFile() throws IOException {
    Path secret = Files.writeString(dir.resolve("password"), "s3cret-from-file\n");
    CluWsCommand fromEnvironment =
        parse(Map.of("CLU_WS_RABBITMQ_PASSWORD_FILE", secret.toString()));
    Path config = config("rabbitmq-password-file = password\n");
    CluWsCommand fromConfig = parse(Map.of(), "--config", config.toString());

    assertThat(fromEnvironment.amqpSettings().password()).isEqualTo("s3cret-from-file");
    assertThat(fromConfig.amqpSettings().password()).isEqualTo("s3cret-from-file");
  }

  @Test
  void anUnknownKeyInTheConfigFileIsAnErrorNamingIt() throws IOException {
    Path config = config("prot = 9000\nsecret-thing = value\n");

    assertThatThrownBy(() -> parse(Map.of(), "--config", config.toString()))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("unknown option(s) prot, secret-thing")
        .hasMessageNotContaining("value");
  }

  @Test
  void aMissingConfigOrSecretFileIsAnError() {
    assertThatThrownBy(() -> parse(Map.of(), "--config", dir.resolve("none").toString()))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(
            () -> parse(Map.of("CLU_WS_JWT_SECRET_FILE", dir.resolve("none").toString())))
        .hasMessageContaining("named by $CLU_WS_JWT_SECRET_FILE does not exist");
  }

  @Test
  void secretsFromTheEnvironmentNeverAppearInTheHelp() {
    Map<String, String> environment =
        Map.of(
            "CLU_WS_RABBITMQ_PASSWORD", "env-rabbit-pw",
            "CLU_WS_JWT_SECRET", "env-jwt-secret-0123456789-0123456789",
            "CLU_WS_TLS_KEYSTORE_PASSWORD", "env-keystore-pw",
            "CLU_WS_RABBITMQ_TRUSTSTORE_PASSWORD", "env-truststore-pw",
            "CLU_WS_RABBITMQ_URL", "amqp://u:env-url-pw@h/");
    CommandLine commandLine =
        new CommandLine(new CluWsCommand(environment, (g, a, s, w, x, p) -> 0));
    ConfigDefaults.install(commandLine, environment, new String[0]);

    String usage = commandLine.getUsageMessage();

    assertThat(usage)
        .doesNotContain("env-rabbit-pw", "env-jwt-secret", "env-keystore-pw", "env-truststore-pw")
        .doesNotContain("env-url-pw");
  }

  @Test
  void aBadSecurityFileIsOneLineAndExitStatusOneBeforeAnythingStarts() {
    java.io.StringWriter err = new java.io.StringWriter();

    int status =
        Main.execute(
            new String[] {"--host", "127.0.0.1", "--token-file", dir.resolve("none").toString()},
            Map.of("CLU_WS_JWT_SECRET", "short"),
            new java.io.PrintWriter(err, true));

    assertThat(status).isEqualTo(Main.CANNOT_START);
    assertThat(err.toString().lines().toList())
        .containsExactly("clu-ws: token file " + dir.resolve("none") + " does not exist");
  }

  @Test
  void theEnvironmentNameOfAnOptionIsItsLongNameInUpperSnakeCase() {
    assertThat(ConfigDefaults.environmentName("rabbitmq-truststore-password"))
        .isEqualTo("CLU_WS_RABBITMQ_TRUSTSTORE_PASSWORD");
  }
}
