package dev.cluws.jetty.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAuthenticatorTest {
  static final String SECRET = "an-hs256-secret-of-at-least-32-bytes!!";
  private static final String REMOTE = "127.0.0.1:5000";

  @TempDir Path dir;

  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer("https://issuer.example")
        .audience("clu-ws")
        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
        .claim("roles", List.of("operator", "viewer"));
  }

  static String sign(JWSSigner signer, JWSAlgorithm algorithm, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }

  static String hs256(String secret, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JwtAuthenticator hmac() {
    return JwtAuthenticator.create(
        JwtSettings.defaults()
            .withHmacSecret(SECRET)
            .withIssuer("https://issuer.example")
            .withAudience(List.of("clu-ws")));
  }

  private static KeyPair keyPair(String algorithm) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
    if (algorithm.equals("EC")) {
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else {
      generator.initialize(2048);
    }
    return generator.generateKeyPair();
  }

  private Path pem(String name, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der);
    return Files.writeString(
        dir.resolve(name), "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
  }

  @Test
  void aValidHs256TokenGivesItsSubjectAndRoles() {
    ClientIdentity identity = hmac().authenticate(hs256(SECRET, claims().build()), REMOTE);

    assertThat(identity.subject()).isEqualTo("alice");
    assertThat(identity.roles()).containsExactlyInAnyOrder("operator", "viewer");
    assertThat(identity.remoteAddress()).isEqualTo(REMOTE);
  }

  @Test
  void rolesMayBeOneStringOfNames() {
    String token = hs256(SECRET, claims().claim("roles", "operator viewer,admin").build());

    assertThat(hmac().authenticate(token, REMOTE).roles())
        .containsExactlyInAnyOrder("operator", "viewer", "admin");
  }

  @Test
  void anExpiredTokenIsRefused() {
    String token =
        hs256(
            SECRET,
            claims().expirationTime(Date.from(Instant.now().minus(Duration.ofMinutes(5)))).build());

    assertThatThrownBy(() -> hmac().authenticate(token, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Expired JWT");
  }

  @Test
  void aTokenSignedWithAnotherSecretIsRefused() {
    String token = hs256("another-secret-of-at-least-32-bytes-long", claims().build());

    assertThatThrownBy(() -> hmac().authenticate(token, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("Invalid signature");
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    String token = hs256(SECRET, claims().audience("another-service").build());

    assertThatThrownBy(() -> hmac().authenticate(token, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("aud");
  }

  @Test
  void aTokenFromAnotherIssuerIsRefused() {
    String token = hs256(SECRET, claims().issuer("https://evil.example").build());

    assertThatThrownBy(() -> hmac().authenticate(token, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("iss");
  }

  @Test
  void aTokenWithoutExpiryOrSubjectIsRefused() {
    String noExpiry = hs256(SECRET, claims().expirationTime(null).build());
    String noSubject = hs256(SECRET, claims().subject(null).build());

    assertThatThrownBy(() -> hmac().authenticate(noExpiry, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("exp");
    assertThatThrownBy(() -> hmac().authenticate(noSubject, REMOTE))
        .isInstanceOf(AuthenticationException.class)
        .hasMessageContaining("sub");
  }

  @Test
  void anUnsignedTokenIsRefused() {
    String unsigned = new PlainJWT(claims().build()).serialize();

    assertThatThrownBy(() -> hmac().authenticate(unsigned, REMOTE))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void somethingThatIsNotAJwtIsNotRecognized() {
    assertThatThrownBy(() -> hmac().authenticate("opaque-token", REMOTE))
        .isInstanceOfSatisfying(
            AuthenticationException.class, e -> assertThat(e.recognized()).isFalse());
  }

  @Test
  void anRs256TokenIsCheckedWithAPemPublicKey() throws Exception {
    KeyPair keys = keyPair("RSA");
    Path publicKey = pem("rsa.pem", keys.getPublic().getEncoded());
    JwtAuthenticator authenticator =
        JwtAuthenticator.create(JwtSettings.defaults().withPublicKey(publicKey));

    String token = sign(new RSASSASigner(keys.getPrivate()), JWSAlgorithm.RS256, claims().build());

    assertThat(authenticator.authenticate(token, REMOTE).subject()).isEqualTo("alice");
  }

  @Test
  void anHs256TokenSignedWithThePublicKeyAsSecretIsRefused() throws Exception {
    KeyPair keys = keyPair("RSA");
    Path publicKey = pem("rsa.pem", keys.getPublic().getEncoded());
    JwtAuthenticator authenticator =
        JwtAuthenticator.create(JwtSettings.defaults().withPublicKey(publicKey));

    String confused =
        sign(new MACSigner(Files.readAllBytes(publicKey)), JWSAlgorithm.HS256, claims().build());

    assertThatThrownBy(() -> authenticator.authenticate(confused, REMOTE))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void anEs256TokenIsCheckedWithAJwksFile() throws Exception {
    KeyPair keys = keyPair("EC");
    ECKey jwk =
        new ECKey.Builder(Curve.P_256, (ECPublicKey) keys.getPublic()).keyID("key-1").build();
    Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(jwk).toString());
    JwtAuthenticator authenticator = JwtAuthenticator.create(JwtSettings.defaults().withJwks(jwks));

    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("key-1").build(), claims().build());
    jwt.sign(new ECDSASigner((ECPrivateKey) keys.getPrivate()));

    assertThat(authenticator.authenticate(jwt.serialize(), REMOTE).subject()).isEqualTo("alice");
  }

  @Test
  void anRs256TokenSignedByAnotherKeyIsRefused() throws Exception {
    KeyPair trusted = keyPair("RSA");
    KeyPair other = keyPair("RSA");
    Path jwks =
        Files.writeString(
            dir.resolve("jwks.json"),
            new JWKSet(new RSAKey.Builder((RSAPublicKey) trusted.getPublic()).build()).toString());
    JwtAuthenticator authenticator = JwtAuthenticator.create(JwtSettings.defaults().withJwks(jwks));

    String token = sign(new RSASSASigner(other.getPrivate()), JWSAlgorithm.RS256, claims().build());

    assertThatThrownBy(() -> authenticator.authenticate(token, REMOTE))
        .isInstanceOf(AuthenticationException.class);
  }

  @Test
  void aShortSecretIsRefusedAtStartWithoutShowingIt() {
    assertThatThrownBy(
            () -> JwtAuthenticator.create(JwtSettings.defaults().withHmacSecret("short-secret")))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("at least 32 bytes")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void settingsNeverPrintTheSecret() {
    assertThat(JwtSettings.defaults().withHmacSecret(SECRET).toString()).doesNotContain(SECRET);
  }

  @Test
  void noKeyOrAMissingKeyFileIsAClearError() throws NoSuchAlgorithmException {
    assertThatThrownBy(() -> JwtAuthenticator.create(JwtSettings.defaults()))
        .isInstanceOf(CluWsException.class)
        .hasMessageContaining("needs a key");
    assertThatThrownBy(
            () ->
                JwtAuthenticator.create(
                    JwtSettings.defaults().withPublicKey(dir.resolve("missing.pem"))))
        .hasMessageContaining("missing.pem does not exist");
  }
}
