package dev.cluws.cli.logging;

import java.util.Locale;

/** How the distribution writes log events. */
public enum LogFormat {
  /** One readable line per event: time, level, thread, logger, message (and a stack trace). */
  TEXT,
  /**
   * One JSON object per line, for log shippers: {@code timestamp} (milliseconds since the epoch),
   * {@code level}, {@code threadName}, {@code loggerName}, {@code mdc}, {@code formattedMessage},
   * {@code throwable}.
   */
  JSON;

  /**
   * The format named {@code name}, in any case ({@code text}, {@code json}).
   *
   * @throws IllegalArgumentException for any other name
   */
  public static LogFormat parse(String name) {
    String key = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
    for (LogFormat format : values()) {
      if (format.name().equals(key)) {
        return format;
      }
    }
    throw new IllegalArgumentException("unknown log format '" + name + "': use text or json");
  }

  /** The name used in options and the environment: {@code text} or {@code json}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
