package dev.cluws.example.match;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code match} filter: a client that connects with {@code ?match=open} receives only the
 * replies that have {@code open} (in any case) in the value of one of their keywords; {@code
 * ?match=open&match.keyword=dome_status} looks in the keyword {@code dome_status} only. See the
 * {@linkplain dev.cluws.example.match package documentation} for the parameters.
 *
 * <p>Found by {@link java.util.ServiceLoader} through {@code
 * META-INF/services/dev.cluws.core.spi.ReplyFilterProvider}; it has a public no-argument
 * constructor that does nothing, and {@link #create} only checks and copies the client's
 * parameters, so it is quick and keeps no state between clients.
 */
public final class MatchFilterProvider implements ReplyFilterProvider {
  /** The provider's name, and so the query parameter that selects it. */
  public static final String NAME = "match";

  /** The option that restricts the search to some keywords ({@code match.keyword=...}). */
  public static final String KEYWORD_OPTION = "keyword";

  /** The setting that limits how many texts a client may give: {@code --filter.match.max-texts}. */
  public static final String MAX_TEXTS_SETTING = "max-texts";

  /** The most texts a client may give, unless the operator sets {@value #MAX_TEXTS_SETTING}. */
  public static final int MAX_TEXTS = 16;

  /** The highest {@value #MAX_TEXTS_SETTING} an operator may set. */
  public static final int MAX_TEXTS_LIMIT = 1024;

  /** The longest text a client may give, in characters. */
  public static final int MAX_TEXT_LENGTH = 256;

  private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /** Found by {@link java.util.ServiceLoader}; does nothing. */
  public MatchFilterProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  /** One setting: {@value #MAX_TEXTS_SETTING}, an integer from 1 to {@value #MAX_TEXTS_LIMIT}. */
  @Override
  public List<PluginSetting> settings() {
    return List.of(
        PluginSetting.integer(
            MAX_TEXTS_SETTING,
            MAX_TEXTS,
            1,
            MAX_TEXTS_LIMIT,
            "The most texts a client may give in match=..."));
  }

  /**
   * Creates the filter for the client's texts and keywords.
   *
   * @throws IllegalArgumentException when no text is given, more texts than the setting {@value
   *     #MAX_TEXTS_SETTING} allows (default {@value #MAX_TEXTS}) or a text longer than {@value
   *     #MAX_TEXT_LENGTH} characters, an option other than {@code keyword}, {@code match.keyword}
   *     without a keyword, or a keyword name with a character other than letters, digits, {@code
   *     _}, {@code .} and {@code -}
   */
  @Override
  public ReplyFilter create(FilterContext context) {
    for (String option : context.options().keySet()) {
      if (!option.equals(KEYWORD_OPTION)) {
        throw new IllegalArgumentException(
            String.format(
                "match has no option '%s' (its only option is match.%s=<keyword>)",
                option, KEYWORD_OPTION));
      }
    }
    int maxTexts = context.pluginSettings().getInt(MAX_TEXTS_SETTING);
    List<String> texts = texts(context.values(), maxTexts);
    List<String> keywords = keywords(context.options().get(KEYWORD_OPTION));
    return new MatchFilter(texts, keywords);
  }

  private static List<String> texts(List<String> values, int maxTexts) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException(
          "match needs the text to look for, e.g. match=open (several: match=open,closed)");
    }
    if (values.size() > maxTexts) {
      throw new IllegalArgumentException(
          "match takes at most " + maxTexts + " texts, not " + values.size());
    }
    for (String text : values) {
      if (text.length() > MAX_TEXT_LENGTH) {
        throw new IllegalArgumentException(
            String.format(
                "a text for match is at most %d characters long, not %d",
                MAX_TEXT_LENGTH, text.length()));
      }
    }
    return List.copyOf(values);
  }

  /** The keywords to look in, or {@code null} for every keyword. */
  private static List<String> keywords(List<String> option) {
    if (option == null) {
      return null;
    }
    if (option.isEmpty()) {
      throw new IllegalArgumentException(
          "match.keyword needs a keyword name, e.g. match.keyword=dome_status");
    }
    List<String> keywords = new ArrayList<>();
    for (String keyword : option) {
      if (!KEYWORD.matcher(keyword).matches()) {
        throw new IllegalArgumentException(
            String.format(
                "match.keyword: '%s' is not a keyword name (letters, digits, _, . and -)",
                keyword));
      }
      keywords.add(keyword);
    }
    return List.copyOf(keywords);
  }

  @Override
  public String toString() {
    return "MatchFilterProvider[" + NAME + "]";
  }
}
