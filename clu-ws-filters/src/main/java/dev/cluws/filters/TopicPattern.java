package dev.cluws.filters;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An AMQP topic pattern, matched like a RabbitMQ topic exchange matches a binding key: the pattern
 * and the routing key are split into words at {@code .}; {@code *} matches exactly one word and
 * {@code #} zero or more words; every other word matches itself, case-sensitively. An empty key has
 * no words (so only {@code #} matches it); {@code a..b} has three, the middle one empty.
 *
 * <p>Matching never backtracks: it runs the pattern as a set of positions over the key's words, so
 * it costs at most (words in the key) × (words in the pattern) steps whatever the pattern, and it
 * splits nothing (no allocation beyond two small arrays). Immutable and thread-safe.
 */
final class TopicPattern {
  /** AMQP's limit on a routing or binding key (a short string). */
  static final int MAX_BYTES = 255;

  private static final String ONE = "*";
  private static final String ANY = "#";

  private final String source;
  private final String[] words;
  private final boolean wildcard;

  private TopicPattern(String source, String[] words, boolean wildcard) {
    this.source = source;
    this.words = words;
    this.wildcard = wildcard;
  }

  /**
   * Compiles a pattern.
   *
   * @throws IllegalArgumentException when the pattern is empty, longer than 255 bytes, or has a
   *     word that mixes {@code *} or {@code #} with other characters (like {@code re*ly})
   */
  static TopicPattern parse(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      throw new IllegalArgumentException("a routing pattern must not be empty");
    }
    if (pattern.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException(
          String.format(
              "the routing pattern '%s...' is longer than %d bytes, AMQP's limit for a routing key",
              pattern.substring(0, pattern.offsetByCodePoints(0, 20)), MAX_BYTES));
    }
    List<String> words = split(pattern);
    boolean wildcard = false;
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals(ONE) || word.equals(ANY)) {
        wildcard = true;
      } else if (word.indexOf('*') >= 0 || word.indexOf('#') >= 0) {
        throw new IllegalArgumentException(
            String.format(
                "'%s' is not a valid routing pattern: word %d, '%s', mixes a wildcard with other"
                    + " characters; a wildcard is a whole word between dots: '*' for exactly one"
                    + " word, '#' for zero or more (e.g. reply.* or reply.#)",
                pattern, i + 1, word));
      }
    }
    return new TopicPattern(pattern, words.toArray(new String[0]), wildcard);
  }

  /** The pattern's words, as RabbitMQ splits a key: none for {@code ""}. */
  private static List<String> split(String key) {
    List<String> words = new ArrayList<>();
    if (key.isEmpty()) {
      return words;
    }
    int start = 0;
    while (true) {
      int dot = key.indexOf('.', start);
      if (dot < 0) {
        words.add(key.substring(start));
        return words;
      }
      words.add(key.substring(start, dot));
      start = dot + 1;
    }
  }

  /** Whether the pattern has a wildcard word ({@code *} or {@code #}). */
  boolean hasWildcard() {
    return wildcard;
  }

  /** Whether the routing key matches the pattern ({@code null} never does). */
  boolean matches(String key) {
    if (key == null) {
      return false;
    }
    if (!wildcard) {
      return source.equals(key);
    }
    int m = words.length;
    // live[i]: the first i pattern words can match the key words read so far
    boolean[] live = new boolean[m + 1];
    boolean[] next = new boolean[m + 1];
    live[0] = true;
    close(live);
    if (!key.isEmpty()) {
      int start = 0;
      while (true) {
        int dot = key.indexOf('.', start);
        int end = dot < 0 ? key.length() : dot;
        boolean any = false;
        for (int i = 0; i <= m; i++) {
          next[i] = false;
        }
        for (int i = 0; i < m; i++) {
          if (!live[i]) {
            continue;
          }
          String word = words[i];
          if (word.equals(ANY)) {
            next[i] = true; // '#' eats this word and stays
            any = true;
          } else if (word.equals(ONE) || sameWord(word, key, start, end)) {
            next[i + 1] = true;
            any = true;
          }
        }
        if (!any) {
          return false;
        }
        close(next);
        boolean[] swap = live;
        live = next;
        next = swap;
        if (dot < 0) {
          break;
        }
        start = dot + 1;
      }
    }
    return live[m];
  }

  /** Adds the positions reachable by letting each live {@code #} match no word. */
  private void close(boolean[] states) {
    for (int i = 0; i < words.length; i++) {
      if (states[i] && words[i].equals(ANY)) {
        states[i + 1] = true;
      }
    }
  }

  private static boolean sameWord(String word, String key, int start, int end) {
    return word.length() == end - start && key.startsWith(word, start);
  }

  @Override
  public String toString() {
    return source;
  }
}
