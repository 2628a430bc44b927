package dev.cluws.filters;

import dev.cluws.core.spi.Glob;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of actor-name patterns in which {@code *} matches any run of characters (also none) and
 * every other character matches itself, case-sensitively.
 *
 * <p>Patterns with a star are matched by {@link Glob}, which never backtracks; names without a star
 * are looked up in a hash set. Immutable and thread-safe.
 */
final class ActorPatterns {
  private final Set<String> exact;
  private final List<Glob> globs;
  private final List<String> source;

  private ActorPatterns(Set<String> exact, List<Glob> globs, List<String> source) {
    this.exact = exact;
    this.globs = globs;
    this.source = source;
  }

  /**
   * Parses the patterns.
   *
   * @throws IllegalArgumentException when there is no pattern, or a pattern is empty or has a
   *     character other than {@code A-Z a-z 0-9 _ . - *}
   */
  static ActorPatterns parse(Collection<String> patterns) {
    if (patterns == null || patterns.isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one actor name or pattern, e.g. actors=lvmecp,lvm*");
    }
    Set<String> unique = new LinkedHashSet<>();
    for (String pattern : patterns) {
      validate(pattern);
      unique.add(pattern);
    }
    Set<String> exact = new HashSet<>();
    List<Glob> globs = new ArrayList<>();
    for (String pattern : unique) {
      if (pattern.indexOf('*') < 0) {
        exact.add(pattern);
      } else {
        globs.add(new Glob(pattern));
      }
    }
    return new ActorPatterns(Set.copyOf(exact), List.copyOf(globs), List.copyOf(unique));
  }

  private static void validate(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("an actor name or pattern must not be empty");
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (!allowed(c)) {
        throw new IllegalArgumentException(
            String.format(
                "'%s' is not a valid actor name or pattern: unexpected character '%s' at position"
                    + " %d; use letters, digits, '_', '.', '-' and the wildcard '*'",
                pattern, Character.toString(pattern.codePointAt(i)), i + 1));
      }
    }
  }

  private static boolean allowed(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-'
        || c == '*';
  }

  /** Whether the name matches at least one of the patterns. */
  boolean matches(String name) {
    if (name == null) {
      return false;
    }
    if (exact.contains(name)) {
      return true;
    }
    for (Glob glob : globs) {
      if (glob.matches(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return String.join(",", source);
  }
}
