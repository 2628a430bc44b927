package dev.cluws.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.cluws.amqp.testing.TestCertificates;
import dev.cluws.amqp.testing.TestCertificates.TestCertificate;
import dev.cluws.core.command.CommandGate;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.auth.StaticTokenAuthenticator;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.ReplyObserver;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The security rules end to end: the gateway is configured through the {@code clu-ws} options
 * (token file, JWT secret from a file named in the environment, permissions, origins, TLS), runs
 * against the real RabbitMQ on 127.0.0.1, and is reached by real websocket clients (the JDK's) on
 * the loopback address. Every log event of the run is captured, and the last test checks that no
 * secret of the run appears in any of them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
  private static final String JWT_SECRET = "jwt-secret-" + UUID.randomUUID();
  private static final String OPERATOR_TOKEN = "operator-token-" + UUID.randomUUID();
  private static final String VIEWER_TOKEN = "viewer-token-" + UUID.randomUUID();
  private static final String ECP_TOKEN = "ecp-token-" + UUID.randomUUID();
  private static final String KEYSTORE_PASSWORD = "keystore-pw-" + UUID.randomUUID();
  private static final String AUDIENCE = "clu-ws-test";
  private static final String ISSUER = "https://issuer.test";

  /** Every value that must never appear in a log line. */
  private static final List<String> secrets = new ArrayList<>();

  private static final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private static Level previousLevel;

  @TempDir static Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();
  private String exchange;

  @BeforeAll
  static void captureEveryLogEventAndWriteTheFiles() throws IOException {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger cluws = (Logger) LoggerFactory.getLogger("dev.cluws");
    previousLevel = cluws.getLevel();
    cluws.setLevel(Level.DEBUG); // the debug lines too must hold no secret...
    ThresholdFilter console = new ThresholdFilter(); // ...but the console, errors only
    console.setLevel(Level.ERROR.levelStr);
    console.start();
    root.iteratorForAppenders().forEachRemaining(appender -> appender.addFilter(console));
    logs.start();
    root.addAppender(logs);

    Files.writeString(dir.resolve("jwt-secret"), JWT_SECRET + "\n");
    Files.writeString(
        dir.resolve("tokens"),
        "# test tokens\n"
            + OPERATOR_TOKEN
            + " alice operator\n"
            + "sha256:"
            + StaticTokenAuthenticator.sha256(VIEWER_TOKEN)
            + " victor viewer\n"
            + ECP_TOKEN
            + " erin ecp\n");
    Files.writeString(
        dir.resolve("permissions.json"),
        "{\"roles\": {\n"
            + "  \"viewer\": {\"read_only\": true},\n"
            + "  \"operator\": {\"commands\": [{\"name\": \"any\", \"consumers\": \"*\"}]},\n"
            + "  \"ecp\": {\"commands\": [{\"name\": \"ecp-status\", \"consumers\": [\"ecp-*\"],"
            + " \"verbs\": [\"status\", \"ping\"]}], \"replies\": [\"ecp-*\"]}\n"
            + "}}\n");
    secrets.addAll(List.of(JWT_SECRET, OPERATOR_TOKEN, VIEWER_TOKEN, ECP_TOKEN, KEYSTORE_PASSWORD));
  }

  @AfterAll
  static void stopCapturing() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    root.iteratorForAppenders().forEachRemaining(appender -> appender.clearAllFilters());
    ((Logger) LoggerFactory.getLogger("dev.cluws")).setLevel(previousLevel);
  }

  @AfterEach
  void close() {
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        // closing anyway
      }
    }
  }

  // ---------------------------------------------------------------- the gateway and its clients

  /** Starts the gateway as `clu-ws` would, with these options and environment. */
  private WebsocketServer start(Map<String, String> environment, String... options) {
    exchange = TestBroker.uniqueName("test-ex");
    List<String> args = GatewayArgs.onTestBroker(0, exchange, TestBroker.uniqueName("gw"), options);
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

  /** A gateway with the token file, JWTs (secret from a file) and the permissions. */
  private WebsocketServer secured() {
    return start(
        Map.of("CLU_WS_JWT_SECRET_FILE", dir.resolve("jwt-secret").toString()),
        "--token-file",
        dir.resolve("tokens").toString(),
        "--jwt-issuer",
        ISSUER,
        "--jwt-audience",
        AUDIENCE,
        "--permissions",
        dir.resolve("permissions.json").toString());
  }

  private CluTestActor actor(String prefix) {
    CluTestActor actor = CluTestActor.start(exchange, TestBroker.uniqueName(prefix));
    resources.add(actor);
    return actor;
  }

  private WsClient client(URI uri, UnaryOperator<java.net.http.WebSocket.Builder> customize) {
    WsClient client = WsClient.connect(uri, HttpClient.newHttpClient(), customize);
    resources.add(client);
    return client;
  }

  private WsClient bearer(WebsocketServer server, String token) {
    return client(server.uri(), b -> b.header("Authorization", "Bearer " + token));
  }

  private static String jwt(JWTClaimsSet claims, String secret) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    String token = jwt.serialize();
    secrets.add(token);
    return token;
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("jay")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().plusSeconds(600)))
        .claim("roles", List.of("operator"));
  }

  private static String command(String consumer, String commandString, String id) {
    return "{\"consumer\": \""
        + consumer
        + "\", \"command_string\": \""
        + commandString
        + "\", \"command_id\": \""
        + id
        + "\"}";
  }

  /** The status and body of a raw websocket upgrade request (to read the refusal's reason). */
  private record Upgrade(int status, String body) {}

  private static Upgrade upgrade(WebsocketServer server, String pathAndQuery, String... headers)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      StringBuilder request =
          new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\n")
              .append("Host: 127.0.0.1:")
              .append(server.port())
              .append("\r\n")
              .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
              .append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
              .append("Sec-WebSocket-Version: 13\r\n");
      for (String header : headers) {
        request.append(header).append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      out.write(request.append("\r\n").toString().getBytes(UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(UTF_8).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        head.write(b);
      }
      String text = head.toString(UTF_8);
      int status = Integer.parseInt(text.substring(9, 12));
      int length = 0;
      for (String line : text.split("\r\n")) {
        if (line.toLowerCase().startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      return new Upgrade(status, new String(in.readNBytes(length), UTF_8).strip());
    }
  }

  /** The HTTP status with which the JDK websocket client's upgrade was refused. */
  private static int refusedStatus(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof WebSocketHandshakeException) {
        return ((WebSocketHandshakeException) t).getResponse().statusCode();
      }
    }
    throw new AssertionError("not a refused upgrade", failure);
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void anUpgradeWithoutTokenIsRefusedWith401AndAReason() throws IOException {
    WebsocketServer server = secured();

    assertThatThrownBy(() -> client(server.uri(), b -> b))
        .satisfies(e -> assertThat(refusedStatus(e)).isEqualTo(401));
    Upgrade refused = upgrade(server, "/");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).startsWith("authentication required: send a bearer token");
  }

  @Test
  void aStaticTokenInTheAuthorizationHeaderAuthenticates() {
    WebsocketServer server = secured();
    CluTestActor actor = actor("ecp");

    WsClient alice = bearer(server, OPERATOR_TOKEN);
    alice.send(command(actor.name(), "ping", "auth-header"));

    assertThat(alice.awaitFinished("auth-header"))
        .last()
        .satisfies(f -> assertThat(f.at("/headers/message_code").asText()).isEqualTo(":"));
  }

  @Test
  void aTokenInTheQueryParameterAuthenticates() {
    WebsocketServer server = secured();
    CluTestActor actor = actor("ecp");

    WsClient alice = client(server.uri().resolve("/?token=" + OPERATOR_TOKEN), b -> b);
    alice.send(command(actor.name(), "ping", "auth-query"));

    assertThat(alice.awaitFinished("auth-query")).isNotEmpty();
  }

  @Test
  void aTokenInTheWebsocketSubprotocolAuthenticatesAndCluWsIsAccepted() {
    WebsocketServer server = secured();

    WsClient alice =
        client(server.uri(), b -> b.subprotocols("clu-ws", "bearer." + OPERATOR_TOKEN));

    assertThat(alice.subprotocol()).isEqualTo("clu-ws");
  }

  @Test
  void anUnknownStaticTokenIsRefused() throws IOException {
    WebsocketServer server = secured();

    Upgrade refused = upgrade(server, "/", "Authorization: Bearer not-a-known-token");

    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).isEqualTo("invalid token: unknown token");
  }

  @Test
  void aValidJwtAuthenticatesWithItsRoles() {
    WebsocketServer server = secured();
    CluTestActor actor = actor("other");

    WsClient jay = bearer(server, jwt(claims().build(), JWT_SECRET));
    jay.send(command(actor.name(), "ping", "jwt-ok"));

    assertThat(jay.awaitFinished("jwt-ok"))
        .last()
        .satisfies(f -> assertThat(f.at("/headers/message_code").asText()).isEqualTo(":"));
  }

  @Test
  void anExpiredJwtIsRefused() throws IOException {
    WebsocketServer server = secured();
    String expired =
        jwt(
            claims().expirationTime(Date.from(Instant.now().minusSeconds(600))).build(),
            JWT_SECRET);

    assertThatThrownBy(() -> bearer(server, expired))
        .satisfies(e -> assertThat(refusedStatus(e)).isEqualTo(401));
    Upgrade refused = upgrade(server, "/", "Authorization: Bearer " + expired);
    assertThat(refused.body()).isEqualTo("invalid token: Expired JWT");
  }

  @Test
  void aJwtWithAWrongSignatureIsRefused() throws IOException {
    WebsocketServer server = secured();
    String forged = jwt(claims().build(), "another-secret-that-is-long-enough-for-hs256");

    assertThatThrownBy(() -> bearer(server, forged))
        .satisfies(e -> assertThat(refusedStatus(e)).isEqualTo(401));
    Upgrade refused = upgrade(server, "/", "Authorization: Bearer " + forged);
    assertThat(refused.body()).contains("Invalid signature");
  }

  @Test
  void aJwtForAnotherAudienceIsRefused() throws IOException {
    WebsocketServer server = secured();
    String foreign = jwt(claims().audience("another-service").build(), JWT_SECRET);

    assertThatThrownBy(() -> bearer(server, foreign))
        .satisfies(e -> assertThat(refusedStatus(e)).isEqualTo(401));
    Upgrade refused = upgrade(server, "/", "Authorization: Bearer " + foreign);
    assertThat(refused.body()).isEqualTo("invalid token: JWT aud claim rejected");
  }

  // ---------------------------------------------------------------- permissions

  @Test
  void aReadOnlyTokensCommandIsAnsweredFailedAndNeverReachesTheBroker() {
    WebsocketServer server = secured();
    CluTestActor actor = actor("ecp");
    ReplyObserver commands = ReplyObserver.start(exchange, "command.#");
    resources.add(commands);

    WsClient victor = bearer(server, VIEWER_TOKEN);
    victor.send(command(actor.name(), "ping", "denied-1"));
    JsonNode denied =
        victor.awaitFrame(f -> "denied-1".equals(f.at("/headers/command_id").asText(null)));

    assertThat(denied.at("/headers/message_code").asText()).isEqualTo("f");
    assertThat(denied.at("/headers/sender").asText()).isEqualTo(server.gateway().name());
    assertThat(denied.at("/body/error").asText())
        .isEqualTo("command to '" + actor.name() + "' denied by rule 'viewer:read-only'");
    // An allowed command sent afterwards reaches the broker; the denied one never did.
    WsClient alice = bearer(server, OPERATOR_TOKEN);
    alice.send(command(actor.name(), "ping", "allowed-1"));
    alice.awaitFinished("allowed-1");
    assertThat(commands.messages())
        .extracting(m -> m.properties().getCorrelationId())
        .containsExactly("allowed-1");
    assertThat(actor.received()).hasSize(1);
    assertThat(server.gateway().stats().commandsDenied.sum()).isEqualTo(1);
  }

  @Test
  void aRoleMaySendOnlyTheVerbsAndConsumersItsRulesAllow() {
    WebsocketServer server = secured();
    CluTestActor ecp = actor("ecp");
    CluTestActor other = actor("other");

    WsClient erin = bearer(server, ECP_TOKEN);
    erin.send(command(ecp.name(), "status", "verb-ok"));
    erin.send(command(ecp.name(), "shutdown now", "verb-denied"));
    erin.send(command(other.name(), "status", "consumer-denied"));

    assertThat(erin.awaitFinished("verb-ok"))
        .last()
        .satisfies(f -> assertThat(f.at("/headers/message_code").asText()).isEqualTo(":"));
    assertThat(erin.awaitFinished("verb-denied").get(0).at("/body/error").asText())
        .endsWith("denied by rule 'default-deny'");
    assertThat(erin.awaitFinished("consumer-denied").get(0).at("/body/error").asText())
        .endsWith("denied by rule 'default-deny'");
    assertThat(other.received()).isEmpty();
  }

  @Test
  void aRoleLimitedToOneActorSeesOnlyItsReplies() {
    WebsocketServer server = secured();
    CluTestActor ecp = actor("ecp");
    CluTestActor other = actor("other");
    WsClient erin = bearer(server, ECP_TOKEN);
    WsClient alice = bearer(server, OPERATOR_TOKEN);

    other.broadcast(Map.of("seq", 1));
    alice.awaitFrame(f -> other.name().equals(f.at("/headers/sender").asText()));
    ecp.broadcast(Map.of("seq", 2));
    erin.awaitFrame(f -> ecp.name().equals(f.at("/headers/sender").asText()));
    alice.awaitFrame(f -> ecp.name().equals(f.at("/headers/sender").asText()));

    // The hub hands out replies in order: had erin been sent the first, she would have it by now.
    assertThat(erin.frames())
        .extracting(f -> f.at("/headers/sender").asText())
        .containsOnly(ecp.name());
  }

  // ---------------------------------------------------------------- origins and the config file

  @Test
  void aForeignOriginIsRefusedWith403AndAListedOneConnects() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("origins.properties"),
            "# relative paths are resolved against this file's folder\n"
                + "allowed-origins = https://ops.example.org, https://*.lvm.example\n"
                + "token-file = tokens\n");
    WebsocketServer server = start(Map.of(), "--config", config.toString());

    assertThatThrownBy(
            () ->
                client(
                    server.uri(),
                    b ->
                        b.header("Origin", "https://evil.example")
                            .header("Authorization", "Bearer " + OPERATOR_TOKEN)))
        .satisfies(e -> assertThat(refusedStatus(e)).isEqualTo(403));
    Upgrade refused = upgrade(server, "/", "Origin: https://evil.example");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).isEqualTo("origin 'https://evil.example' is not allowed");

    WsClient listed =
        client(
            server.uri(),
            b ->
                b.header("Origin", "https://web.lvm.example")
                    .header("Authorization", "Bearer " + OPERATOR_TOKEN));
    assertThat(listed.isClosed()).isFalse();
  }

  // ---------------------------------------------------------------- TLS

  @Test
  void aTlsHandshakeWithACertificateMadeAtTestTimeSucceeds() {
    TestCertificate certificate = TestCertificates.generate(dir, KEYSTORE_PASSWORD);
    WebsocketServer server =
        start(
            Map.of("CLU_WS_TLS_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD),
            "--tls-keystore",
            certificate.keystore().toString());
    CluTestActor actor = actor("ecp");

    assertThat(server.uri().getScheme()).isEqualTo("wss");
    WsClient client =
        WsClient.connect(
            server.uri(),
            HttpClient.newBuilder().sslContext(certificate.clientContext()).build(),
            b -> b);
    resources.add(client);
    client.send(command(actor.name(), "ping", "over-tls"));

    assertThat(client.awaitFinished("over-tls")).isNotEmpty();
  }

  @Test
  void aPemCertificateAndKeyServeTlsToo() throws IOException {
    Path pemDir = Files.createDirectories(dir.resolve("pem"));
    TestCertificate certificate = TestCertificates.generate(pemDir, KEYSTORE_PASSWORD);
    WebsocketServer server =
        start(
            Map.of(),
            "--tls-cert",
            certificate.certificatePem().toString(),
            "--tls-key",
            certificate.keyPem().toString());

    WsClient client =
        WsClient.connect(
            server.uri(),
            HttpClient.newBuilder().sslContext(certificate.clientContext()).build(),
            b -> b);
    resources.add(client);

    assertThat(client.isClosed()).isFalse();
  }

  @Test
  void aPlainConnectionToTheTlsPortFails() {
    Path plainDir = dir.resolve("plain");
    TestCertificate certificate;
    try {
      certificate = TestCertificates.generate(Files.createDirectories(plainDir), KEYSTORE_PASSWORD);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    WebsocketServer server =
        start(
            Map.of("CLU_WS_TLS_KEYSTORE_PASSWORD", KEYSTORE_PASSWORD),
            "--tls-keystore",
            certificate.keystore().toString());
    URI plain = URI.create("ws://127.0.0.1:" + server.port() + "/");

    assertThatThrownBy(() -> client(plain, b -> b)).isInstanceOf(IllegalStateException.class);
    assertThat(server.openWebsockets()).isZero();
  }

  // ---------------------------------------------------------------- audit and secrets

  @Test
  void theAuditLogRecordsEachForwardedAndDeniedCommand() {
    WebsocketServer server = secured();
    CluTestActor actor = actor("ecp");
    int before = logs.list.size();

    WsClient alice = bearer(server, OPERATOR_TOKEN);
    alice.send(command(actor.name(), "ping", "audit-allowed"));
    alice.awaitFinished("audit-allowed");
    WsClient victor = bearer(server, VIEWER_TOKEN);
    victor.send(command(actor.name(), "status", "audit-denied"));
    victor.awaitFinished("audit-denied");

    org.awaitility.Awaitility.await()
        .atMost(WsClient.WAIT)
        .untilAsserted(
            () ->
                assertThat(auditLines(before))
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .startsWith("alice client=")
                                .contains(
                                    "consumer=" + actor.name(),
                                    "command_id=audit-allowed",
                                    "command=\"ping\"",
                                    "outcome=forwarded"))
                    .anySatisfy(
                        line ->
                            assertThat(line)
                                .startsWith("victor client=")
                                .contains(
                                    "consumer=" + actor.name(),
                                    "command_id=audit-denied",
                                    "command=\"status\"",
                                    "outcome=denied by viewer:read-only")));
  }

  private static List<String> auditLines(int from) {
    List<String> lines = new ArrayList<>();
    List<ILoggingEvent> events = new ArrayList<>(logs.list);
    for (ILoggingEvent event : events.subList(from, events.size())) {
      if (event.getLoggerName().equals(CommandGate.AUDIT_LOGGER)) {
        lines.add(event.getFormattedMessage());
      }
    }
    return lines;
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void noSecretAppearsInAnyLogOutputOfTheRun() {
    List<ILoggingEvent> events = new ArrayList<>(logs.list);
    assertThat(events).isNotEmpty();
    List<String> texts = new ArrayList<>();
    for (ILoggingEvent event : events) {
      texts.add(event.getFormattedMessage());
      for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getMessage());
      }
      Map<String, String> mdc = new HashMap<>(event.getMDCPropertyMap());
      texts.add(mdc.toString());
    }
    for (String secret : secrets) {
      assertThat(texts).noneMatch(text -> text != null && text.contains(secret));
    }
  }
}
