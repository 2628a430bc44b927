package dev.cluws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import dev.cluws.amqp.testing.TestCertificates;
import dev.cluws.amqp.testing.TestCertificates.TestCertificate;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A renewed TLS certificate (PEM files or a PKCS12 keystore) is put in force for new connections
 * when its files change, without a restart; open websockets keep theirs and go on. A bad new file
 * (garbage, or a key that is not the certificate's) is refused with one ERROR and the old
 * certificate stays in force.
 */
class TlsReloadIT {
  private static final String PASSWORD = "tls-reload-pw";
  private static final Duration RELOADED = Duration.ofSeconds(15);

  @TempDir static Path certificates;
  private static TestCertificate first;
  private static TestCertificate second;
  private static SSLContext trustsBoth;

  @TempDir Path dir;

  @BeforeAll
  static void makeTwoCertificates() throws Exception {
    first = TestCertificates.generate(Files.createDirectories(certificates.resolve("a")), PASSWORD);
    second =
        TestCertificates.generate(Files.createDirectories(certificates.resolve("b")), PASSWORD);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("first", first.certificate());
    trusted.setCertificateEntry("second", second.certificate());
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trusted);
    trustsBoth = SSLContext.getInstance("TLS");
    trustsBoth.init(null, factory.getTrustManagers(), null);
  }

  /** The certificate a new TLS connection to the gateway is shown. */
  private static Certificate served(CliGateway gateway) throws IOException {
    try (SSLSocket socket =
        (SSLSocket)
            trustsBoth
                .getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), gateway.server.port())) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      socket.startHandshake();
      return socket.getSession().getPeerCertificates()[0];
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void pingGoesThrough(WsClient client, CluTestActor actor, String id) {
    client.send(
        "{\"consumer\": \""
            + actor.name()
            + "\", \"command_string\": \"ping\", \"command_id\": \""
            + id
            + "\"}");
    assertThat(client.awaitFinished(id))
        .last()
        .satisfies(f -> assertThat(f.path("headers").path("message_code").asText()).isEqualTo(":"));
  }

  @Test
  void renewedPemFilesAreServedToNewConnectionsWhileAnOpenWebsocketGoesOn() throws Exception {
    Path cert = dir.resolve("fullchain.pem");
    Path key = dir.resolve("privkey.pem");
    copy(first.certificatePem(), cert);
    copy(first.keyPem(), key);
    try (LogCapture reloads = LogCapture.of("dev.cluws.jetty");
        CliGateway gateway =
            CliGateway.start(
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                key.toString(),
                "--reload-interval",
                "100ms");
        CluTestActor actor = CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a"));
        WsClient open =
            WsClient.connect(
                gateway.uri(), HttpClient.newBuilder().sslContext(trustsBoth).build(), b -> b)) {
      assertThat(served(gateway)).isEqualTo(first.certificate());

      copy(second.keyPem(), key); // as certbot renews: the key, then the certificate
      copy(second.certificatePem(), cert);

      await().atMost(RELOADED).until(() -> served(gateway).equals(second.certificate()));
      pingGoesThrough(open, actor, "after-renewal");
      assertThat(open.isClosed()).isFalse();
      assertThat(reloads.messages(Level.ERROR)).isEmpty();
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesIsRefusedWithOneErrorAndTheOldCertificateStays()
      throws Exception {
    Path cert = dir.resolve("fullchain.pem");
    Path key = dir.resolve("privkey.pem");
    copy(first.certificatePem(), cert);
    copy(first.keyPem(), key);
    try (LogCapture reloads = LogCapture.of("dev.cluws.jetty.reload");
        CliGateway gateway =
            CliGateway.start(
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                key.toString(),
                "--reload-interval",
                "100ms")) {
      copy(second.certificatePem(), cert); // the renewal's key never came

      await().atMost(RELOADED).until(() -> !reloads.messages(Level.ERROR).isEmpty());
      assertThat(reloads.messages(Level.ERROR))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .isEqualTo(
                          "reload refused: TLS private key "
                              + key
                              + " does not go with certificate "
                              + cert
                              + " (the certificate is for another key); the TLS certificate and"
                              + " key loaded at "
                              + m.substring(m.indexOf(" loaded at ") + 11, m.indexOf(" stays"))
                              + " stays in force"));
      assertThat(served(gateway)).isEqualTo(first.certificate());
    }
  }

  @Test
  void aRenewedKeystoreIsServedAndABrokenOneIsRefusedWithOneError() throws Exception {
    Path keystore = dir.resolve("server.p12");
    copy(first.keystore(), keystore);
    try (LogCapture reloads = LogCapture.of("dev.cluws.jetty.reload");
        CliGateway gateway =
            CliGateway.start(
                "--tls-keystore",
                keystore.toString(),
                "--tls-keystore-password",
                PASSWORD,
                "--reload-interval",
                "100ms");
        CluTestActor actor = CluTestActor.start(gateway.exchange, TestBroker.uniqueName("a"));
        WsClient open =
            WsClient.connect(
                gateway.uri(), HttpClient.newBuilder().sslContext(trustsBoth).build(), b -> b)) {
      Files.writeString(keystore, "not a keystore");

      await().atMost(RELOADED).until(() -> !reloads.messages(Level.ERROR).isEmpty());
      assertThat(reloads.messages(Level.ERROR).get(0))
          .startsWith("reload refused: cannot read TLS keystore " + keystore)
          .doesNotContain(PASSWORD);
      assertThat(served(gateway)).isEqualTo(first.certificate());

      copy(second.keystore(), keystore);

      await().atMost(RELOADED).until(() -> served(gateway).equals(second.certificate()));
      assertThat(reloads.messages(Level.ERROR)).hasSize(1);
      pingGoesThrough(open, actor, "after-keystore");
    }
  }
}
