package dev.cluws.jetty;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS files' failure paths; a working handshake is tested end to end in clu-ws-cli. */
class TlsSettingsTest {
  @TempDir Path dir;

  @Test
  void aMissingKeystoreIsNamed() {
    assertThatThrownBy(() -> TlsSettings.pkcs12(dir.resolve("server.p12"), "pw"))
        .isInstanceOf(CluWsException.class)
        .hasMessage("TLS keystore " + dir.resolve("server.p12") + " does not exist");
  }

  @Test
  void aFileThatIsNotAKeystoreIsAnErrorWithoutThePassword() throws IOException {
    Path file = Files.writeString(dir.resolve("server.p12"), "not a keystore");

    assertThatThrownBy(() -> TlsSettings.pkcs12(file, "keystore-pw-123"))
        .isInstanceOf(CluWsException.class)
        .hasMessageStartingWith("cannot read TLS keystore")
        .hasMessageNotContaining("keystore-pw-123");
  }

  @Test
  void aPkcs1KeyGetsAHintToConvertIt() throws IOException {
    Path certificate =
        Files.writeString(
            dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    Path key =
        Files.writeString(
            dir.resolve("key.pem"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsSettings.pem(certificate, key))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void aKeyFileWithoutPrivateKeyIsNamed() throws IOException {
    Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN RSA PRIVATE KEY-----\n");

    assertThatThrownBy(() -> TlsSettings.pem(dir.resolve("missing.pem"), key))
        .hasMessageContaining("missing.pem does not exist");
  }
}
