package dev.cluws.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The files of the distribution that are made from the command's options, so that they list every
 * option with its current text and default: {@code etc/clu-ws.properties} (every option, commented
 * out, default shown), the man page {@code man/man1/clu-ws.1} and the bash completion {@code
 * completion/clu-ws.bash}. The build runs {@link #main} on the assembled folder; a test compares
 * the shipped files with what the options say now.
 */
public final class DistributionFiles {
  static final String PROPERTIES = "etc/clu-ws.properties";
  static final String MAN_PAGE = "man/man1/clu-ws.1";
  static final String COMPLETION = "completion/clu-ws.bash";

  private static final int WIDTH = 100;

  private DistributionFiles() {}

  /** Writes the files into the distribution folder {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path folder = Path.of(args[0]);
    write(folder.resolve(PROPERTIES), properties());
    write(folder.resolve(MAN_PAGE), manPage());
    write(folder.resolve(COMPLETION), completion());
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** The command's model, as {@code clu-ws --help} shows it (no environment, no config file). */
  static CommandLine commandLine() {
    return new CommandLine(new CluWsCommand(Map.of(), (g, a, s, w, x, p) -> 0));
  }

  /** A sample config file: every option, commented out, with its default when it has one. */
  static String properties() {
    StringBuilder out = new StringBuilder();
    out.append(
        "# clu-ws configuration: every option of clu-ws, commented out, with its default.\n");
    out.append("# Use it with `clu-ws --config <this file>` (or CLU_WS_CONFIG=<this file>).\n");
    out.append("# A key is the long option name without '--'; flags take true or false.\n");
    out.append("# Flags on the command line win over the environment (CLU_WS_<OPTION>), which\n");
    out.append(
        "# wins over this file. `<key>-file = <path>` reads a value (a secret) from a file.\n");
    out.append(
        "# Relative paths are relative to this file's folder. An unknown key is an error.\n");
    for (ArgGroupSpec group : commandLine().getCommandSpec().argGroups()) {
      String heading = heading(group);
      out.append("\n# ").append("=".repeat(WIDTH - 2)).append('\n');
      out.append("# ").append(heading).append('\n');
      out.append("# ").append("=".repeat(WIDTH - 2)).append('\n');
      for (OptionSpec option : group.options()) {
        if (option.usageHelp()
            || option.versionHelp()
            || option.longestName().equals(ConfigDefaults.CONFIG_OPTION)) {
          continue;
        }
        out.append('\n');
        for (String line : wrap(description(option), WIDTH - 2)) {
          out.append("# ").append(line).append('\n');
        }
        out.append('#').append(ConfigDefaults.key(option)).append(" =");
        String value = defaultText(option);
        if (!value.isEmpty()) {
          out.append(' ').append(value);
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** The option's description as {@code --help} shows it, in one paragraph. */
  static String description(OptionSpec option) {
    return String.join(" ", option.description()).replace("${DEFAULT-VALUE}", defaultText(option));
  }

  /** The default as a config file would write it; empty when the option has none. */
  static String defaultText(OptionSpec option) {
    if (option.arity().max() == 0) {
      return "false";
    }
    String value = option.defaultValue();
    return value == null ? "" : value;
  }

  /** The man page, in man(7) roff, with one section per topic of {@code --help}. */
  static String manPage() {
    CommandSpec spec = commandLine().getCommandSpec();
    StringBuilder out = new StringBuilder();
    out.append(".TH CLU-WS 1 \"\" \"clu-ws ")
        .append(roff(VersionProvider.version()))
        .append("\" \"User Commands\"\n");
    out.append(".SH NAME\nclu-ws \\- a websocket gateway to CLU actors on RabbitMQ\n");
    out.append(".SH SYNOPSIS\n.B clu-ws\n[\\fIOPTION\\fR]...\n");
    out.append(".SH DESCRIPTION\n");
    for (String paragraph : spec.usageMessage().description()) {
      if (!paragraph.isBlank()) {
        out.append(roff(paragraph)).append('\n');
      }
    }
    for (ArgGroupSpec group : spec.argGroups()) {
      out.append(".SH ").append(heading(group).toUpperCase(Locale.ROOT)).append('\n');
      for (OptionSpec option : group.options()) {
        out.append(".TP\n");
        List<String> names = new ArrayList<>();
        for (String name : option.names()) {
          names.add("\\fB" + roff(name) + "\\fR");
        }
        out.append(String.join(", ", names));
        if (option.arity().max() > 0) {
          String label = option.paramLabel();
          out.append(option.arity().min() == 0 ? "[=\\fI" : "=\\fI")
              .append(roff(label))
              .append(option.arity().min() == 0 ? "\\fR]" : "\\fR");
        }
        out.append('\n');
        out.append(roff(description(option))).append('\n');
      }
    }
    out.append(".SH ENVIRONMENT AND CONFIGURATION FILE\n");
    for (String paragraph : spec.usageMessage().footer()) {
      if (!paragraph.isBlank()) {
        out.append(roff(paragraph)).append('\n');
      }
    }
    out.append(".SH EXIT STATUS\n")
        .append(".TP\n0\nthe server stopped by itself.\n")
        .append(
            ".TP\n1\ncannot start: the broker cannot be reached, the port is taken, a file"
                + " named by an option is missing or invalid.\n")
        .append(".TP\n2\nusage error: an unknown option or a value of the wrong form.\n")
        .append(
            ".TP\n"
                + "130, 143\n"
                + "stopped gracefully by SIGINT or SIGTERM (128 + the signal's number); SIGHUP"
                + " reloads the files of the security options and never stops it.\n");
    out.append(".SH FILES\n")
        .append(
            ".TP\n\\fIetc/clu\\-ws.properties\\fR\nevery option, commented out, with its"
                + " default.\n")
        .append(".TP\n\\fIetc/logback.xml\\fR\nthe log configuration.\n")
        .append(
            ".TP\n\\fIplugins/\\fR\nfilter plugin jars, on the class path ahead of"
                + " \\fIlib/\\fR.\n");
    out.append(
        ".SH SEE ALSO\ndocs/operations.md, docs/configuration.md and docs/security.md in"
            + " the clu\\-ws sources.\n");
    return out.toString();
  }

  /** Bash completion for every option, from picocli. */
  static String completion() {
    return AutoComplete.bash("clu-ws", commandLine());
  }

  /** A group's heading as {@code --help} shows it, without the line breaks. */
  static String heading(ArgGroupSpec group) {
    return group.heading().replace("%n", "").replace(":", "").strip();
  }

  /** Text escaped for roff: backslashes, a leading dot or quote, and hyphens in names. */
  static String roff(String text) {
    String escaped = text.replace("\\", "\\e").replace("-", "\\-");
    if (escaped.startsWith(".") || escaped.startsWith("'")) {
      escaped = "\\&" + escaped;
    }
    return escaped;
  }

  /** Words of {@code text} in lines of at most {@code width} characters (longer words alone). */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
