package dev.cluws.core.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * A name pattern in which {@code *} matches any run of characters (also none) and every other
 * character matches itself, case-sensitively. Matching never backtracks: the pattern is split at
 * its stars into literal pieces, the first must start the name, the last must end it, and each
 * piece in between is found left to right, so a match costs at most about name length × pattern
 * length character comparisons whatever the pattern. Immutable and thread-safe.
 */
public final class Glob {
  private final String pattern;
  private final List<String> pieces;
  private final boolean leadingStar;
  private final boolean trailingStar;

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException when the pattern is empty
   */
  public Glob(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a pattern must not be empty");
    }
    this.pattern = pattern;
    this.leadingStar = pattern.startsWith("*");
    this.trailingStar = pattern.endsWith("*");
    List<String> parts = new ArrayList<>();
    for (String piece : pattern.split("\\*", -1)) {
      if (!piece.isEmpty()) {
        parts.add(piece);
      }
    }
    this.pieces = List.copyOf(parts);
  }

  /** Whether the pattern is only stars, so it matches every name. */
  public boolean matchesEverything() {
    return pieces.isEmpty() && leadingStar;
  }

  /** Whether the whole name matches ({@code null} never does). */
  public boolean matches(String name) {
    if (name == null) {
      return false;
    }
    if (pattern.indexOf('*') < 0) {
      return pattern.equals(name);
    }
    int position = 0;
    int end = name.length();
    int first = 0;
    int last = pieces.size();
    if (!leadingStar) {
      String head = pieces.get(0);
      if (!name.startsWith(head)) {
        return false;
      }
      position = head.length();
      first = 1;
    }
    if (!trailingStar && last > first) {
      String tail = pieces.get(last - 1);
      if (!name.endsWith(tail) || end - tail.length() < position) {
        return false;
      }
      end -= tail.length();
      last--;
    }
    for (int i = first; i < last; i++) {
      int found = name.indexOf(pieces.get(i), position);
      if (found < 0 || found + pieces.get(i).length() > end) {
        return false;
      }
      position = found + pieces.get(i).length();
    }
    return true;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
