package dev.cluws.jetty.auth;

import dev.cluws.core.spi.ClientIdentity;
import dev.cluws.core.spi.CluWsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Static bearer tokens from a file, one per line: the token (or {@code sha256:} and the hex SHA-256
 * of the token, so the file need not hold the token itself), the subject, and optionally its roles
 * separated by commas. Blank lines and lines starting with {@code #} are ignored:
 *
 * <pre>
 * # token-or-sha256:hash                                                    subject  roles
 * sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8  alice    operator,viewer
 * 3b9f0c1e-7d2a-4e55-9a0b-1c2d3e4f5a6b                                     panel    viewer
 * </pre>
 *
 * <p>A presented token is hashed and looked up by its hash, so lookups take the same time for every
 * token. Error messages name the file and the line, never a token.
 */
public final class StaticTokenAuthenticator implements Authenticator {
  private static final String SHA256_PREFIX = "sha256:";

  private record Entry(String subject, Set<String> roles) {}

  private final Map<String, Entry> byHash;

  private StaticTokenAuthenticator(Map<String, Entry> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  /**
   * Reads a token file.
   *
   * @throws CluWsException naming the file (and line) when it cannot be read or is malformed
   */
  public static StaticTokenAuthenticator load(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CluWsException("token file " + file + " does not exist");
    } catch (IOException e) {
      throw new CluWsException("cannot read token file " + file + ": " + e.getMessage(), e);
    }
    Map<String, Entry> byHash = new HashMap<>();
    int number = 0;
    for (String line : lines) {
      number++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      if (fields.length < 2 || fields.length > 3) {
        throw new CluWsException(
            "token file "
                + file
                + ", line "
                + number
                + ": expected '<token or sha256:hash> <subject> [role,role,...]', got "
                + fields.length
                + " field(s)");
      }
      String hash;
      if (fields[0].regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
        hash = fields[0].substring(SHA256_PREFIX.length()).toLowerCase(Locale.ROOT);
        if (!hash.matches("[0-9a-f]{64}")) {
          throw new CluWsException(
              "token file " + file + ", line " + number + ": a sha256: hash must be 64 hex digits");
        }
      } else {
        hash = sha256(fields[0]);
      }
      Set<String> roles = new LinkedHashSet<>();
      if (fields.length == 3) {
        for (String role : fields[2].split(",")) {
          if (!role.isBlank()) {
            roles.add(role.strip());
          }
        }
      }
      if (byHash.putIfAbsent(hash, new Entry(fields[1], Set.copyOf(roles))) != null) {
        throw new CluWsException(
            "token file " + file + ", line " + number + ": the same token is listed twice");
      }
    }
    if (byHash.isEmpty()) {
      throw new CluWsException("token file " + file + " has no tokens");
    }
    return new StaticTokenAuthenticator(byHash);
  }

  /** How many tokens the file holds. */
  public int size() {
    return byHash.size();
  }

  @Override
  public ClientIdentity authenticate(String token, String remoteAddress) {
    Entry entry = byHash.get(sha256(token));
    if (entry == null) {
      throw new AuthenticationException("unknown token", false);
    }
    return new ClientIdentity(entry.subject(), entry.roles(), remoteAddress);
  }

  /** The lower-case hex SHA-256 of a token's UTF-8 bytes (for {@code sha256:} lines). */
  public static String sha256(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "StaticTokenAuthenticator[" + byHash.size() + " token(s)]";
  }
}
