package dev.cluws.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.ConnectionFactory;
import dev.cluws.amqp.internal.Connections;
import dev.cluws.amqp.testing.TestCertificates;
import dev.cluws.amqp.testing.TestCertificates.TestCertificate;
import dev.cluws.core.spi.BrokerUnavailableException;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code amqps://} against a local TLS listener with a certificate made at test time: the broker's
 * certificate must be trusted (never "trust everything"), and a trust store makes it trusted. The
 * listener reads the AMQP protocol header, which arrives only after a completed TLS handshake.
 */
class AmqpTlsTest {
  @TempDir Path dir;
  private TestCertificate certificate;
  private SSLServerSocket listener;
  private final CompletableFuture<String> header = new CompletableFuture<>();

  @BeforeEach
  void listen() throws IOException {
    certificate = TestCertificates.generate(dir, "store-pw-1234");
    listener =
        (SSLServerSocket)
            serverContext()
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              try (Socket socket = listener.accept();
                  InputStream in = socket.getInputStream()) {
                header.complete(new String(in.readNBytes(4), StandardCharsets.US_ASCII));
              } catch (IOException e) {
                header.complete("handshake failed");
              }
            },
            "tls-listener");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private javax.net.ssl.SSLContext serverContext() {
    try {
      java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
      try (InputStream in = java.nio.file.Files.newInputStream(certificate.keystore())) {
        store.load(in, certificate.password().toCharArray());
      }
      javax.net.ssl.KeyManagerFactory keys =
          javax.net.ssl.KeyManagerFactory.getInstance(
              javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, certificate.password().toCharArray());
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void close() throws IOException {
    listener.close();
  }

  private AmqpSettings settings(AmqpSettings.Tls tls) {
    return AmqpSettings.defaults()
        .withUri("amqps://guest:guest@localhost:" + listener.getLocalPort() + "/")
        .withConnectionTimeout(Duration.ofSeconds(3))
        .withTls(tls);
  }

  private void connect(AmqpSettings settings) {
    ConnectionFactory factory = Connections.factory(settings);
    factory.setAutomaticRecoveryEnabled(false);
    Connections.open(factory, settings, "tls-test").abort();
  }

  @Test
  void anAmqpsUriDoesNotTrustAnUnknownCertificate() throws Exception {
    assertThatThrownBy(() -> connect(settings(AmqpSettings.Tls.NONE)))
        .isInstanceOf(BrokerUnavailableException.class);

    assertThat(header.get(10, TimeUnit.SECONDS)).isEqualTo("handshake failed");
  }

  @Test
  void aTrustStoreWithTheBrokersCertificateCompletesTheHandshake() throws Exception {
    AmqpSettings.Tls tls = new AmqpSettings.Tls(false, certificate.certificatePem(), null);

    assertThatThrownBy(() -> connect(settings(tls))); // the listener is no broker

    assertThat(header.get(10, TimeUnit.SECONDS)).isEqualTo("AMQP");
  }

  @Test
  void aPkcs12TrustStoreWorksToo() throws Exception {
    AmqpSettings.Tls tls =
        new AmqpSettings.Tls(false, certificate.keystore(), certificate.password());

    assertThatThrownBy(() -> connect(settings(tls)));

    assertThat(header.get(10, TimeUnit.SECONDS)).isEqualTo("AMQP");
  }

  @Test
  void aMissingTrustStoreIsNamedAndThePasswordNeverShown() {
    AmqpSettings.Tls tls = new AmqpSettings.Tls(true, dir.resolve("missing.p12"), "trust-pw-987");

    assertThatThrownBy(() -> Connections.factory(AmqpSettings.defaults().withTls(tls)))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("missing.p12 does not exist")
        .hasMessageNotContaining("trust-pw-987");
    assertThat(AmqpSettings.defaults().withTls(tls).toString()).doesNotContain("trust-pw-987");
  }

  @Test
  void tlsWithoutUriIsShownAsAmqps() {
    AmqpSettings settings = AmqpSettings.defaults().withTls(new AmqpSettings.Tls(true, null, null));

    assertThat(settings.usesTls()).isTrue();
    assertThat(settings.describeBroker()).startsWith("amqps://");
  }
}
