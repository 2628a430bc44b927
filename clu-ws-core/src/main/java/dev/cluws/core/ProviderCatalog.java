package dev.cluws.core;

import dev.cluws.core.log.LogText;
import dev.cluws.core.spi.PluginProvider;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.ProviderException;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one SPI found on the class path, by name.
 *
 * <p>Loading survives a broken plugin: a provider that cannot be loaded or instantiated is logged
 * with one WARN and skipped, and so is a provider whose name is not a valid name ({@link
 * PluginProvider#name()}; for a filter, also one of the gateway's own parameter names, {@link
 * Gateway#RESERVED_PARAMETERS}) and a provider built for an SPI version this gateway does not have
 * ({@link PluginProvider#spiVersion()}: a newer minor version, or another major version), and a
 * provider whose settings ({@link PluginProvider#settings()}) fail or declare a key twice. Each
 * warning names the provider's class and the jar it came from. Two providers with the same name are
 * an error that names both locations. Finding is not enabling: the catalog only answers which
 * providers exist.
 *
 * @param <P> the provider interface
 */
public final class ProviderCatalog<P extends PluginProvider> {
  private static final Logger log = LoggerFactory.getLogger(ProviderCatalog.class);

  /** What a provider's name may be. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9_-]{1,64}");

  /** An SPI version: {@code MAJOR.MINOR}. */
  private static final Pattern VERSION = Pattern.compile("(\\d{1,6})\\.(\\d{1,6})");

  private final Class<P> type;
  private final Map<String, P> byName;

  private ProviderCatalog(Class<P> type, Map<String, P> byName) {
    this.type = type;
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Loads the providers of {@code type} visible to {@code loader} with {@link ServiceLoader}. */
  public static <P extends PluginProvider> ProviderCatalog<P> load(
      Class<P> type, Function<P, String> nameOf, ClassLoader loader) {
    Map<String, P> byName = new LinkedHashMap<>();
    Iterator<P> it = ServiceLoader.load(type, loader).iterator();
    int failures = 0;
    while (true) {
      P provider;
      try {
        if (!it.hasNext()) {
          break;
        }
        provider = it.next();
      } catch (ServiceConfigurationError e) {
        Throwable cause = e.getCause();
        log.warn(
            "skipping a {} that could not be loaded: {}{}",
            type.getSimpleName(),
            e.getMessage(),
            cause == null ? "" : " (" + cause + ")");
        if (++failures > 1000) {
          break; // a class path whose every entry is broken; do not spin
        }
        continue;
      }
      add(type, nameOf, byName, provider);
    }
    return new ProviderCatalog<>(type, byName);
  }

  /** A catalog of the given providers (for tests and programmatic set-ups). */
  public static <P extends PluginProvider> ProviderCatalog<P> of(
      Class<P> type, Function<P, String> nameOf, Iterable<? extends P> providers) {
    Map<String, P> byName = new LinkedHashMap<>();
    for (P provider : providers) {
      add(type, nameOf, byName, provider);
    }
    return new ProviderCatalog<>(type, byName);
  }

  private static <P extends PluginProvider> void add(
      Class<P> type, Function<P, String> nameOf, Map<String, P> byName, P provider) {
    String name;
    try {
      name = nameOf.apply(provider);
    } catch (RuntimeException | LinkageError e) {
      log.warn(
          "skipping {} {} (from {}): its name() failed",
          type.getSimpleName(),
          provider.getClass().getName(),
          locationOf(provider),
          e);
      return;
    }
    if (name == null || name.isBlank()) {
      log.warn(
          "skipping {} {} (from {}): it has no name",
          type.getSimpleName(),
          provider.getClass().getName(),
          locationOf(provider));
      return;
    }
    String refusal = refusal(type, name, provider);
    if (refusal != null) {
      log.warn(
          "skipping {} '{}' ({} from {}): {}",
          type.getSimpleName(),
          shown(name),
          provider.getClass().getName(),
          locationOf(provider),
          refusal);
      return;
    }
    P previous = byName.putIfAbsent(name, provider);
    if (previous != null) {
      throw new ProviderException(
          String.format(
              "two %s providers are named '%s': %s (from %s) and %s (from %s); remove one of the"
                  + " jars",
              type.getSimpleName(),
              name,
              previous.getClass().getName(),
              locationOf(previous),
              provider.getClass().getName(),
              locationOf(provider)));
    }
  }

  /** Why the catalog refuses a provider with this name, or {@code null} when it takes it. */
  private static String refusal(Class<?> type, String name, PluginProvider provider) {
    if (!NAME.matcher(name).matches()) {
      return "a provider's name is 1 to 64 lower-case letters, digits, '-' and '_'";
    }
    if (type == ReplyFilterProvider.class && Gateway.RESERVED_PARAMETERS.contains(name)) {
      return "the gateway uses that parameter itself";
    }
    String requested;
    try {
      requested = provider.spiVersion();
    } catch (RuntimeException | LinkageError e) {
      return "its spiVersion() failed: " + e;
    }
    String refusal = versionRefusal(requested);
    if (refusal != null) {
      return refusal;
    }
    try {
      List<PluginSetting> settings = provider.settings();
      if (settings == null) {
        return "its settings() returned null";
      }
      PluginSettings.of(settings, Map.of()); // no nulls, no key twice
      if (!settings.equals(provider.settings())) {
        return "its settings() gives different settings each time";
      }
    } catch (RuntimeException | LinkageError e) {
      return "its settings() failed: " + e;
    }
    return null;
  }

  /**
   * Why a provider built for the given SPI version cannot run on this gateway, or {@code null} when
   * it can: same major version, same or older minor version.
   */
  static String versionRefusal(String requested) {
    String current = SpiVersion.CURRENT;
    Matcher wanted = requested == null ? null : VERSION.matcher(requested);
    if (wanted == null || !wanted.matches()) {
      return "it states the SPI version '"
          + shown(String.valueOf(requested))
          + "', which is not MAJOR.MINOR (this gateway has SPI "
          + current
          + ")";
    }
    Matcher have = VERSION.matcher(current);
    if (!have.matches()) {
      throw new IllegalStateException("SpiVersion.CURRENT is not MAJOR.MINOR: " + current);
    }
    int major = Integer.parseInt(wanted.group(1));
    int minor = Integer.parseInt(wanted.group(2));
    int currentMajor = Integer.parseInt(have.group(1));
    int currentMinor = Integer.parseInt(have.group(2));
    if (major == currentMajor && minor <= currentMinor) {
      return null;
    }
    String advice =
        major > currentMajor || (major == currentMajor && minor > currentMinor)
            ? "a newer clu-ws, or a version of the plugin built for SPI " + current
            : "a version of the plugin built for SPI " + currentMajor + ".x";
    return "it was built for SPI "
        + requested
        + " and this gateway has SPI "
        + current
        + " (use "
        + advice
        + ")";
  }

  /** A name or version from a plugin, bounded and printable, for a log line. */
  private static String shown(String text) {
    return LogText.of(text, 80);
  }

  private static String locationOf(Object provider) {
    CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    if (location == null) {
      return "an unknown location";
    }
    if ("file".equals(location.getProtocol())) {
      try {
        return Path.of(location.toURI()).toString(); // a jar or a folder: as an operator types it
      } catch (URISyntaxException | IllegalArgumentException e) {
        // fall through to the URL
      }
    }
    return location.toString();
  }

  public Optional<P> find(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Set<String> names() {
    return byName.keySet();
  }

  /**
   * The provider with the given name; with {@code null}, the only provider there is.
   *
   * @throws ProviderException when there is no such provider, or several and none was named
   */
  public P select(String name) {
    if (name != null) {
      P provider = byName.get(name);
      if (provider == null) {
        throw new ProviderException(
            String.format(
                "no %s named '%s' on the class path (found: %s)",
                type.getSimpleName(), name, describeNames()));
      }
      return provider;
    }
    if (byName.size() == 1) {
      return byName.values().iterator().next();
    }
    if (byName.isEmpty()) {
      throw new ProviderException(
          "no " + type.getSimpleName() + " on the class path; add clu-ws-amqp or another provider");
    }
    throw new ProviderException(
        String.format(
            "several %s providers on the class path (%s); choose one by name",
            type.getSimpleName(), describeNames()));
  }

  private String describeNames() {
    return byName.isEmpty() ? "none" : String.join(", ", byName.keySet());
  }
}
