package dev.cluws.jetty;

import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.internal.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;

/**
 * The server's TLS certificate and key, for {@code wss://}. Load them with {@link #pkcs12(Path,
 * String)} (a PKCS12 keystore) or {@link #pem(Path, Path)} (a PEM certificate chain and an
 * unencrypted PKCS#8 private key, as Let's Encrypt or {@code openssl} write them); both read and
 * check the files at once, so a bad file fails start-up with a clear message rather than the first
 * handshake. The JDK parses everything: no cryptography is written here.
 *
 * <p>{@link #toString()} never shows the password.
 */
public final class TlsSettings {
  private final KeyStore keyStore;
  private final String password;
  private final String description;

  private TlsSettings(KeyStore keyStore, String password, String description) {
    this.keyStore = keyStore;
    this.password = password;
    this.description = description;
  }

  /**
   * A PKCS12 keystore holding the server's private key and certificate chain.
   *
   * @param file the {@code .p12} / {@code .pfx} file
   * @param password the keystore password (also the key's); {@code null} for none
   * @throws CluWsException when the file cannot be read, the password is wrong, or it has no key
   */
  public static TlsSettings pkcs12(Path file, String password) {
    String pass = password == null ? "" : password;
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, pass.toCharArray());
    } catch (NoSuchFileException e) {
      throw new CluWsException("TLS keystore " + file + " does not exist");
    } catch (IOException e) {
      // PKCS12 reports a wrong password as an IOException caused by UnrecoverableKeyException
      throw new CluWsException(
          "cannot read TLS keystore "
              + file
              + ": "
              + (e.getCause() instanceof java.security.UnrecoverableKeyException
                  ? "wrong password"
                  : e.getMessage()),
          e);
    } catch (GeneralSecurityException e) {
      throw new CluWsException("cannot read TLS keystore " + file + ": " + e.getMessage(), e);
    }
    try {
      boolean hasKey = false;
      for (Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
        if (store.isKeyEntry(aliases.nextElement())) {
          hasKey = true;
        }
      }
      if (!hasKey) {
        throw new CluWsException("TLS keystore " + file + " holds no private key");
      }
    } catch (GeneralSecurityException e) {
      throw new CluWsException("cannot read TLS keystore " + file + ": " + e.getMessage(), e);
    }
    return new TlsSettings(store, pass, "PKCS12 keystore " + file);
  }

  /**
   * A PEM certificate chain (the server's certificate first) and its PEM private key.
   *
   * @param certificateFile one or more {@code BEGIN CERTIFICATE} blocks
   * @param keyFile a {@code BEGIN PRIVATE KEY} block (unencrypted PKCS#8: RSA, EC or Ed25519)
   * @throws CluWsException when a file cannot be read or parsed
   */
  public static TlsSettings pem(Path certificateFile, Path keyFile) {
    String certificatePem = read(certificateFile, "TLS certificate");
    PrivateKey key = privateKey(read(keyFile, "TLS private key"), keyFile);
    List<Certificate> chain = new ArrayList<>();
    try {
      Collection<? extends Certificate> certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
      chain.addAll(certificates);
    } catch (GeneralSecurityException e) {
      throw new CluWsException(
          "TLS certificate " + certificateFile + " is not a PEM certificate: " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new CluWsException("TLS certificate " + certificateFile + " holds no certificate");
    }
    checkPair(key, chain.get(0), keyFile, certificateFile);
    String password = randomPassword();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password.toCharArray(), chain.toArray(new Certificate[0]));
      return new TlsSettings(store, password, "PEM certificate " + certificateFile);
    } catch (GeneralSecurityException | IOException e) {
      throw new CluWsException(
          "TLS private key "
              + keyFile
              + " does not go with certificate "
              + certificateFile
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Refuses a key that is not the certificate's (e.g. a renewal caught between writing the new key
   * and the new certificate): a handshake with it would fail for every client.
   */
  private static void checkPair(
      PrivateKey key, Certificate certificate, Path keyFile, Path certificateFile) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "EdDSA", "Ed25519" -> "Ed25519";
          default -> null; // RSASSA-PSS needs parameters; Jetty's handshake will tell
        };
    if (algorithm == null) {
      return;
    }
    byte[] probe = "clu-ws key check".getBytes(StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new CluWsException(
          "TLS private key "
              + keyFile
              + " does not go with certificate "
              + certificateFile
              + " (the certificate is for another key)");
    }
  }

  private static PrivateKey privateKey(String pem, Path file) {
    List<String> types = Pem.types(pem);
    if (!types.contains("PRIVATE KEY")) {
      String hint =
          types.contains("RSA PRIVATE KEY") || types.contains("EC PRIVATE KEY")
              ? "convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt -in old.pem -out key.pem`"
              : types.contains("ENCRYPTED PRIVATE KEY")
                  ? "encrypted keys are not supported; decrypt it with `openssl pkcs8`"
                  : "expected a '-----BEGIN PRIVATE KEY-----' block";
      throw new CluWsException("TLS private key " + file + ": " + hint);
    }
    PKCS8EncodedKeySpec spec;
    try {
      spec = new PKCS8EncodedKeySpec(Pem.decode(pem, "PRIVATE KEY"));
    } catch (IllegalArgumentException e) {
      throw new CluWsException("TLS private key " + file + " is not valid PEM: " + e.getMessage());
    }
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new CluWsException("TLS private key " + file + " is not an RSA, EC or Ed25519 key");
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new CluWsException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** The keystore with the server's key and certificate chain. */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** The password of the keystore and its key. */
  public String password() {
    return password;
  }

  /** Where the key came from, for logs. */
  public String description() {
    return description;
  }

  @Override
  public String toString() {
    return "TlsSettings[" + description + "]";
  }
}
