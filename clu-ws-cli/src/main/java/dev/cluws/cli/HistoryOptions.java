package dev.cluws.cli;

import dev.cluws.amqp.history.HistorySettings;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Scaling out: the shared history stream every instance of the gateway reads (opt-in). */
final class HistoryOptions {
  @Option(
      names = "--history-stream",
      paramLabel = "<name>",
      description =
          "Keep every reply in this RabbitMQ stream, shared by every instance that names it: the"
              + " state is rebuilt from it at start, and clients can ask it for history"
              + " (default: off).")
  String stream;

  @Option(
      names = "--history-max-age",
      paramLabel = "<duration>",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description = "How long the history stream keeps a reply (default: ${DEFAULT-VALUE}).")
  Duration maxAge = HistorySettings.DEFAULT_MAX_AGE;

  @Option(
      names = "--history-max-bytes",
      paramLabel = "<size>",
      defaultValue = "1GB",
      converter = SizeConverter.class,
      description =
          "How much the history stream keeps at most, e.g. 500MB, 2GB (default: ${DEFAULT-VALUE}).")
  long maxBytes = HistorySettings.DEFAULT_MAX_BYTES;

  /** The history's settings, or {@code null} without {@code --history-stream}. */
  HistorySettings settings() {
    if (stream == null || stream.isBlank()) {
      return null;
    }
    return HistorySettings.named(stream.trim()).withRetention(maxAge, maxBytes);
  }

  /** Sizes: a number of bytes, or with kB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB. */
  static final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]i?b|b)?");

    @Override
    public Long convert(String value) {
      return parse(value);
    }

    static long parse(String text) {
      Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException(
            "invalid size '" + text + "': use e.g. 1000000, 500MB, 2GB or 1GiB");
      }
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "b" : m.group(2);
      long factor =
          switch (unit) {
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> 1L;
          };
      return Math.multiplyExact(amount, factor);
    }
  }
}
