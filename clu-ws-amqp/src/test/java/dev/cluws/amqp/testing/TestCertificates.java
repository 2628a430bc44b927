package dev.cluws.amqp.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate made at test time with the JDK's {@code keytool}, for {@code
 * localhost} and {@code 127.0.0.1}, in the forms a server and a client need: a PKCS12 keystore, PEM
 * certificate and PKCS#8 key files, and a client {@link SSLContext} that trusts it.
 */
public final class TestCertificates {

  /**
   * One generated certificate.
   *
   * @param keystore the PKCS12 keystore with key and certificate
   * @param password the keystore's (and key's) password
   * @param certificatePem the certificate as PEM
   * @param keyPem the private key as unencrypted PKCS#8 PEM
   * @param certificate the certificate
   */
  public record TestCertificate(
      Path keystore,
      String password,
      Path certificatePem,
      Path keyPem,
      X509Certificate certificate) {

    /** A client context that trusts only this certificate. */
    public SSLContext clientContext() {
      try {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        TrustManagerFactory factory =
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private TestCertificates() {}

  /** Generates an RSA certificate for localhost/127.0.0.1 in {@code dir}, valid for two days. */
  public static TestCertificate generate(Path dir, String password) {
    Path keystore = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> command =
        List.of(
            keytool,
            "-genkeypair",
            "-alias",
            "server",
            "-keyalg",
            "RSA",
            "-keysize",
            "2048",
            "-dname",
            "CN=localhost",
            "-ext",
            "SAN=dns:localhost,ip:127.0.0.1",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            password,
            "-keypass",
            password);
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keystore)) {
        store.load(in, password.toCharArray());
      }
      X509Certificate certificate = (X509Certificate) store.getCertificate("server");
      PrivateKey key = (PrivateKey) store.getKey("server", password.toCharArray());
      Path certificatePem =
          Files.writeString(
              dir.resolve("server.crt"), pem("CERTIFICATE", certificate.getEncoded()));
      Path keyPem =
          Files.writeString(dir.resolve("server.key"), pem("PRIVATE KEY", key.getEncoded()));
      return new TestCertificate(keystore, password, certificatePem, keyPem, certificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
