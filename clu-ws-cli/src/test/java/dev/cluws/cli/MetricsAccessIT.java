package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.auth.StaticTokenAuthenticator;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code /metrics} names every actor and shows all traffic: with bearer tokens required, only an
 * operator's token or a dedicated metrics token reads it. The gateway is started through the {@code
 * clu-ws} options against the real RabbitMQ and asked over real HTTP.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsAccessIT {
  private static final String OPERATOR = "operator-" + UUID.randomUUID();
  private static final String ECP = "ecp-" + UUID.randomUUID();
  private static final String NO_ROLES = "noroles-" + UUID.randomUUID();
  private static final String MONITOR = "monitor-" + UUID.randomUUID();
  private static final String SCRAPER = "scraper-" + UUID.randomUUID();
  private static final String JWT_SECRET = "jwt-secret-" + UUID.randomUUID() + UUID.randomUUID();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void writeTheFiles() throws IOException {
    Files.writeString(
        dir.resolve("tokens"),
        OPERATOR
            + " alice operator\n"
            + ECP
            + " erin ecp\n"
            + NO_ROLES
            + " nora\n"
            + MONITOR
            + " prometheus monitoring\n");
    Files.writeString(
        dir.resolve("permissions.json"),
        "{\"roles\": {\n"
            + "  \"operator\": {\"commands\": [{\"name\": \"any\", \"consumers\": \"*\"}]},\n"
            + "  \"ecp\": {\"commands\": [{\"name\": \"ecp\", \"consumers\": [\"ecp-a\"]}],"
            + " \"replies\": [\"ecp-a\"]}\n"
            + "}}\n");
    Files.writeString(
        dir.resolve("metrics-tokens"),
        "# the scraper's token, as a hash\nsha256:"
            + StaticTokenAuthenticator.sha256(SCRAPER)
            + "\n");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  @Test
  void clientTokensLimitedToAnActorOrWithoutRolesGet403() throws Exception {
    WebsocketServer server = secured();

    assertThat(metrics(server, ECP).statusCode()).isEqualTo(403);
    assertThat(metrics(server, NO_ROLES).statusCode()).isEqualTo(403);
    assertThat(metrics(server, MONITOR).statusCode()).isEqualTo(403);
    HttpResponse<String> forbidden = metrics(server, ECP);
    assertThat(forbidden.body()).contains("operator").doesNotContain("cluws_").doesNotContain(ECP);
  }

  @Test
  void aJwtWithoutTheOperatorRoleGets403AndOneWithItReads() throws Exception {
    WebsocketServer server =
        start(
            Map.of(),
            "--jwt-secret",
            JWT_SECRET,
            "--permissions",
            dir.resolve("permissions.json").toString());

    assertThat(metrics(server, jwt("erin", List.of("ecp"))).statusCode()).isEqualTo(403);
    assertThat(metrics(server, jwt("nora", List.of())).statusCode()).isEqualTo(403);
    assertThat(metrics(server, jwt("alice", List.of("operator"))).statusCode()).isEqualTo(200);
  }

  @Test
  void anOperatorTokenReadsEveryMeter() throws Exception {
    WebsocketServer server = secured();

    HttpResponse<String> response = metrics(server, OPERATOR);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("cluws_clients_connected");
  }

  @Test
  void noTokenOrAnUnknownOneGets401() throws Exception {
    WebsocketServer server = secured();

    assertThat(metrics(server, null).statusCode()).isEqualTo(401);
    assertThat(metrics(server, "not-a-token").statusCode()).isEqualTo(401);
  }

  @Test
  void theMetricsRolesAreConfigurable() throws Exception {
    WebsocketServer server =
        start(
            Map.of(),
            "--token-file",
            dir.resolve("tokens").toString(),
            "--permissions",
            dir.resolve("permissions.json").toString(),
            "--metrics-roles",
            "monitoring");

    assertThat(metrics(server, MONITOR).statusCode()).isEqualTo(200);
    assertThat(metrics(server, OPERATOR).statusCode()).isEqualTo(403);
  }

  @Test
  void aMetricsTokenReadsMetricsButOpensNoWebsocket() throws Exception {
    WebsocketServer server =
        start(
            Map.of(),
            "--token-file",
            dir.resolve("tokens").toString(),
            "--permissions",
            dir.resolve("permissions.json").toString(),
            "--metrics-token-file",
            dir.resolve("metrics-tokens").toString());

    assertThat(metrics(server, SCRAPER).statusCode()).isEqualTo(200);
    assertThat(metrics(server, OPERATOR).statusCode()).isEqualTo(200);
    assertThat(RawHttp.upgrade(server.port(), "/", "Authorization: Bearer " + SCRAPER))
        .startsWith("HTTP/1.1 401");
  }

  @Test
  void withOnlyAMetricsTokenTheWebsocketsStayOpenAndMetricsNeedIt() throws Exception {
    WebsocketServer server =
        start(Map.of(), "--metrics-token-file", dir.resolve("metrics-tokens").toString());

    assertThat(metrics(server, null).statusCode()).isEqualTo(401);
    assertThat(metrics(server, "not-a-token").statusCode()).isEqualTo(401);
    assertThat(metrics(server, SCRAPER).statusCode()).isEqualTo(200);
    try (WsClient client = WsClient.connect(server.uri())) {
      assertThat(client.isClosed()).isFalse();
    }
  }

  @Test
  void metricsWithoutTokenStillOpensThemToAnyone() throws Exception {
    WebsocketServer server =
        start(
            Map.of(), "--token-file", dir.resolve("tokens").toString(), "--metrics-without-token");

    assertThat(metrics(server, null).statusCode()).isEqualTo(200);
    assertThat(metrics(server, ECP).statusCode()).isEqualTo(200);
  }

  private WebsocketServer secured() {
    return start(
        Map.of(),
        "--token-file",
        dir.resolve("tokens").toString(),
        "--permissions",
        dir.resolve("permissions.json").toString());
  }

  /** Starts the gateway as {@code clu-ws} would, with these options and environment. */
  private WebsocketServer start(Map<String, String> environment, String... options) {
    List<String> args =
        GatewayArgs.onTestBroker(
            0, TestBroker.uniqueName("metrics-ex"), TestBroker.uniqueName("metrics-gw"), options);
    AtomicReference<WebsocketServer> started = new AtomicReference<>();
    CluWsCommand command =
        new CluWsCommand(
            environment,
            (gateway, amqp, server, brokerWait, security, process) -> {
              started.set(
                  Main.injector(gateway, amqp, server, security)
                      .getInstance(WebsocketServer.class)
                      .start());
              return 0;
            });
    CommandLine commandLine = new CommandLine(command);
    String[] argv = args.toArray(new String[0]);
    ConfigDefaults.install(commandLine, environment, argv);
    assertThat(commandLine.execute(argv)).isZero();
    resources.add(started.get());
    return started.get();
  }

  private static HttpResponse<String> metrics(WebsocketServer server, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String jwt(String subject, List<String> roles) throws JOSEException {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(subject)
            .claim("roles", roles)
            .expirationTime(Date.from(Instant.now().plusSeconds(300)))
            .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    jwt.sign(new MACSigner(JWT_SECRET));
    return jwt.serialize();
  }
}
