package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cluws.core.command.CommandGate;
import dev.cluws.jetty.AdminPort;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.LoopbackPorts;
import dev.cluws.testkit.WsClient;
import dev.cluws.testkit.e2e.GatewayFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * clu-ws behind a real nginx (Debian's package), configured with exactly the file that {@code
 * docs/operations.md} gives (read from the document; only its ports and certificate paths are
 * replaced): TLS ends at nginx, the gateway is under {@code /clu-ws/}, and with {@code --forwarded}
 * the audit log names the client's address that nginx puts in {@code X-Forwarded-For}. nginx runs
 * as this test's child process on loopback, with its own pid, log and temporary files.
 *
 * <p>Without nginx the test is skipped with a message, or fails with {@code CLU_WS_REQUIRE_NGINX=1}
 * (set by {@code .ci/run}, which installs it).
 */
class NginxIT {
  private static final Path DOC = Path.of("..", "docs", "operations.md");
  private static final String MARKER = "<!-- nginx-config:";

  /** The client connects from here, so that its address differs from nginx's 127.0.0.1. */
  private static final String CLIENT_ADDRESS = "127.0.0.2";

  @TempDir static Path dir;

  private static GatewayFixture fixture;
  private static LoopbackNginx nginx;
  private static int nginxPort;
  private static SSLContext trustTestCertificate;

  @BeforeAll
  static void startTheGatewayAndNginxWithTheDocumentedConfiguration() throws Exception {
    LoopbackNginx.requireInstalled("NginxIT");
    fixture =
        GatewayFixture.builder()
            .server(
                ServerSettings.defaults()
                    .withHost("127.0.0.1")
                    .withPort(0)
                    .withForwarded(true)
                    .withAdmin(AdminPort.on(0).withAlsoOnPublicPort(false)))
            .start();
    certificate();
    trustTestCertificate = sslContextTrusting(dir.resolve("fullchain.pem"));
    nginxPort = LoopbackPorts.free();
    Path conf = dir.resolve("clu-ws.conf");
    Files.writeString(conf, documentedConfig(nginxPort, fixture.server().port()));
    nginx = LoopbackNginx.start(dir, nginxPort, "  include " + conf + ";");
  }

  @AfterAll
  static void stopNginxAndTheGateway() throws InterruptedException {
    if (nginx != null) {
      nginx.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aCommandMakesTheRoundTripThroughTheTlsProxyUnderThePathPrefix() {
    CluTestActor actor = fixture.actor();
    HttpClient https = HttpClient.newBuilder().sslContext(trustTestCertificate).build();
    try (WsClient client =
        WsClient.connect(
            URI.create("wss://127.0.0.1:" + nginxPort + "/clu-ws/?codes=:f"), https, b -> b)) {
      client.send(command(actor.name(), "ngx-1"));

      assertThat(client.awaitFinished("ngx-1"))
          .last()
          .satisfies(f -> assertThat(f.path("body").path("text").asText()).isEqualTo("Pong."));
    }
  }

  @Test
  void theConsoleAndItsFilesLoadThroughThePathPrefix() throws Exception {
    HttpResponse<String> page = get("/clu-ws/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));

    // Every file the page and its script name resolves under the prefix.
    Matcher links = Pattern.compile("(?:href|src)=\"([^\":]+)\"").matcher(page.body());
    int found = 0;
    while (links.find()) {
      String file = URI.create("https://127.0.0.1/clu-ws/").resolve(links.group(1)).getPath();
      assertThat(get(file).statusCode()).as(file).isEqualTo(200);
      found++;
    }
    assertThat(found).isGreaterThanOrEqualTo(2);
    HttpResponse<String> script = get("/clu-ws/console/console.js");
    assertThat(script.body()).contains("from '../clu-ws.js'");
    assertThat(get("/clu-ws/clu-ws.js").statusCode()).isEqualTo(200);
    assertThat(get("/clu-ws").statusCode()).isEqualTo(301);
  }

  @Test
  void theAuditLogNamesTheClientAddressThatNginxForwardsAndNotOneTheClientMadeUp()
      throws Exception {
    CluTestActor actor = fixture.actor();
    try (LogCapture audit = LogCapture.of(CommandGate.AUDIT_LOGGER);
        RawWebSocket client =
            new RawWebSocket(
                tlsSocketFrom(CLIENT_ADDRESS),
                "/clu-ws/",
                "X-Forwarded-For: 198.51.100.1",
                "Forwarded: for=198.51.100.2")) {
      client.sendText(command(actor.name(), "ngx-audit"));
      client.awaitText("Pong.");

      await()
          .atMost(WsClient.WAIT)
          .until(() -> audit.messages().stream().anyMatch(m -> m.contains("command_id=ngx-audit")));
      assertThat(audit.messages())
          .filteredOn(m -> m.contains("command_id=ngx-audit"))
          .singleElement()
          .satisfies(line -> assertThat(line).startsWith(CLIENT_ADDRESS + " client="))
          .satisfies(line -> assertThat(line).doesNotContain("198.51.100"));
    }
  }

  @Test
  void healthAndMetricsStayOffThePublicSite() throws Exception {
    assertThat(get("/clu-ws/metrics").statusCode()).isEqualTo(426);
    assertThat(get("/clu-ws/readyz").statusCode()).isEqualTo(426);
  }

  // ------------------------------------------------------------------------------- helpers

  private static String command(String actor, String id) {
    return "{\"consumer\": \""
        + actor
        + "\", \"command_string\": \"ping\", \"command_id\": \""
        + id
        + "\"}";
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(trustTestCertificate)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + nginxPort + path))
                .timeout(WsClient.WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The nginx configuration block of {@code docs/operations.md}, with the test's ports, certificate
   * and a loopback listen address in place of the documented ones; nothing else changes.
   */
  static String documentedConfig(int listenPort, int gatewayPort) throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int marker = doc.indexOf(MARKER);
    assertThat(marker).as("the nginx configuration marker in %s", DOC).isNotNegative();
    int start = doc.indexOf("```nginx\n", marker);
    int end = doc.indexOf("\n```", start + 1);
    assertThat(start).isNotNegative();
    String config = doc.substring(start + "```nginx\n".length(), end + 1);
    String substituted =
        replaceOnce(config, "listen 443 ssl;", "listen 127.0.0.1:" + listenPort + " ssl;");
    substituted =
        replaceOnce(substituted, "server 127.0.0.1:9876;", "server 127.0.0.1:" + gatewayPort + ";");
    substituted =
        substituted.replace("/etc/letsencrypt/live/gateway.example.org/", dir.toString() + "/");
    assertThat(substituted).doesNotContain("/etc/letsencrypt");
    return substituted;
  }

  private static String replaceOnce(String text, String from, String to) {
    assertThat(text).as("the documented nginx configuration").containsOnlyOnce(from);
    return text.replace(from, to);
  }

  /** A self-signed certificate for 127.0.0.1 in PEM, as Let's Encrypt's files are. */
  private static void certificate() throws Exception {
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                dir.resolve("privkey.pem").toString(),
                "-out",
                dir.resolve("fullchain.pem").toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).withFailMessage("openssl failed: %s", output).isZero();
  }

  private static SSLContext sslContextTrusting(Path pem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      trust.setCertificateEntry(
          "test", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  /** A TLS connection to nginx from the given local address. */
  private static Socket tlsSocketFrom(String localAddress) throws IOException {
    Socket plain = new Socket();
    plain.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    plain.connect(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), nginxPort),
        (int) WsClient.WAIT.toMillis());
    SSLSocket tls =
        (SSLSocket)
            trustTestCertificate
                .getSocketFactory()
                .createSocket(plain, "127.0.0.1", nginxPort, true);
    tls.startHandshake();
    return tls;
  }
}
