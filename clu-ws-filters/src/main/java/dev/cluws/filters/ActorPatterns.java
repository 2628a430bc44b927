package dev.cluws.filters;

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
 * <p>Matching never backtracks: a pattern is split at its stars into literal pieces; the first
 * piece must start the name, the last must end it, and each piece in between is found left to right
 * with {@link String#indexOf(String, int)}, each search starting where the previous piece ended
 * (the leftmost match is always the best choice). So a match costs at most about {@code name length
 * × pattern length} character comparisons, whatever the pattern, unlike a backtracking regex such
 * as {@code (.*a)*b}. Names without a star are looked up in a hash set. Immutable and thread-safe.
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

  /** One pattern with at least one star. */
  private static final class Glob {
    private final String prefix;
    private final String[] middle;
    private final String suffix;
    private final int minLength;

    Glob(String pattern) {
      String[] pieces = pattern.split("\\*", -1); // at least two, as the pattern has a star
      prefix = pieces[0];
      suffix = pieces[pieces.length - 1];
      List<String> inner = new ArrayList<>();
      int length = prefix.length() + suffix.length();
      for (int i = 1; i < pieces.length - 1; i++) {
        if (!pieces[i].isEmpty()) { // "a**b" is "a*b"
          inner.add(pieces[i]);
          length += pieces[i].length();
        }
      }
      middle = inner.toArray(new String[0]);
      minLength = length;
    }

    boolean matches(String name) {
      if (name.length() < minLength || !name.startsWith(prefix) || !name.endsWith(suffix)) {
        return false;
      }
      int from = prefix.length();
      int end = name.length() - suffix.length();
      for (String piece : middle) {
        int at = name.indexOf(piece, from);
        if (at < 0 || at + piece.length() > end) {
          return false;
        }
        from = at + piece.length();
      }
      return true;
    }
  }
}
