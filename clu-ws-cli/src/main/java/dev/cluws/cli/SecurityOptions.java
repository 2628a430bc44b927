package dev.cluws.cli;

import dev.cluws.core.access.AccessPolicy;
import dev.cluws.core.access.RoleBasedAccessPolicy;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.TlsSettings;
import dev.cluws.jetty.auth.AllowedOrigins;
import dev.cluws.jetty.auth.Authenticator;
import dev.cluws.jetty.auth.JwtAuthenticator;
import dev.cluws.jetty.auth.JwtSettings;
import dev.cluws.jetty.auth.MetricsAccess;
import dev.cluws.jetty.auth.StaticTokenAuthenticator;
import dev.cluws.jetty.reload.Reloadable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Who may connect and what they may do: allowed origins, bearer tokens (static or JWT), command
 * permissions, and TLS for {@code wss://}. All off by default, as in CLU. Secret values are never
 * shown in the help (no {@code ${DEFAULT-VALUE}}) and should come from the environment or a file.
 */
final class SecurityOptions {
  @Option(
      names = "--allowed-origins",
      paramLabel = "<origin>",
      split = "\\s*,\\s*",
      splitSynopsisLabel = ",",
      description = {
        "Web origins whose pages may connect (* matches anything); others get 403. Default: any"
            + " origin. For example:",
        "https://ops.example.org,https://*.lco.cl"
      })
  List<String> allowedOrigins = new ArrayList<>();

  @Option(
      names = "--token-file",
      paramLabel = "<file>",
      description =
          "Require a bearer token; static tokens from this file, one '<token or sha256:hash>"
              + " <subject> [role,...]' per line.")
  Path tokenFile;

  @Option(
      names = "--jwt-secret",
      paramLabel = "<secret>",
      description =
          "Require a bearer token; accept JWTs signed with this HS256 secret (secret: prefer"
              + " CLU_WS_JWT_SECRET or CLU_WS_JWT_SECRET_FILE).")
  String jwtSecret;

  @Option(
      names = "--jwt-public-key",
      paramLabel = "<pem>",
      description =
          "Require a bearer token; accept JWTs signed by this RSA/EC public key (RS256, ES256).")
  Path jwtPublicKey;

  @Option(
      names = "--jwt-jwks",
      paramLabel = "<file-or-url>",
      converter = JwksLocation.Converter.class,
      description =
          "Require a bearer token; accept JWTs signed by a key of this JWKS file, or of the key"
              + " set at this https:// URL (cached, refetched for rotated keys).")
  JwksLocation jwtJwks;

  @Option(
      names = "--jwt-issuer",
      paramLabel = "<iss>",
      description = "Accept only JWTs with this issuer (iss).")
  String jwtIssuer;

  @Option(
      names = "--jwt-audience",
      paramLabel = "<aud>",
      split = "\\s*,\\s*",
      splitSynopsisLabel = ",",
      description = "Accept only JWTs for one of these audiences (aud).")
  List<String> jwtAudience = new ArrayList<>();

  @Option(
      names = "--jwt-roles-claim",
      paramLabel = "<claim>",
      defaultValue = JwtSettings.DEFAULT_ROLES_CLAIM,
      description = "JWT claim that holds the roles (default: ${DEFAULT-VALUE}).")
  String jwtRolesClaim;

  @Option(
      names = "--metrics-roles",
      paramLabel = "<role>",
      split = "\\s*,\\s*",
      splitSynopsisLabel = ",",
      defaultValue = MetricsAccess.DEFAULT_ROLE,
      description =
          "With bearer tokens required, the roles whose tokens may read /metrics (default:"
              + " ${DEFAULT-VALUE}); any other valid token gets 403.")
  List<String> metricsRoles = new ArrayList<>(List.of(MetricsAccess.DEFAULT_ROLE));

  @Option(
      names = "--metrics-token-file",
      paramLabel = "<file>",
      description =
          "Tokens that read /metrics and open nothing else (e.g. for Prometheus), one '<token or"
              + " sha256:hash>' per line; /metrics then needs a token even without --token-file or"
              + " --jwt-*.")
  Path metricsTokenFile;

  @Option(
      names = "--permissions",
      paramLabel = "<file>",
      description =
          "Command permissions and reply visibility per role (JSON, see docs/security.md);"
              + " denies by default. Default: everyone may do everything.")
  Path permissions;

  @Option(
      names = "--tls-keystore",
      paramLabel = "<p12>",
      description = "Serve wss:// with the key and certificate of this PKCS12 keystore.")
  Path tlsKeystore;

  @Option(
      names = "--tls-keystore-password",
      paramLabel = "<password>",
      description =
          "Password of --tls-keystore (secret: prefer CLU_WS_TLS_KEYSTORE_PASSWORD or"
              + " CLU_WS_TLS_KEYSTORE_PASSWORD_FILE).")
  String tlsKeystorePassword;

  @Option(
      names = "--tls-cert",
      paramLabel = "<pem>",
      description = "Serve wss:// with this PEM certificate chain (with --tls-key).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "<pem>",
      description = "The unencrypted PKCS#8 PEM private key of --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--reload-interval",
      paramLabel = "<duration>",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "How often the token, permissions, JWT key and TLS files are checked for changes, which"
              + " are loaded without a restart (default: ${DEFAULT-VALUE}; 0s: only on SIGHUP).")
  Duration reloadInterval;

  /**
   * The security the options ask for, with every file read and checked, ready to be reloaded.
   *
   * @throws CluWsException when an option is inconsistent or a file is missing or invalid
   */
  SecurityConfig securityConfig() {
    AllowedOrigins origins;
    try {
      origins = AllowedOrigins.of(allowedOrigins);
    } catch (IllegalArgumentException e) {
      throw new CluWsException("--allowed-origins: " + e.getMessage());
    }
    if (reloadInterval.isNegative()) {
      throw new CluWsException("--reload-interval must not be negative");
    }
    List<Reloadable<?>> reloadables = new ArrayList<>();
    List<JwtAuthenticator> remoteKeys = new ArrayList<>();
    Authenticator authenticator = authenticator(reloadables, remoteKeys);
    Reloadable<TlsSettings> tls = tls();
    if (tls != null) {
      reloadables.add(tls);
    }
    AccessPolicy policy = AccessPolicy.ALLOW_ALL;
    if (permissions != null) {
      Path file = permissions;
      Reloadable<AccessPolicy> rules =
          Reloadable.load(
              "the permissions file", List.of(file), () -> RoleBasedAccessPolicy.load(file));
      reloadables.add(rules);
      policy = new ReloadingAccessPolicy(rules);
    }
    return new SecurityConfig(
        new SecuritySettings(
            origins, authenticator, tls == null ? null : tls.get(), metricsAccess()),
        policy,
        reloadables,
        tls,
        reloadInterval,
        remoteKeys);
  }

  private MetricsAccess metricsAccess() {
    MetricsAccess access = MetricsAccess.defaults().withRoles(metricsRoles);
    return metricsTokenFile == null ? access : access.withTokenFile(metricsTokenFile);
  }

  private Authenticator authenticator(
      List<Reloadable<?>> reloadables, List<JwtAuthenticator> remoteKeys) {
    List<Authenticator> authenticators = new ArrayList<>();
    if (tokenFile != null) {
      Path file = tokenFile;
      Reloadable<StaticTokenAuthenticator> tokens =
          Reloadable.load(
              "the token file", List.of(file), () -> StaticTokenAuthenticator.load(file));
      reloadables.add(tokens);
      authenticators.add((token, remote) -> tokens.get().authenticate(token, remote));
    }
    JwtSettings jwt =
        JwtSettings.defaults()
            .withHmacSecret(jwtSecret == null || jwtSecret.isEmpty() ? null : jwtSecret)
            .withPublicKey(jwtPublicKey)
            .withIssuer(jwtIssuer)
            .withAudience(jwtAudience)
            .withRolesClaim(jwtRolesClaim);
    if (jwtJwks != null) {
      try {
        jwt = jwtJwks.url() != null ? jwt.withJwksUrl(jwtJwks.url()) : jwt.withJwks(jwtJwks.file());
      } catch (IllegalArgumentException e) {
        throw new CluWsException("--jwt-jwks: " + e.getMessage());
      }
    }
    if (jwt.hasKey()) {
      List<Path> keyFiles = new ArrayList<>();
      if (jwt.publicKey() != null) {
        keyFiles.add(jwt.publicKey());
      }
      if (jwt.jwks() != null) {
        keyFiles.add(jwt.jwks());
      }
      JwtSettings settings = jwt;
      if (keyFiles.isEmpty()) {
        JwtAuthenticator fixed = JwtAuthenticator.create(settings);
        remoteKeys.add(fixed);
        authenticators.add(fixed);
      } else {
        Reloadable<JwtAuthenticator> keys =
            Reloadable.load("the JWT key files", keyFiles, () -> JwtAuthenticator.create(settings));
        reloadables.add(keys);
        authenticators.add((token, remote) -> keys.get().authenticate(token, remote));
        if (settings.jwksUrl() != null) {
          keys.onReload(JwtAuthenticator::prefetch);
          remoteKeys.add(keys.get());
        }
      }
    } else if (jwtIssuer != null || !jwtAudience.isEmpty()) {
      throw new CluWsException(
          "--jwt-issuer and --jwt-audience need a JWT key: --jwt-secret, --jwt-public-key or"
              + " --jwt-jwks");
    }
    return authenticators.isEmpty() ? null : Authenticator.anyOf(authenticators);
  }

  private Reloadable<TlsSettings> tls() {
    if (tlsKeystore != null && (tlsCert != null || tlsKey != null)) {
      throw new CluWsException("give either --tls-keystore or --tls-cert and --tls-key, not both");
    }
    if (tlsKeystore != null) {
      Path file = tlsKeystore;
      String password = tlsKeystorePassword;
      return Reloadable.load(
          "the TLS keystore", List.of(file), () -> TlsSettings.pkcs12(file, password));
    }
    if (tlsCert != null || tlsKey != null) {
      if (tlsCert == null || tlsKey == null) {
        throw new CluWsException("--tls-cert and --tls-key go together");
      }
      Path certificate = tlsCert;
      Path key = tlsKey;
      return Reloadable.load(
          "the TLS certificate and key",
          List.of(certificate, key),
          () -> TlsSettings.pem(certificate, key));
    }
    return null;
  }
}
