package dev.cluws.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * Durations on the command line: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h} or ISO-8601.
 */
final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  static Duration parse(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    Matcher simple = SIMPLE.matcher(value);
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
          "invalid duration '" + text + "': use e.g. 30s, 2m, 1h or PT1M30S");
    }
  }
}
