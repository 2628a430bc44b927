package dev.cluws.cli;

import dev.cluws.core.spi.CluWsException;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option's value comes from when the command line does not give it, for every option of
 * the command (also ones added later): first the environment, then the config file, then the
 * option's own default. So the precedence is flags &gt; environment &gt; file &gt; default.
 *
 * <p>For an option {@code --some-option}:
 *
 * <ol>
 *   <li>the environment variable {@code CLU_WS_SOME_OPTION};
 *   <li>the environment variable {@code CLU_WS_SOME_OPTION_FILE}: the path of a file whose content
 *       (without a trailing line break) is the value, for secrets (Docker and Kubernetes mount them
 *       as files);
 *   <li>the key {@code some-option} of the config file (Java properties syntax);
 *   <li>the key {@code some-option-file} of the config file, read the same way.
 * </ol>
 *
 * <p>A relative path given in the config file for an option that takes a file is resolved against
 * the config file's folder. The config file is named by {@code --config} or {@code CLU_WS_CONFIG}.
 * An unknown key in it is an error (a typo must not silently drop a security setting). Values are
 * never logged or printed.
 */
final class ConfigDefaults implements IDefaultValueProvider {
  static final String ENV_PREFIX = "CLU_WS_";
  static final String CONFIG_OPTION = "--config";
  static final String FILE_SUFFIX = "-file";

  private final Map<String, String> environment;
  private final Properties file;
  private final Path fileFolder;

  /** Every option's value from outside, by key, computed (and files read) once at install. */
  private final Map<String, String> values = new HashMap<>();

  private ConfigDefaults(Map<String, String> environment, Properties file, Path fileFolder) {
    this.environment = environment;
    this.file = file;
    this.fileFolder = fileFolder;
  }

  /**
   * Installs the defaults on a command line: reads the config file named by {@code --config} in
   * {@code args} or by {@code CLU_WS_CONFIG}, and checks its keys against the command's options.
   *
   * @return the keys of plugin settings in the config file ({@code filter.<name>.<key>} and the
   *     like, see {@link PluginOptions}) with their values, which picocli does not know
   * @throws CluWsException when the config file cannot be read or has an unknown key
   */
  static Map<String, String> install(
      CommandLine commandLine, Map<String, String> environment, String[] args) {
    Path config = configPath(args, environment);
    Properties properties = new Properties();
    Path folder = null;
    if (config != null) {
      try (Reader reader = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
        properties.load(reader);
      } catch (NoSuchFileException e) {
        throw new CluWsException("config file " + config + " does not exist");
      } catch (IOException | IllegalArgumentException e) {
        throw new CluWsException("cannot read config file " + config + ": " + e.getMessage(), e);
      }
      folder = config.toAbsolutePath().getParent();
      checkKeys(commandLine, properties, config);
    }
    ConfigDefaults defaults = new ConfigDefaults(environment, properties, folder);
    // Read every value now, so a missing secret file fails here with one clear line, not later
    // inside picocli's parser (which would show it as a usage error).
    for (OptionSpec option : commandLine.getCommandSpec().options()) {
      if (!skipped(option)) {
        String value = defaults.compute(option);
        if (value != null) {
          defaults.values.put(key(option), value);
        }
      }
    }
    commandLine.setDefaultValueProvider(defaults);
    Map<String, String> pluginKeys = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      if (PluginOptions.isPluginKey(name)) {
        pluginKeys.put(name, properties.getProperty(name));
      }
    }
    return pluginKeys;
  }

  /** The config file named by the last {@code --config} argument, else by the environment. */
  static Path configPath(String[] args, Map<String, String> environment) {
    String value = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(CONFIG_OPTION) && i + 1 < args.length) {
        value = args[++i];
      } else if (args[i].startsWith(CONFIG_OPTION + "=")) {
        value = args[i].substring(CONFIG_OPTION.length() + 1);
      } else if (args[i].equals("--")) {
        break;
      }
    }
    if (value == null) {
      value = environment.get(environmentName("config"));
    }
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  private static void checkKeys(CommandLine commandLine, Properties properties, Path config) {
    Set<String> known = new TreeSet<>();
    for (OptionSpec option : commandLine.getCommandSpec().options()) {
      if (!skipped(option)) {
        known.add(key(option));
      }
    }
    List<String> unknown = new ArrayList<>();
    for (String name : properties.stringPropertyNames()) {
      if (PluginOptions.isPluginKey(name)) {
        continue; // checked against the plugins' settings when the gateway starts
      }
      String base =
          name.endsWith(FILE_SUFFIX) && !known.contains(name)
              ? name.substring(0, name.length() - FILE_SUFFIX.length())
              : name;
      if (!known.contains(base)) {
        unknown.add(name);
      }
    }
    if (!unknown.isEmpty()) {
      unknown.sort(null);
      throw new CluWsException(
          "config file "
              + config
              + ": unknown option(s) "
              + String.join(", ", unknown)
              + " (keys are long option names without '--', e.g. port or rabbitmq-host)");
    }
  }

  /** Options that never take a default from outside: help, version and the config file itself. */
  private static boolean skipped(OptionSpec option) {
    return option.usageHelp() || option.versionHelp() || option.longestName().equals(CONFIG_OPTION);
  }

  /** An option's config-file key: its longest name without the leading dashes. */
  static String key(OptionSpec option) {
    String name = option.longestName();
    int start = 0;
    while (start < name.length() && name.charAt(start) == '-') {
      start++;
    }
    return name.substring(start);
  }

  /**
   * The environment variable of a config key: {@code rabbitmq-host} → {@code CLU_WS_RABBITMQ_HOST}.
   */
  static String environmentName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec argument) {
    if (!(argument instanceof OptionSpec) || skipped((OptionSpec) argument)) {
      return null;
    }
    return values.get(key((OptionSpec) argument));
  }

  /** The option's value from the environment or the config file, or {@code null}. */
  private String compute(OptionSpec option) {
    String key = key(option);
    String variable = environmentName(key);
    String value = environment.get(variable);
    if (value != null && !value.isEmpty()) {
      return value;
    }
    String secretFile = environment.get(variable + "_FILE");
    if (secretFile != null && !secretFile.isEmpty()) {
      return readValue(Path.of(secretFile), "$" + variable + "_FILE");
    }
    value = file.getProperty(key);
    if (value != null) {
      return takesPath(option) ? resolve(value.strip()) : value.strip();
    }
    String fromFile = file.getProperty(key + FILE_SUFFIX);
    if (fromFile != null) {
      return readValue(
          Path.of(resolve(fromFile.strip())), key + FILE_SUFFIX + " in the config file");
    }
    return null;
  }

  private static boolean takesPath(OptionSpec option) {
    Class<?> type = option.type();
    return type == Path.class || type == File.class || type == JwksLocation.class;
  }

  private String resolve(String path) {
    if (fileFolder == null
        || path.isEmpty()
        || JwksLocation.isUrl(path)
        || Path.of(path).isAbsolute()) {
      return path;
    }
    return fileFolder.resolve(path).toString();
  }

  /** A value from a file, without its trailing line breaks; the error never shows the content. */
  private static String readValue(Path path, String source) {
    try {
      String content = Files.readString(path, StandardCharsets.UTF_8);
      int end = content.length();
      while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
        end--;
      }
      return content.substring(0, end);
    } catch (NoSuchFileException e) {
      throw new CluWsException("the file " + path + " named by " + source + " does not exist");
    } catch (IOException e) {
      throw new CluWsException(
          "cannot read the file " + path + " named by " + source + ": " + e.getMessage(), e);
    }
  }
}
