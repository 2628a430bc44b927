package dev.cluws.example.match;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import java.util.List;

/**
 * One client's {@code match} filter: denies the replies that do not have one of the texts in a
 * keyword value, and has no opinion about the others. It reads the body tree the gateway parsed
 * once for every client (never the raw bytes), allocates nothing per reply, changes nothing, and
 * keeps no state but its immutable parameters, so it is thread-safe.
 */
final class MatchFilter implements ReplyFilter {
  /** Values nested deeper than this (lists of lists...) are not searched. */
  static final int MAX_DEPTH = 16;

  private final String[] texts;

  /** The keywords to look in; {@code null} for every keyword. */
  private final String[] keywords;

  MatchFilter(List<String> texts, List<String> keywords) {
    this.texts = texts.toArray(new String[0]);
    this.keywords = keywords == null ? null : keywords.toArray(new String[0]);
  }

  @Override
  public Verdict verdict(Reply reply) {
    // Only actors' data gets here: the gateway lets its own frames (errors, status) through itself.
    return matches(reply.body()) ? Verdict.NEUTRAL : Verdict.DENY;
  }

  /** Whether a body has one of the texts in the value of one of the keywords looked at. */
  boolean matches(JsonNode body) {
    if (!body.isObject()) {
      return false; // no keywords at all
    }
    if (keywords == null) {
      for (JsonNode value : body) {
        if (contains(value, 0)) {
          return true;
        }
      }
      return false;
    }
    for (String keyword : keywords) {
      JsonNode value = body.get(keyword);
      if (value != null && contains(value, 0)) {
        return true;
      }
    }
    return false;
  }

  private boolean contains(JsonNode value, int depth) {
    if (value.isTextual()) {
      return containsAnyText(value.textValue());
    }
    if (value.isContainerNode()) {
      if (depth >= MAX_DEPTH) {
        return false;
      }
      for (JsonNode element : value) {
        if (contains(element, depth + 1)) {
          return true;
        }
      }
      return false;
    }
    if (value.isNull() || value.isMissingNode()) {
      return false;
    }
    return containsAnyText(value.asText()); // numbers and booleans as JSON writes them
  }

  private boolean containsAnyText(String value) {
    for (String text : texts) {
      if (containsIgnoreCase(value, text)) {
        return true;
      }
    }
    return false;
  }

  /** {@code haystack.toLowerCase().contains(needle.toLowerCase())} without making new strings. */
  static boolean containsIgnoreCase(String haystack, String needle) {
    int last = haystack.length() - needle.length();
    for (int start = 0; start <= last; start++) {
      if (haystack.regionMatches(true, start, needle, 0, needle.length())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "match "
        + String.join(",", texts)
        + (keywords == null ? " in any keyword" : " in " + String.join(",", keywords));
  }
}
