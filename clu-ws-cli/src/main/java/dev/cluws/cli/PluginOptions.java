package dev.cluws.cli;

import dev.cluws.core.Gateway;
import dev.cluws.core.PluginConfiguration;
import dev.cluws.core.PluginConfiguration.Kind;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.spi.CluWsException;
import dev.cluws.core.spi.CommandSinkProvider;
import dev.cluws.core.spi.MessageSourceProvider;
import dev.cluws.core.spi.PluginProvider;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of plugins on the command line ({@code --filter.<name>.<key>=<value>}, {@code
 * --source.<name>.<key>}, {@code --sink.<name>.<key>}), in the environment ({@code
 * CLU_WS_FILTER_<NAME>_<KEY>}, with {@code -} as {@code _}) and in the config file ({@code
 * filter.<name>.<key>}). Flags win over the environment, which wins over the file, as for every
 * other option. The option names depend on the plugins installed, so picocli does not know them:
 * they are taken out of the arguments before it parses the rest.
 */
final class PluginOptions {
  /** The exit status for a plugin setting that is wrong: a usage error, like picocli's. */
  static final int USAGE = 2;

  /** A setting's value, given or wrong, on the command line. */
  static final class UsageException extends CluWsException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** The providers found, loaded once for the check, the help and the gateway. */
  record Installed(
      ProviderCatalog<ReplyFilterProvider> filters,
      ProviderCatalog<MessageSourceProvider> sources,
      ProviderCatalog<CommandSinkProvider> sinks) {

    /** Loads the providers the gateway would, with the class loader that loaded clu-ws-core. */
    static Installed load() {
      ClassLoader loader = Gateway.class.getClassLoader();
      return new Installed(
          ProviderCatalog.load(ReplyFilterProvider.class, ReplyFilterProvider::name, loader),
          ProviderCatalog.load(MessageSourceProvider.class, MessageSourceProvider::name, loader),
          ProviderCatalog.load(CommandSinkProvider.class, CommandSinkProvider::name, loader));
    }

    /** Equal when the same provider classes are found under the same names. */
    @Override
    public boolean equals(Object other) {
      if (!(other instanceof Installed)) {
        return false;
      }
      for (Kind kind : Kind.values()) {
        if (!classes(of(kind)).equals(classes(((Installed) other).of(kind)))) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return classes(filters).hashCode();
    }

    @Override
    public String toString() {
      return "Installed[filters="
          + filters.names()
          + ", sources="
          + sources.names()
          + ", sinks="
          + sinks.names()
          + "]";
    }

    private static Map<String, Class<?>> classes(
        ProviderCatalog<? extends PluginProvider> catalog) {
      Map<String, Class<?>> classes = new LinkedHashMap<>();
      for (String name : catalog.names()) {
        classes.put(name, catalog.find(name).orElseThrow().getClass());
      }
      return classes;
    }

    ProviderCatalog<? extends PluginProvider> of(Kind kind) {
      switch (kind) {
        case FILTER:
          return filters;
        case SOURCE:
          return sources;
        default:
          return sinks;
      }
    }
  }

  /** The plugins and the values for their settings, checked. */
  record Setup(Installed installed, PluginConfiguration configuration) {}

  private record Given(Kind kind, String provider, String key, String value, String origin) {}

  private final List<Given> flags;
  private final String[] remaining;
  private final List<Given> fileValues = new ArrayList<>();

  private PluginOptions(List<Given> flags, String[] remaining) {
    this.flags = flags;
    this.remaining = remaining;
  }

  /**
   * Takes the plugin settings out of the arguments: {@code --filter.<name>.<key>=<value>} or {@code
   * --filter.<name>.<key> <value>} (and {@code source}, {@code sink}), up to a {@code --}.
   *
   * @throws UsageException for such an argument without a provider name, a key or a value
   */
  static PluginOptions extract(String[] args) {
    List<Given> flags = new ArrayList<>();
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        rest.addAll(Arrays.asList(args).subList(i, args.length));
        break;
      }
      Kind kind = flagKind(arg);
      if (kind == null) {
        rest.add(arg);
        continue;
      }
      int equals = arg.indexOf('=');
      String name = equals < 0 ? arg : arg.substring(0, equals);
      String value;
      if (equals >= 0) {
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new UsageException(name + " needs a value (" + name + "=<value>)");
      }
      String[] parts = split(name.substring(2 + kind.word().length() + 1));
      if (parts == null) {
        throw new UsageException(
            name
                + ": a plugin setting is written --"
                + kind.word()
                + ".<name>.<key>=<value> (see --help-plugins)");
      }
      flags.add(new Given(kind, parts[0], parts[1], value, name));
    }
    return new PluginOptions(flags, rest.toArray(new String[0]));
  }

  private static Kind flagKind(String arg) {
    for (Kind kind : Kind.values()) {
      if (arg.startsWith("--" + kind.word() + ".")) {
        return kind;
      }
    }
    return null;
  }

  /** {@code name.key} as {@code [name, key]}, or {@code null} when either is missing. */
  private static String[] split(String nameAndKey) {
    int dot = nameAndKey.indexOf('.');
    if (dot <= 0 || dot == nameAndKey.length() - 1) {
      return null;
    }
    return new String[] {nameAndKey.substring(0, dot), nameAndKey.substring(dot + 1)};
  }

  /** The arguments without the plugin settings, for picocli. */
  String[] remaining() {
    return remaining.clone();
  }

  /** Whether a config-file key is a plugin setting ({@code filter.<name>.<key>} and the like). */
  static boolean isPluginKey(String key) {
    for (Kind kind : Kind.values()) {
      if (key.startsWith(kind.word() + ".")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds the plugin settings of the config file.
   *
   * @throws UsageException for a key without a provider name or a setting key
   */
  void addConfigFile(Map<String, String> entries, Path file) {
    for (Map.Entry<String, String> entry : new TreeMap<>(entries).entrySet()) {
      String key = entry.getKey();
      for (Kind kind : Kind.values()) {
        if (key.startsWith(kind.word() + ".")) {
          String origin = key + " in " + file;
          String[] parts = split(key.substring(kind.word().length() + 1));
          if (parts == null) {
            throw new UsageException(
                origin + ": a plugin setting's key is " + kind.word() + ".<name>.<key>");
          }
          fileValues.add(new Given(kind, parts[0], parts[1], entry.getValue().strip(), origin));
        }
      }
    }
  }

  /** The environment variable of a setting: {@code CLU_WS_FILTER_MATCH_MAX_TEXTS}. */
  static String environmentName(Kind kind, String provider, String key) {
    return ConfigDefaults.ENV_PREFIX
        + (kind.word() + "_" + provider + "_" + key).toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /**
   * The values for the installed providers' settings from the config file, the environment and the
   * flags (in that order, so a later one wins), checked against what the providers declare.
   *
   * @throws PluginConfiguration.InvalidSettingException for a value of a provider or a setting that
   *     does not exist, or of the wrong type; the message names where the value came from
   */
  Setup resolve(Installed installed, Map<String, String> environment) {
    PluginConfiguration.Builder builder = PluginConfiguration.builder();
    for (Given value : fileValues) {
      builder.set(value.kind(), value.provider(), value.key(), value.value(), value.origin());
    }
    for (Kind kind : Kind.values()) {
      Map<String, String[]> variables = new LinkedHashMap<>();
      for (String name : installed.of(kind).names()) {
        for (PluginSetting setting : installed.of(kind).find(name).orElseThrow().settings()) {
          String variable = environmentName(kind, name, setting.key());
          String[] previous = variables.putIfAbsent(variable, new String[] {name, setting.key()});
          if (previous != null && environment.containsKey(variable)) {
            throw new PluginConfiguration.InvalidSettingException(
                variable
                    + " stands for the setting "
                    + previous[1]
                    + " of the "
                    + kind.word()
                    + " '"
                    + previous[0]
                    + "' and for "
                    + setting.key()
                    + " of '"
                    + name
                    + "'; give it with --"
                    + kind.word()
                    + "."
                    + name
                    + "."
                    + setting.key()
                    + " instead",
                null);
          }
        }
      }
      String prefix = ConfigDefaults.ENV_PREFIX + kind.word().toUpperCase(Locale.ROOT) + "_";
      for (Map.Entry<String, String> variable : new TreeMap<>(environment).entrySet()) {
        if (!variable.getKey().startsWith(prefix)) {
          continue;
        }
        String[] setting = variables.get(variable.getKey());
        if (setting == null) {
          throw new PluginConfiguration.InvalidSettingException(
              variable.getKey()
                  + ": no "
                  + kind.word()
                  + " setting has this variable ("
                  + (variables.isEmpty()
                      ? "no " + kind.word() + " has settings"
                      : "there are " + String.join(", ", variables.keySet()))
                  + ")",
              null);
        }
        builder.set(kind, setting[0], setting[1], variable.getValue(), variable.getKey());
      }
    }
    for (Given value : flags) {
      builder.set(value.kind(), value.provider(), value.key(), value.value(), value.origin());
    }
    PluginConfiguration configuration = builder.build();
    for (Kind kind : Kind.values()) {
      configuration.check(kind, installed.of(kind));
    }
    return new Setup(installed, configuration);
  }

  /** The text of {@code --help-plugins}: every provider found with its settings. */
  static String help(Installed installed) {
    StringBuilder text = new StringBuilder();
    text.append("Plugins found, with their settings. Give a setting as")
        .append(" --<kind>.<name>.<key>=<value>,")
        .append(" as the environment variable CLU_WS_<KIND>_<NAME>_<KEY> (upper case, '-' as '_')")
        .append(" or as the config-file key <kind>.<name>.<key>; flags win over the environment,")
        .append(" which wins over the file.")
        .append(System.lineSeparator());
    for (Kind kind : Kind.values()) {
      ProviderCatalog<? extends PluginProvider> catalog = installed.of(kind);
      text.append(System.lineSeparator())
          .append(kind == Kind.FILTER ? "Filters" : kind == Kind.SOURCE ? "Sources" : "Sinks")
          .append(kind == Kind.FILTER ? " (a client selects one with ?<name>=...):" : ":")
          .append(System.lineSeparator());
      if (catalog.names().isEmpty()) {
        text.append("  none").append(System.lineSeparator());
      }
      for (String name : catalog.names()) {
        PluginProvider provider = catalog.find(name).orElseThrow();
        List<PluginSetting> settings = provider.settings();
        text.append("  ")
            .append(name)
            .append(settings.isEmpty() ? "  (no settings)" : "")
            .append(System.lineSeparator());
        for (PluginSetting setting : settings) {
          text.append("    --")
              .append(kind.word())
              .append('.')
              .append(name)
              .append('.')
              .append(setting.key())
              .append("=<")
              .append(setting.type().label())
              .append('>')
              .append(System.lineSeparator())
              .append("        ")
              .append(setting.description())
              .append(" (default: ")
              .append(setting.defaultText().isEmpty() ? "empty" : setting.defaultText())
              .append(setting.rangeText().isEmpty() ? "" : "; " + setting.rangeText())
              .append("; environment ")
              .append(environmentName(kind, name, setting.key()))
              .append(")")
              .append(System.lineSeparator());
        }
      }
    }
    return text.toString();
  }
}
