package dev.cluws.cli;

import dev.cluws.cli.logging.LogFormat;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How the {@code clu-ws} process runs: its config file, its log format, help and version. */
final class ProcessOptions {
  @Option(
      names = ConfigDefaults.CONFIG_OPTION,
      paramLabel = "<file>",
      description =
          "Config file (Java properties: option name without '--' = value) for any option;"
              + " flags and the environment win over it (default: $CLU_WS_CONFIG).")
  Path config;

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
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--help-plugins",
      description =
          "Show the plugins found (filters, sources, sinks) and their settings"
              + " (--filter.<name>.<key>=<value> and the like), and exit.")
  boolean helpPlugins;

  @Option(
      names = {"-V", "--version"},
      versionHelp = true,
      description = "Print version information and exit.")
  boolean version;

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
