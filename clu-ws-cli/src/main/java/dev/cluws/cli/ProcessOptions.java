package dev.cluws.cli;

import dev.cluws.cli.demo.DemoSettings;
import dev.cluws.cli.logging.LogFormat;
import dev.cluws.core.spi.CluWsException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** What the {@code clu-ws} process does besides the gateway: its log format, the demo actor. */
final class ProcessOptions {
  @Option(
      names = "--log-format",
      paramLabel = "<format>",
      defaultValue = "text",
      converter = LogFormatConverter.class,
      description =
          "Log lines as text (readable) or json (one JSON object per line, for log shippers)"
              + " (default: ${DEFAULT-VALUE}).")
  LogFormat logFormat = LogFormat.TEXT;

  @Option(
      names = "--demo",
      description =
          "Also run a demo CLU actor on the same broker and exchange: it answers ping, status and"
              + " help, and broadcasts a changing status every few seconds.")
  boolean demo;

  @Option(
      names = "--demo-actor-name",
      paramLabel = "<name>",
      defaultValue = DemoSettings.DEFAULT_ACTOR_NAME,
      description = "Name of the --demo actor (default: ${DEFAULT-VALUE}).")
  String demoActorName = DemoSettings.DEFAULT_ACTOR_NAME;

  /**
   * The settings these options ask for.
   *
   * @throws CluWsException when the demo actor's name is not usable
   */
  ProcessSettings settings() {
    DemoSettings demoSettings = DemoSettings.OFF;
    if (demo) {
      try {
        demoSettings = DemoSettings.actor(demoActorName);
      } catch (IllegalArgumentException e) {
        throw new CluWsException("--demo-actor-name: " + e.getMessage());
      }
    }
    return new ProcessSettings(logFormat, demoSettings);
  }

  /** {@code text} or {@code json}, in any case. */
  static final class LogFormatConverter implements ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
      try {
        return LogFormat.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
