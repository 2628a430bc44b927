package dev.cluws.jetty.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Which JWTs authenticate a client. At least one key source must be given; tokens must be signed
 * by one of the keys, unexpired, with a {@code sub} claim, and match the issuer and audience when
 * those are set.
 *
 * @param hmacSecret the shared secret for HS256/HS384/HS512 (at least 32 bytes), or {@code null};
 *     never printed ({@link #toString()} masks it)
 * @param publicKey a PEM file with an RSA or EC public key (or a certificate) for RS256/PS256 or
 *     ES256 and their longer variants, or {@code null}
 * @param jwks a JSON Web Key Set file, or {@code null}
 * @param issuer the required {@code iss} claim, or {@code null} not to check it
 * @param audience accepted {@code aud} values (one must match); empty not to check it
 * @param rolesClaim the claim that holds the subject's roles: an array of strings, or one string
 *     of names separated by spaces or commas
 * @param clockSkew how much {@code exp} and {@code nbf} may be off
 */
public record JwtSettings(
    String hmacSecret,
    Path publicKey,
    Path jwks,
    String issuer,
    List<String> audience,
    String rolesClaim,
    Duration clockSkew) {

  public static final String DEFAULT_ROLES_CLAIM = "roles";
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);

  public JwtSettings {
    audience = audience == null ? List.of() : List.copyOf(audience);
    if (rolesClaim == null || rolesClaim.isBlank()) {
      rolesClaim = DEFAULT_ROLES_CLAIM;
    }
    Objects.requireNonNull(clockSkew, "clockSkew");
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("clockSkew must not be negative");
    }
    if (issuer != null && issuer.isBlank()) {
      issuer = null;
    }
  }

  /** No key yet, no issuer or audience check, roles in {@code roles}, 60 s of clock skew. */
  public static JwtSettings defaults() {
    return new JwtSettings(null, null, null, null, List.of(), DEFAULT_ROLES_CLAIM, DEFAULT_CLOCK_SKEW);
  }

  public JwtSettings withHmacSecret(String secret) {
    return new JwtSettings(secret, publicKey, jwks, issuer, audience, rolesClaim, clockSkew);
  }

  public JwtSettings withPublicKey(Path pemFile) {
    return new JwtSettings(hmacSecret, pemFile, jwks, issuer, audience, rolesClaim, clockSkew);
  }

  public JwtSettings withJwks(Path jwksFile) {
    return new JwtSettings(hmacSecret, publicKey, jwksFile, issuer, audience, rolesClaim, clockSkew);
  }

  public JwtSettings withIssuer(String newIssuer) {
    return new JwtSettings(hmacSecret, publicKey, jwks, newIssuer, audience, rolesClaim, clockSkew);
  }

  public JwtSettings withAudience(List<String> newAudience) {
    return new JwtSettings(hmacSecret, publicKey, jwks, issuer, newAudience, rolesClaim, clockSkew);
  }

  public JwtSettings withRolesClaim(String claim) {
    return new JwtSettings(hmacSecret, publicKey, jwks, issuer, audience, claim, clockSkew);
  }

  public JwtSettings withClockSkew(Duration skew) {
    return new JwtSettings(hmacSecret, publicKey, jwks, issuer, audience, rolesClaim, skew);
  }

  /** Whether any key is configured. */
  public boolean hasKey() {
    return hmacSecret != null || publicKey != null || jwks != null;
  }

  @Override
  public String toString() {
    return "JwtSettings[hmacSecret="
        + (hmacSecret == null ? "none" : "***")
        + ", publicKey="
        + publicKey
        + ", jwks="
        + jwks
        + ", issuer="
        + issuer
        + ", audience="
        + audience
        + ", rolesClaim="
        + rolesClaim
        + ", clockSkew="
        + clockSkew
        + "]";
  }
}
