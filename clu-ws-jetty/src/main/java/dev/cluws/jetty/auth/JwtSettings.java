package dev.cluws.jetty.auth;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which JWTs authenticate a client. At least one key source must be given; tokens must be signed by
 * one of the keys, unexpired, with a {@code sub} claim, and match the issuer and audience when
 * those are set.
 *
 * @param hmacSecret the shared secret for HS256/HS384/HS512 (at least 32 bytes), or {@code null};
 *     never printed ({@link #toString()} masks it)
 * @param publicKey a PEM file with an RSA or EC public key (or a certificate) for RS256/PS256 or
 *     ES256 and their longer variants, or {@code null}
 * @param jwks a JSON Web Key Set file, or {@code null}
 * @param jwksUrl the URL of a JSON Web Key Set ({@code https://}, or {@code http://} to a loopback
 *     address), or {@code null}: fetched when first needed, cached, refreshed in the background
 *     before it expires and again when a token names a key it does not hold (a rotated key), at
 *     most twice per {@code jwksRefreshLimit}
 * @param issuer the required {@code iss} claim, or {@code null} not to check it
 * @param audience accepted {@code aud} values (one must match); empty not to check it
 * @param rolesClaim the claim that holds the subject's roles: an array of strings, or one string of
 *     names separated by spaces or commas
 * @param clockSkew how much {@code exp} and {@code nbf} may be off
 * @param jwksCacheTime how long a fetched key set is used before it is fetched again
 * @param jwksRefreshLimit the shortest time between two fetches caused by unknown keys (a flood of
 *     tokens with made-up key ids costs the key server at most two requests per interval)
 */
public record JwtSettings(
    String hmacSecret,
    Path publicKey,
    Path jwks,
    URI jwksUrl,
    String issuer,
    List<String> audience,
    String rolesClaim,
    Duration clockSkew,
    Duration jwksCacheTime,
    Duration jwksRefreshLimit) {

  public static final String DEFAULT_ROLES_CLAIM = "roles";
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
  public static final Duration DEFAULT_JWKS_CACHE_TIME = Duration.ofMinutes(5);
  public static final Duration DEFAULT_JWKS_REFRESH_LIMIT = Duration.ofSeconds(30);

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
    Objects.requireNonNull(jwksCacheTime, "jwksCacheTime");
    Objects.requireNonNull(jwksRefreshLimit, "jwksRefreshLimit");
    if (jwksCacheTime.compareTo(Duration.ofSeconds(1)) < 0 || jwksRefreshLimit.isNegative()) {
      throw new IllegalArgumentException(
          "jwksCacheTime must be at least 1 s and jwksRefreshLimit not negative");
    }
    if (jwksUrl != null) {
      String scheme =
          jwksUrl.getScheme() == null ? "" : jwksUrl.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !(scheme.equals("http") && loopback(jwksUrl.getHost()))) {
        throw new IllegalArgumentException(
            "the JWKS URL must be https:// (http:// only to a loopback address), got " + jwksUrl);
      }
    }
  }

  private static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.equals("::1") || h.startsWith("127.");
  }

  /** No key yet, no issuer or audience check, roles in {@code roles}, 60 s of clock skew. */
  public static JwtSettings defaults() {
    return new JwtSettings(
        null,
        null,
        null,
        null,
        null,
        List.of(),
        DEFAULT_ROLES_CLAIM,
        DEFAULT_CLOCK_SKEW,
        DEFAULT_JWKS_CACHE_TIME,
        DEFAULT_JWKS_REFRESH_LIMIT);
  }

  public JwtSettings withHmacSecret(String secret) {
    return new JwtSettings(
        secret,
        publicKey,
        jwks,
        jwksUrl,
        issuer,
        audience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withPublicKey(Path pemFile) {
    return new JwtSettings(
        hmacSecret,
        pemFile,
        jwks,
        jwksUrl,
        issuer,
        audience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withJwks(Path jwksFile) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwksFile,
        jwksUrl,
        issuer,
        audience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  /** A remote key set ({@code https://…}); see {@link #jwksUrl()}. */
  public JwtSettings withJwksUrl(URI url) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        url,
        issuer,
        audience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withIssuer(String newIssuer) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        jwksUrl,
        newIssuer,
        audience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withAudience(List<String> newAudience) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        jwksUrl,
        issuer,
        newAudience,
        rolesClaim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withRolesClaim(String claim) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        jwksUrl,
        issuer,
        audience,
        claim,
        clockSkew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  public JwtSettings withClockSkew(Duration skew) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        jwksUrl,
        issuer,
        audience,
        rolesClaim,
        skew,
        jwksCacheTime,
        jwksRefreshLimit);
  }

  /**
   * Sets how long a fetched remote key set is used, and the shortest time between two fetches for
   * unknown keys.
   */
  public JwtSettings withJwksTiming(Duration cacheTime, Duration refreshLimit) {
    return new JwtSettings(
        hmacSecret,
        publicKey,
        jwks,
        jwksUrl,
        issuer,
        audience,
        rolesClaim,
        clockSkew,
        cacheTime,
        refreshLimit);
  }

  /** Whether any key is configured. */
  public boolean hasKey() {
    return hmacSecret != null || publicKey != null || jwks != null || jwksUrl != null;
  }

  @Override
  public String toString() {
    return "JwtSettings[hmacSecret="
        + (hmacSecret == null ? "none" : "***")
        + ", publicKey="
        + publicKey
        + ", jwks="
        + jwks
        + ", jwksUrl="
        + jwksUrl
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
