package dev.cluws.jetty.auth;

import dev.cluws.core.spi.Glob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The web origins whose pages may open a websocket, against cross-site websocket hijacking: a
 * browser sends the {@code Origin} of the page that opens a websocket, and an upgrade from an
 * origin not on the list is refused with 403.
 *
 * <p>Each entry is an origin as browsers send it ({@code scheme://host[:port]}) in which {@code *}
 * matches any run of characters, case-insensitively: {@code https://ops.example.org}, {@code
 * https://*.example.org}, {@code http://localhost:*}; a lone {@code *} allows every origin. An
 * empty list allows every origin (CLU's behaviour). A request without an {@code Origin} header does
 * not come from a web page (browsers always send it on websockets) and is allowed; the string
 * {@code null} (sandboxed or file pages) is allowed only when listed.
 */
public final class AllowedOrigins {
  private static final AllowedOrigins ANY = new AllowedOrigins(List.of(), List.of());

  private final List<String> entries;
  private final List<Glob> globs;

  private AllowedOrigins(List<String> entries, List<Glob> globs) {
    this.entries = entries;
    this.globs = globs;
  }

  /** Every origin is allowed. */
  public static AllowedOrigins any() {
    return ANY;
  }

  /**
   * The given origins (patterns); an empty list allows every origin.
   *
   * @throws IllegalArgumentException for an entry with a path, a query or spaces
   */
  public static AllowedOrigins of(List<String> origins) {
    List<String> entries = new ArrayList<>();
    List<Glob> globs = new ArrayList<>();
    for (String origin : origins) {
      String entry = origin == null ? "" : origin.strip();
      if (entry.endsWith("/")) {
        entry = entry.substring(0, entry.length() - 1);
      }
      if (entry.isEmpty()) {
        continue;
      }
      int scheme = entry.indexOf("://");
      String rest = scheme < 0 ? entry : entry.substring(scheme + 3);
      if (entry.chars().anyMatch(Character::isWhitespace)
          || rest.indexOf('/') >= 0
          || rest.indexOf('?') >= 0
          || rest.indexOf('#') >= 0) {
        throw new IllegalArgumentException(
            "'"
                + origin
                + "' is not an origin: expected scheme://host[:port], e.g."
                + " https://ops.example.org or https://*.example.org");
      }
      entries.add(entry);
      globs.add(new Glob(entry.toLowerCase(Locale.ROOT)));
    }
    return entries.isEmpty() ? ANY : new AllowedOrigins(List.copyOf(entries), List.copyOf(globs));
  }

  /** Whether every origin is allowed (no list configured). */
  public boolean allowsAny() {
    return globs.isEmpty();
  }

  /**
   * Whether a page from {@code origin} (the header's value, {@code null} when absent) may connect.
   */
  public boolean allows(String origin) {
    if (globs.isEmpty() || origin == null) {
      return true;
    }
    String normalized = origin.strip().toLowerCase(Locale.ROOT);
    for (Glob glob : globs) {
      if (glob.matches(normalized)) {
        return true;
      }
    }
    return false;
  }

  /** The entries as configured. */
  public List<String> entries() {
    return entries;
  }

  @Override
  public String toString() {
    return globs.isEmpty() ? "any origin" : String.join(", ", entries);
  }
}
