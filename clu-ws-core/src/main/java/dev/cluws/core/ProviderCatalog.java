package dev.cluws.core;

import dev.cluws.core.spi.ProviderException;
import java.net.URL;
import java.security.CodeSource;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers of one SPI found on the class path, by name.
 *
 * <p>Loading survives a broken plugin: a provider that cannot be loaded or instantiated is logged
 * with one WARN and skipped. Two providers with the same name are an error that names both
 * locations. Finding is not enabling: the catalog only answers which providers exist.
 *
 * @param <P> the provider interface
 */
public final class ProviderCatalog<P> {
  private static final Logger log = LoggerFactory.getLogger(ProviderCatalog.class);

  private final Class<P> type;
  private final Map<String, P> byName;

  private ProviderCatalog(Class<P> type, Map<String, P> byName) {
    this.type = type;
    this.byName = Collections.unmodifiableMap(byName);
  }

  /** Loads the providers of {@code type} visible to {@code loader} with {@link ServiceLoader}. */
  public static <P> ProviderCatalog<P> load(
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
  public static <P> ProviderCatalog<P> of(
      Class<P> type, Function<P, String> nameOf, Iterable<? extends P> providers) {
    Map<String, P> byName = new LinkedHashMap<>();
    for (P provider : providers) {
      add(type, nameOf, byName, provider);
    }
    return new ProviderCatalog<>(type, byName);
  }

  private static <P> void add(
      Class<P> type, Function<P, String> nameOf, Map<String, P> byName, P provider) {
    String name;
    try {
      name = nameOf.apply(provider);
    } catch (RuntimeException e) {
      log.warn("skipping {} {}: its name() failed", type.getSimpleName(), provider.getClass(), e);
      return;
    }
    if (name == null || name.isBlank()) {
      log.warn("skipping {} {}: it has no name", type.getSimpleName(), provider.getClass());
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

  private static String locationOf(Object provider) {
    CodeSource source = provider.getClass().getProtectionDomain().getCodeSource();
    URL location = source == null ? null : source.getLocation();
    return location == null ? "an unknown location" : location.toString();
  }

  /**
   * This catalog without the providers of the given names, each left out with a warning that gives
   * the reason.
   */
  public ProviderCatalog<P> without(Set<String> names, String reason) {
    Map<String, P> kept = new LinkedHashMap<>(byName);
    for (String name : names) {
      P removed = kept.remove(name);
      if (removed != null) {
        log.warn(
            "skipping {} '{}' ({} from {}): {}",
            type.getSimpleName(),
            name,
            removed.getClass().getName(),
            locationOf(removed),
            reason);
      }
    }
    return kept.size() == byName.size() ? this : new ProviderCatalog<>(type, kept);
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
