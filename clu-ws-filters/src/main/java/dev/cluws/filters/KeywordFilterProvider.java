package dev.cluws.filters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The {@code keywords} filter: a client that connects with {@code ?keywords=dome_status,text}
 * receives only the replies whose body has at least one of these keywords (top-level fields), and
 * each body trimmed to those keywords, in the body's own order. A reply whose body has only wanted
 * keywords is passed on as it is (the same frame every client gets). Keywords are matched exactly
 * and case-sensitively. Snapshot frames are filtered and trimmed like any reply.
 *
 * <p>The body is the gateway's parsed tree, shared by every client: it is never changed nor parsed
 * again; a trimmed reply gets a new body object that shares the kept values. Clients that want the
 * same keywords share the trimmed reply too: the provider remembers its last few trims (a small
 * lossy cache keyed by the reply's identity and the set of keywords), so a reply fanned out to many
 * such clients is trimmed about once per set of keywords, not once per client. See the {@linkplain
 * dev.cluws.filters package documentation}.
 */
public final class KeywordFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "keywords";

  /** How many recent trims the provider remembers (a power of two). */
  private static final int RECENT = 16;

  /** The last trims, one per slot, shared by every filter this provider creates. */
  private final AtomicReferenceArray<Trim> recent = new AtomicReferenceArray<>(RECENT);

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public KeywordFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /**
   * Creates the filter for the client's keywords.
   *
   * @throws IllegalArgumentException when no keyword is given, a keyword has a character other than
   *     letters, digits, {@code _}, {@code .} and {@code -}, or an option is given
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    Parameters.noOptions(NAME, context, "keywords=dome_status,text");
    List<String> values = context.values();
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "give at least one keyword, e.g. keywords=dome_status,text");
    }
    Set<String> keywords = new LinkedHashSet<>();
    for (String keyword : values) {
      validate(keyword);
      keywords.add(keyword);
    }
    return new KeywordFilter(keywords, recent);
  }

  private static void validate(String keyword) {
    for (int i = 0; i < keyword.length(); i++) {
      char c = keyword.charAt(i);
      boolean allowed =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (!allowed) {
        String why =
            c == '*' || c == '?'
                ? "keywords are matched exactly, without wildcards"
                : "use letters, digits, '_', '.' and '-'";
        throw new IllegalArgumentException(
            String.format(
                "'%s' is not a valid keyword: unexpected character '%s' at position %d; %s",
                keyword, Parameters.characterAt(keyword, i), i + 1, why));
      }
    }
  }

  /** One trim: {@code in} (by identity) trimmed to the keywords {@code key} is {@code out}. */
  private record Trim(Reply in, String key, Reply out) {}

  /** Denies bodies without a wanted keyword and trims the others to the wanted keywords. */
  private static final class KeywordFilter implements ReplyFilter {
    private final String[] keywords;
    private final Set<String> wanted;
    private final AtomicReferenceArray<Trim> recent;

    /** The wanted keywords sorted and joined: equal for every filter that trims alike. */
    private final String key;

    private final int slot;

    KeywordFilter(Set<String> keywords, AtomicReferenceArray<Trim> recent) {
      this.keywords = keywords.toArray(new String[0]);
      this.wanted = Set.copyOf(keywords);
      this.recent = recent;
      this.key = String.join(",", new TreeSet<>(keywords));
      int hash = key.hashCode();
      this.slot = (hash ^ (hash >>> 16)) & (recent.length() - 1);
    }

    @Override
    public Verdict verdict(Reply reply) {
      return present(reply.body()) > 0 ? Verdict.NEUTRAL : Verdict.DENY;
    }

    /**
     * The body trimmed to the wanted keywords: the same reply when nothing is trimmed away (also
     * for a body that is not an object), an empty body when a reply with none of them was accepted
     * by an earlier filter.
     */
    @Override
    @SuppressWarnings("ReferenceEquality") // the cache is of the last reply instance
    public Reply map(Reply reply) {
      JsonNode body = reply.body();
      if (!body.isObject()) {
        return reply;
      }
      int kept = present(body);
      if (kept == body.size()) {
        return reply;
      }
      Trim last = recent.get(slot);
      if (last != null && last.in() == reply && last.key().equals(key)) {
        return last.out();
      }
      Map<String, JsonNode> fields = new LinkedHashMap<>(kept * 2);
      for (Map.Entry<String, JsonNode> field : body.properties()) {
        if (wanted.contains(field.getKey())) {
          fields.put(field.getKey(), field.getValue());
        }
      }
      Reply trimmed = reply.withBody(new ObjectNode(JsonNodeFactory.instance, fields));
      recent.set(slot, new Trim(reply, key, trimmed));
      return trimmed;
    }

    /** How many of the wanted keywords the body has (0 for a body that is not an object). */
    private int present(JsonNode body) {
      if (!body.isObject()) {
        return 0;
      }
      int count = 0;
      for (String keyword : keywords) {
        if (body.has(keyword)) {
          count++;
        }
      }
      return count;
    }

    @Override
    public String toString() {
      return "keywords " + String.join(",", keywords);
    }
  }
}
