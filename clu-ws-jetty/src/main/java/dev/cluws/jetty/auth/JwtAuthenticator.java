package dev.cluws.jetty.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.internal.Pem;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates clients by JWT, with nimbus-jose-jwt doing all the cryptography: a signature by one
 * of the configured keys (HMAC with a shared secret; RSA or EC with a public key or a JWKS file),
 * an unexpired {@code exp}, a {@code sub}, and the issuer and audience when configured. The
 * algorithms accepted follow the key types (an HMAC algorithm is never checked against a public
 * key), and unsigned tokens are refused.
 *
 * <p>The subject is {@code sub}; the roles come from the configured claim.
 */
public final class JwtAuthenticator implements Authenticator, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final int MIN_HMAC_SECRET_BYTES = 32;

  /** Connect and read timeouts of a key set fetch: it may run on the thread of an upgrade. */
  private static final int JWKS_HTTP_TIMEOUT_MILLIS = 2_000;

  private static final int JWKS_SIZE_LIMIT = 256 * 1024;

  private final ConfigurableJWTProcessor<SecurityContext> processor;
  private final String rolesClaim;
  private final int keys;

  /** The remote key set, or {@code null}. */
  private final RemoteKeys remote;

  private JwtAuthenticator(
      ConfigurableJWTProcessor<SecurityContext> processor,
      String rolesClaim,
      int keys,
      RemoteKeys remote) {
    this.processor = processor;
    this.rolesClaim = rolesClaim;
    this.keys = keys;
    this.remote = remote;
  }

  /**
   * Loads the keys and builds the checks.
   *
   * @throws CluWsException when no key is configured or a key file cannot be read or parsed; the
   *     message never contains the secret
   */
  public static JwtAuthenticator create(JwtSettings settings) {
    if (!settings.hasKey()) {
      throw new CluWsException(
          "JWT authentication needs a key: a shared secret, a PEM public key or a JWKS file");
    }
    List<JWK> jwks = new ArrayList<>();
    if (settings.hmacSecret() != null) {
      byte[] secret = settings.hmacSecret().getBytes(StandardCharsets.UTF_8);
      if (secret.length < MIN_HMAC_SECRET_BYTES) {
        throw new CluWsException(
            "the JWT secret is too short: HS256 needs at least "
                + MIN_HMAC_SECRET_BYTES
                + " bytes (256 bits)");
      }
      jwks.add(new OctetSequenceKey.Builder(secret).build());
    }
    if (settings.publicKey() != null) {
      jwks.add(publicKeyJwk(settings.publicKey()));
    }
    if (settings.jwks() != null) {
      jwks.addAll(loadJwks(settings.jwks()));
    }
    RemoteKeys remote = settings.jwksUrl() == null ? null : RemoteKeys.create(settings);
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    for (JWK jwk : jwks) {
      if (KeyType.OCT.equals(jwk.getKeyType())) {
        algorithms.addAll(JWSAlgorithm.Family.HMAC_SHA);
      } else if (KeyType.RSA.equals(jwk.getKeyType())) {
        algorithms.addAll(JWSAlgorithm.Family.RSA);
      } else if (KeyType.EC.equals(jwk.getKeyType())) {
        algorithms.addAll(JWSAlgorithm.Family.EC);
      }
    }
    if (remote != null) {
      // A remote key set holds public keys: never an HMAC algorithm for its keys.
      algorithms.addAll(JWSAlgorithm.Family.RSA);
      algorithms.addAll(JWSAlgorithm.Family.EC);
    }
    if (algorithms.isEmpty()) {
      throw new CluWsException("the JWT keys include no HMAC, RSA or EC key");
    }
    JWKSource<SecurityContext> local = new ImmutableJWKSet<>(new JWKSet(jwks));
    JWKSource<SecurityContext> source = remote == null ? local : remote.withLocal(local);
    ConfigurableJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, source));
    JWTClaimsSet exact =
        settings.issuer() == null
            ? new JWTClaimsSet.Builder().build()
            : new JWTClaimsSet.Builder().issuer(settings.issuer()).build();
    Set<String> required = new HashSet<>(Set.of("sub", "exp"));
    if (!settings.audience().isEmpty()) {
      required.add("aud");
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            settings.audience().isEmpty() ? null : new HashSet<>(settings.audience()),
            exact,
            required,
            null);
    claims.setMaxClockSkew(Math.toIntExact(settings.clockSkew().toSeconds()));
    processor.setJWTClaimsSetVerifier(claims);
    return new JwtAuthenticator(processor, settings.rolesClaim(), jwks.size(), remote);
  }

  /**
   * Fetches the remote key set now, so that the first client does not wait for it; a no-op without
   * one. Blocks (up to a few seconds): call it from a thread of the application's own.
   *
   * @return whether the key set could be fetched (else a WARN says why; it is tried again when a
   *     token needs it)
   */
  public boolean prefetch() {
    return remote == null || remote.prefetch();
  }

  /** Stops refreshing the remote key set. Idempotent. */
  @Override
  public void close() {
    if (remote != null) {
      remote.close();
    }
  }

  /**
   * A remote JSON Web Key Set through nimbus' {@link JWKSourceBuilder}: cached, refreshed on a
   * daemon thread before it expires, fetched again (rate-limited) when a token names an unknown
   * key, retried once on a network error, and kept through an outage of the key server.
   */
  private static final class RemoteKeys implements AutoCloseable {
    private final URI url;
    private final JWKSource<SecurityContext> source;
    private final ScheduledExecutorService refresher;

    private RemoteKeys(
        URI url, JWKSource<SecurityContext> source, ScheduledExecutorService refresher) {
      this.url = url;
      this.source = source;
      this.refresher = refresher;
    }

    static RemoteKeys create(JwtSettings settings) {
      URL url;
      try {
        url = settings.jwksUrl().toURL();
      } catch (MalformedURLException | IllegalArgumentException e) {
        throw new CluWsException(
            "JWKS URL " + settings.jwksUrl() + " is not a URL: " + e.getMessage());
      }
      ScheduledExecutorService refresher =
          Executors.newSingleThreadScheduledExecutor(
              task -> {
                Thread thread = new Thread(task, "clu-ws-jwks");
                thread.setDaemon(true);
                return thread;
              });
      long cacheMillis = settings.jwksCacheTime().toMillis();
      JWKSourceBuilder<SecurityContext> builder =
          JWKSourceBuilder.<SecurityContext>create(
                  url,
                  new DefaultResourceRetriever(
                      JWKS_HTTP_TIMEOUT_MILLIS, JWKS_HTTP_TIMEOUT_MILLIS, JWKS_SIZE_LIMIT))
              .cache(cacheMillis, JWKS_HTTP_TIMEOUT_MILLIS * 2L)
              .refreshAheadCache(
                  Math.min(30_000L, cacheMillis / 2), null, refresher, false, refresher, true)
              .retrying(true)
              .outageTolerant(true);
      builder =
          settings.jwksRefreshLimit().isZero()
              ? builder.rateLimited(false)
              : builder.rateLimited(settings.jwksRefreshLimit().toMillis());
      JWKSource<SecurityContext> source = builder.build();
      return new RemoteKeys(settings.jwksUrl(), source, refresher);
    }

    /** The local keys, then the remote ones (unless the key server fails and a local key fits). */
    JWKSource<SecurityContext> withLocal(JWKSource<SecurityContext> local) {
      return (selector, context) -> {
        List<JWK> found = new ArrayList<>(local.get(selector, context));
        try {
          for (JWK key : source.get(selector, context)) {
            // Only public keys from a URL: a shared secret never comes over the network.
            if (KeyType.RSA.equals(key.getKeyType()) || KeyType.EC.equals(key.getKeyType())) {
              found.add(key);
            }
          }
        } catch (KeySourceException e) {
          if (found.isEmpty()) {
            throw e;
          }
        }
        return found;
      };
    }

    boolean prefetch() {
      try {
        int count = source.get(new JWKSelector(new JWKMatcher.Builder().build()), null).size();
        log.info("fetched {} JWT key(s) from {}", count, url);
        return true;
      } catch (KeySourceException | RuntimeException e) {
        log.warn(
            "cannot fetch the JWT keys from {} yet ({}); tokens signed by its keys are refused"
                + " until it answers",
            url,
            e.getMessage());
        return false;
      }
    }

    @Override
    public void close() {
      if (source instanceof Closeable closeable) {
        try {
          closeable.close();
        } catch (IOException e) {
          log.debug("closing the key set source of {} failed", url, e);
        }
      }
      refresher.shutdownNow();
    }
  }

  @Override
  public ClientIdentity authenticate(String token, String remoteAddress) {
    if (!looksLikeJws(token)) {
      throw new AuthenticationException("not a JWT", false);
    }
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw new AuthenticationException("malformed JWT: " + e.getMessage(), true);
    } catch (RateLimitReachedException e) {
      throw new AuthenticationException(
          "no key of the key set verifies it, and the key set was fetched too recently to fetch"
              + " it again now",
          true);
    } catch (BadJOSEException | JOSEException e) {
      throw new AuthenticationException(
          e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName(), true);
    }
    String subject = claims.getSubject();
    if (subject == null || subject.isBlank()) {
      throw new AuthenticationException("the JWT has no subject (sub)", true);
    }
    return new ClientIdentity(subject, roles(claims), remoteAddress);
  }

  private Set<String> roles(JWTClaimsSet claims) {
    Object value = claims.getClaim(rolesClaim);
    Set<String> roles = new LinkedHashSet<>();
    if (value instanceof String) {
      for (String role : ((String) value).split("[\\s,]+")) {
        if (!role.isEmpty()) {
          roles.add(role);
        }
      }
    } else if (value instanceof List) {
      for (Object role : (List<?>) value) {
        if (role instanceof String && !((String) role).isBlank()) {
          roles.add((String) role);
        }
      }
    }
    return roles;
  }

  /** A compact JWS: three base64url parts separated by two dots. */
  private static boolean looksLikeJws(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    return first > 0 && second > first && token.indexOf('.', second + 1) < 0;
  }

  private static JWK publicKeyJwk(Path file) {
    String pem = read(file, "JWT public key file");
    try {
      PublicKey key = parsePublicKey(pem);
      if (key instanceof RSAPublicKey) {
        return new RSAKey.Builder((RSAPublicKey) key).build();
      }
      if (key instanceof ECPublicKey) {
        ECPublicKey ec = (ECPublicKey) key;
        Curve curve = Curve.forECParameterSpec(ec.getParams());
        if (curve == null) {
          throw new CluWsException("JWT public key file " + file + ": unsupported EC curve");
        }
        return new ECKey.Builder(curve, ec).build();
      }
      throw new CluWsException(
          "JWT public key file " + file + ": expected an RSA or EC key, got " + key.getAlgorithm());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new CluWsException(
          "JWT public key file "
              + file
              + " is not a PEM public key ('BEGIN PUBLIC KEY') or certificate: "
              + e.getMessage(),
          e);
    }
  }

  private static PublicKey parsePublicKey(String pem) throws GeneralSecurityException {
    if (pem.contains("-----BEGIN CERTIFICATE-----")) {
      return CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
          .getPublicKey();
    }
    byte[] der = Pem.decode(pem, "PUBLIC KEY");
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }

  private static List<JWK> loadJwks(Path file) {
    String json = read(file, "JWKS file");
    try {
      List<JWK> keys = JWKSet.parse(json).getKeys();
      if (keys.isEmpty()) {
        throw new CluWsException("JWKS file " + file + " has no keys");
      }
      return keys;
    } catch (ParseException e) {
      throw new CluWsException(
          "JWKS file " + file + " is not a JSON Web Key Set: " + e.getMessage(), e);
    }
  }

  private static String read(Path file, String what) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CluWsException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "JwtAuthenticator["
        + keys
        + " key(s)"
        + (remote == null ? "" : " and the key set at " + remote.url)
        + ", roles claim "
        + rolesClaim
        + "]";
  }
}
