package dev.cluws.jetty.auth;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who may read {@code /metrics} when it needs a token: its meters name every actor and show all
 * traffic, so a valid client token is not enough. Allowed are
 *
 * <ul>
 *   <li>a bearer token (static or JWT) whose subject has one of the {@link #roles() metrics roles}
 *       ({@value #DEFAULT_ROLE} by default); any other valid token gets 403;
 *   <li>a dedicated metrics token ({@link #withTokenFile}), e.g. Prometheus's {@code
 *       credentials_file}: it reads {@code /metrics} and opens nothing else (a websocket upgrade
 *       with it gets 401). With metrics tokens, {@code /metrics} needs a token even when the
 *       websockets need none.
 * </ul>
 */
public final class MetricsAccess {
  /** The role whose tokens read {@code /metrics} unless configured otherwise. */
  public static final String DEFAULT_ROLE = "operator";

  private static final String SHA256_PREFIX = "sha256:";
  private static final MetricsAccess DEFAULTS = new MetricsAccess(Set.of(DEFAULT_ROLE), List.of());

  private final Set<String> roles;
  private final List<byte[]> tokenHashes;

  private MetricsAccess(Set<String> roles, List<byte[]> tokenHashes) {
    this.roles = Set.copyOf(roles);
    this.tokenHashes = List.copyOf(tokenHashes);
  }

  /** Tokens with the role {@value #DEFAULT_ROLE}; no metrics token. */
  public static MetricsAccess defaults() {
    return DEFAULTS;
  }

  /**
   * The roles whose tokens read {@code /metrics} instead (blank entries ignored; none means no
   * client token does, only a metrics token).
   */
  public MetricsAccess withRoles(Collection<String> newRoles) {
    Set<String> cleaned = new LinkedHashSet<>();
    for (String role : newRoles) {
      if (role != null && !role.isBlank()) {
        cleaned.add(role.strip());
      }
    }
    return new MetricsAccess(cleaned, tokenHashes);
  }

  /** The dedicated metrics tokens given as they are (for a library user; the CLI reads a file). */
  public MetricsAccess withTokens(Collection<String> tokens) {
    List<byte[]> hashes = tokens.stream().map(MetricsAccess::sha256).toList();
    return new MetricsAccess(roles, hashes);
  }

  /**
   * The dedicated metrics tokens from a file: one per line, the token itself or {@code sha256:} and
   * the hex SHA-256 of its UTF-8 bytes; blank lines and lines starting with {@code #} are skipped.
   *
   * @throws CluWsException naming the file (and line) when it cannot be read, is malformed or holds
   *     no token
   */
  public MetricsAccess withTokenFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CluWsException("metrics token file " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException("cannot read metrics token file " + file + ": " + e.getMessage(), e);
    }
    List<byte[]> hashes = new ArrayList<>();
    int number = 0;
    for (String line : lines) {
      number++;
      String token = line.strip();
      if (token.isEmpty() || token.startsWith("#")) {
        continue;
      }
      if (token.chars().anyMatch(Character::isWhitespace)) {
        throw new CluWsException(
            "metrics token file " + file + ", line " + number + ": one token per line, no spaces");
      }
      if (token.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
        String hex = token.substring(SHA256_PREFIX.length()).toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
          throw new CluWsException(
              "metrics token file "
                  + file
                  + ", line "
                  + number
                  + ": a sha256: hash must be 64 hex digits");
        }
        hashes.add(HexFormat.of().parseHex(hex));
      } else {
        hashes.add(sha256(token));
      }
    }
    if (hashes.isEmpty()) {
      throw new CluWsException("metrics token file " + file + " has no tokens");
    }
    return new MetricsAccess(roles, hashes);
  }

  /** The roles whose tokens read {@code /metrics}. */
  public Set<String> roles() {
    return roles;
  }

  /** Whether dedicated metrics tokens are configured. */
  public boolean hasTokens() {
    return !tokenHashes.isEmpty();
  }

  /** Whether {@code token} is one of the dedicated metrics tokens (compared in constant time). */
  public boolean isMetricsToken(String token) {
    if (token == null || tokenHashes.isEmpty()) {
      return false;
    }
    byte[] hash = sha256(token);
    boolean found = false;
    for (byte[] candidate : tokenHashes) {
      found |= MessageDigest.isEqual(candidate, hash);
    }
    return found;
  }

  /** Whether an authenticated client may read {@code /metrics}: it has one of the roles. */
  public boolean allows(ClientIdentity identity) {
    for (String role : identity.roles()) {
      if (roles.contains(role)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] sha256(String token) {
    return HexFormat.of().parseHex(StaticTokenAuthenticator.sha256(token));
  }

  /** The roles and how many metrics tokens, never the tokens or their hashes. */
  @Override
  public String toString() {
    return "MetricsAccess[roles=" + roles + ", " + tokenHashes.size() + " metrics token(s)]";
  }
}
