package dev.cluws.core.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One setting a provider declares ({@link PluginProvider#settings()}): its key, type, default and
 * description. The operator gives it a value when the gateway starts (for the {@code clu-ws}
 * command: {@code --filter.<name>.<key>=<value>}, the environment variable {@code
 * CLU_WS_FILTER_<NAME>_<KEY>} or the config-file key {@code filter.<name>.<key>}; {@code source}
 * and {@code sink} for the other providers), and the provider reads it from a typed, immutable
 * {@link PluginSettings}. Instances are immutable.
 *
 * <pre>{@code
 * @Override
 * public List<PluginSetting> settings() {
 *   return List.of(
 *       PluginSetting.integer("max-texts", 16, "The most texts a client may give."));
 * }
 * }</pre>
 */
public final class PluginSetting {
  /** What a key is made of: lower-case letters, digits and {@code -}, starting with a letter. */
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]{0,63}");

  private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

  /** The type of a setting's value, and how its text is read. */
  public enum Type {
    /** Any text. */
    STRING("text"),
    /** A whole number that fits an {@code int}, e.g. {@code 16} or {@code -1}. */
    INTEGER("integer"),
    /** {@code true} or {@code false}. */
    BOOLEAN("true|false"),
    /**
     * A duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code
     * PT1M30S}).
     */
    DURATION("duration");

    private final String label;

    Type(String label) {
      this.label = label;
    }

    /**
     * How help texts show the type: {@code text}, {@code integer}, {@code true|false}, {@code
     * duration}.
     */
    public String label() {
      return label;
    }

    /**
     * The value a text stands for: a {@link String}, {@link Integer}, {@link Boolean} or {@link
     * Duration}.
     *
     * @throws IllegalArgumentException saying what a valid value looks like
     */
    public Object parse(String text) {
      Objects.requireNonNull(text, "text");
      String value = text.strip();
      switch (this) {
        case STRING:
          return text;
        case INTEGER:
          try {
            return Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "'" + text + "' is not an integer (e.g. 16; at most " + Integer.MAX_VALUE + ")");
          }
        case BOOLEAN:
          if (value.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
          }
          if (value.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
          }
          throw new IllegalArgumentException("'" + text + "' is not true or false");
        default:
          return parseDuration(text, value);
      }
    }

    private static Duration parseDuration(String text, String value) {
      String lower = value.toLowerCase(Locale.ROOT);
      Matcher simple = SIMPLE_DURATION.matcher(lower);
      if (simple.matches()) {
        long amount = Long.parseLong(simple.group(1));
        switch (simple.group(2)) {
          case "ms":
            return Duration.ofMillis(amount);
          case "s":
            return Duration.ofSeconds(amount);
          case "m":
            return Duration.ofMinutes(amount);
          default:
            return Duration.ofHours(amount);
        }
      }
      try {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (e.g. 500ms, 30s, 2m, 1h or PT1M30S)");
      }
    }

    /** A value as an operator writes it: {@code 30s} rather than {@code PT30S}. */
    String format(Object value) {
      if (!(value instanceof Duration)) {
        return String.valueOf(value);
      }
      Duration duration = (Duration) value;
      if (duration.isNegative()) {
        return duration.toString();
      }
      long millis = duration.toMillis();
      if (!Duration.ofMillis(millis).equals(duration)) {
        return duration.toString();
      }
      if (millis % 3_600_000 == 0 && millis > 0) {
        return millis / 3_600_000 + "h";
      }
      if (millis % 60_000 == 0 && millis > 0) {
        return millis / 60_000 + "m";
      }
      if (millis % 1000 == 0) {
        return millis / 1000 + "s";
      }
      return millis + "ms";
    }
  }

  private final String key;
  private final Type type;
  private final Object defaultValue;
  private final String description;
  private final int min;
  private final int max;

  private PluginSetting(String key, Type type, Object defaultValue, String description) {
    this(key, type, defaultValue, description, Integer.MIN_VALUE, Integer.MAX_VALUE);
  }

  private PluginSetting(
      String key, Type type, Object defaultValue, String description, int min, int max) {
    Objects.requireNonNull(key, "key");
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "a setting's key is 1 to 64 lower-case letters, digits and '-', starting with a letter,"
              + " not '"
              + key
              + "'");
    }
    Objects.requireNonNull(description, "description");
    if (description.isBlank()) {
      throw new IllegalArgumentException("the setting '" + key + "' needs a description");
    }
    this.key = key;
    this.type = type;
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.description = description;
    this.min = min;
    this.max = max;
    if (min > max) {
      throw new IllegalArgumentException(
          "the setting '" + key + "' has min " + min + " > max " + max);
    }
    parse(defaultText()); // the default is in range
  }

  /** A text setting. */
  public static PluginSetting string(String key, String defaultValue, String description) {
    return new PluginSetting(key, Type.STRING, defaultValue, description);
  }

  /** An integer setting. */
  public static PluginSetting integer(String key, int defaultValue, String description) {
    return new PluginSetting(key, Type.INTEGER, defaultValue, description);
  }

  /**
   * An integer setting whose value must be between {@code min} and {@code max} (inclusive), e.g. a
   * size that must be positive.
   */
  public static PluginSetting integer(
      String key, int defaultValue, int min, int max, String description) {
    return new PluginSetting(key, Type.INTEGER, defaultValue, description, min, max);
  }

  /** A true/false setting. */
  public static PluginSetting bool(String key, boolean defaultValue, String description) {
    return new PluginSetting(key, Type.BOOLEAN, defaultValue, description);
  }

  /** A duration setting. */
  public static PluginSetting duration(String key, Duration defaultValue, String description) {
    return new PluginSetting(key, Type.DURATION, defaultValue, description);
  }

  /** The key: 1 to 64 lower-case letters, digits and {@code -}, starting with a letter. */
  public String key() {
    return key;
  }

  public Type type() {
    return type;
  }

  /** The default, typed like {@link Type#parse}. */
  public Object defaultValue() {
    return defaultValue;
  }

  /** The default as an operator writes it (e.g. {@code 30s}). */
  public String defaultText() {
    return type.format(defaultValue);
  }

  /**
   * The value a text stands for (see {@link Type#parse}), checked against the setting's range.
   *
   * @throws IllegalArgumentException saying what a valid value looks like
   */
  public Object parse(String text) {
    Object value = type.parse(text);
    if (type == Type.INTEGER) {
      int number = (Integer) value;
      if (number < min || number > max) {
        throw new IllegalArgumentException("'" + text + "' is out of range (" + rangeText() + ")");
      }
    }
    return value;
  }

  /** The range of an integer setting, for the help text ({@code "1 to 100"}), or empty. */
  public String rangeText() {
    if (type != Type.INTEGER || (min == Integer.MIN_VALUE && max == Integer.MAX_VALUE)) {
      return "";
    }
    return max == Integer.MAX_VALUE
        ? "at least " + min
        : min == Integer.MIN_VALUE ? "at most " + max : min + " to " + max;
  }

  /** One or two sentences for the help text. */
  public String description() {
    return description;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PluginSetting
        && key.equals(((PluginSetting) other).key)
        && type == ((PluginSetting) other).type
        && defaultValue.equals(((PluginSetting) other).defaultValue)
        && description.equals(((PluginSetting) other).description)
        && min == ((PluginSetting) other).min
        && max == ((PluginSetting) other).max;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, type, defaultValue, description, min, max);
  }

  @Override
  public String toString() {
    return key + " (" + type.label() + ", default " + defaultText() + ")";
  }
}
