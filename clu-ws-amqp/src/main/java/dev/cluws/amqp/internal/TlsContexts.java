package dev.cluws.amqp.internal;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.spi.CluWsException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS context for broker connections: the configured trust store (PKCS12, JKS, or PEM CA
 * certificates) or the JDK's default trusted authorities. Never trusts every certificate.
 */
public final class TlsContexts {
  private TlsContexts() {}

  /**
   * An SSL context that trusts what {@code tls} says.
   *
   * @throws CluWsException when the trust store cannot be read; never shows its password
   */
  public static SSLContext sslContext(AmqpSettings.Tls tls) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(tls.trustStore() == null ? null : trustStore(tls));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new CluWsException("cannot set up TLS to RabbitMQ: " + e.getMessage(), e);
    }
  }

  private static KeyStore trustStore(AmqpSettings.Tls tls) {
    Path file = tls.trustStore();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CluWsException("RabbitMQ trust store " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException(
          "cannot read RabbitMQ trust store " + file + ": " + e.getMessage(), e);
    }
    try {
      if (new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII)
          .contains("-----BEGIN CERTIFICATE-----")) {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        int index = 0;
        for (Certificate certificate :
            CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(bytes))) {
          store.setCertificateEntry("ca-" + index++, certificate);
        }
        if (index == 0) {
          throw new CluWsException("RabbitMQ trust store " + file + " holds no certificate");
        }
        return store;
      }
      char[] password =
          tls.trustStorePassword() == null ? null : tls.trustStorePassword().toCharArray();
      for (String type : new String[] {"PKCS12", "JKS"}) {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
          KeyStore store = KeyStore.getInstance(type);
          store.load(in, password);
          return store;
        } catch (IOException | GeneralSecurityException e) {
          // try the next type
        }
      }
      throw new CluWsException(
          "RabbitMQ trust store "
              + file
              + " is not a PKCS12 or JKS store (or the password is wrong), nor PEM certificates");
    } catch (GeneralSecurityException | IOException e) {
      throw new CluWsException(
          "cannot read RabbitMQ trust store " + file + ": " + e.getMessage(), e);
    }
  }
}
