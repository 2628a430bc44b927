package dev.cluws.core;

import dev.cluws.core.spi.PluginProvider;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.ProviderException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings an operator gave the providers ({@link PluginProvider#settings()}), as text, each
 * with where it came from (for messages: {@code --filter.match.max-texts}, an environment variable,
 * a config-file key). {@link #check} compares them with the providers found; {@link #settingsOf}
 * gives one provider its typed, immutable {@link PluginSettings}. Immutable.
 */
public final class PluginConfiguration {
  private static final PluginConfiguration EMPTY =
      new PluginConfiguration(new EnumMap<>(Kind.class));

  /** The three kinds of provider, named as in option names ({@code --filter.<name>.<key>}). */
  public enum Kind {
    FILTER("filter"),
    SOURCE("source"),
    SINK("sink");

    private final String word;

    Kind(String word) {
      this.word = word;
    }

    /** {@code filter}, {@code source} or {@code sink}. */
    public String word() {
      return word;
    }
  }

  /** A setting's value as text and where it came from. */
  public record Value(String text, String origin) {
    public Value {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(origin, "origin");
    }

    /** The origin only: the text may be a secret. */
    @Override
    public String toString() {
      return origin;
    }
  }

  /** A value given for a provider or a key that does not exist, or of the wrong type. */
  public static final class InvalidSettingException extends ProviderException {
    private static final long serialVersionUID = 1L;

    public InvalidSettingException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** By kind, provider name and key. */
  private final Map<Kind, Map<String, Map<String, Value>>> values;

  private PluginConfiguration(Map<Kind, Map<String, Map<String, Value>>> values) {
    this.values = values;
  }

  /** No settings given: every provider has its defaults. */
  public static PluginConfiguration empty() {
    return EMPTY;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The values given for the providers of one kind: provider name → key → value. */
  public Map<String, Map<String, Value>> of(Kind kind) {
    return values.getOrDefault(kind, Map.of());
  }

  /**
   * Checks that every value was given for a provider of the catalog, for a key it declares, and is
   * of that setting's type.
   *
   * @throws InvalidSettingException naming where the first wrong value came from and what is wrong
   */
  public void check(Kind kind, ProviderCatalog<? extends PluginProvider> catalog) {
    for (Map.Entry<String, Map<String, Value>> provider : of(kind).entrySet()) {
      if (catalog.find(provider.getKey()).isEmpty()) {
        Value first = provider.getValue().values().iterator().next();
        throw new InvalidSettingException(
            first.origin()
                + ": there is no "
                + kind.word()
                + " named '"
                + provider.getKey()
                + "' (installed: "
                + (catalog.names().isEmpty() ? "none" : String.join(", ", catalog.names()))
                + ")",
            null);
      }
    }
    for (String name : of(kind).keySet()) {
      settingsOf(kind, catalog.find(name).orElseThrow());
    }
  }

  /**
   * One provider's settings: its declarations with the values given for it.
   *
   * @throws InvalidSettingException naming where a wrong value came from and what is wrong
   */
  public PluginSettings settingsOf(Kind kind, PluginProvider provider) {
    Map<String, Value> given = of(kind).getOrDefault(provider.name(), Map.of());
    List<PluginSetting> declared = provider.settings();
    Map<String, PluginSetting> byKey = new LinkedHashMap<>();
    declared.forEach(setting -> byKey.put(setting.key(), setting));
    Map<String, String> texts = new LinkedHashMap<>();
    for (Map.Entry<String, Value> entry : given.entrySet()) {
      PluginSetting setting = byKey.get(entry.getKey());
      Value value = entry.getValue();
      if (setting == null) {
        throw new InvalidSettingException(
            value.origin()
                + ": the "
                + kind.word()
                + " '"
                + provider.name()
                + "' has no setting '"
                + entry.getKey()
                + "' ("
                + (byKey.isEmpty()
                    ? "it has no settings"
                    : "its settings: " + String.join(", ", byKey.keySet()))
                + ")",
            null);
      }
      try {
        setting.parse(value.text());
      } catch (IllegalArgumentException e) {
        throw new InvalidSettingException(value.origin() + ": " + e.getMessage(), e);
      }
      texts.put(entry.getKey(), value.text());
    }
    try {
      return PluginSettings.of(declared, texts);
    } catch (IllegalArgumentException e) {
      throw new InvalidSettingException(
          "the settings of the " + kind.word() + " '" + provider.name() + "': " + e.getMessage(),
          e);
    }
  }

  /** Equal when the same values come from the same places. */
  @Override
  public boolean equals(Object other) {
    return other instanceof PluginConfiguration
        && values.equals(((PluginConfiguration) other).values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Where values came from; never the values (a setting may be a secret). */
  @Override
  public String toString() {
    List<String> origins = new ArrayList<>();
    for (Map<String, Map<String, Value>> providers : values.values()) {
      for (Map<String, Value> keys : providers.values()) {
        keys.values().forEach(value -> origins.add(value.origin()));
      }
    }
    return "PluginConfiguration" + origins;
  }

  /** Collects values; a later value for the same setting replaces an earlier one. */
  public static final class Builder {
    private final Map<Kind, Map<String, Map<String, Value>>> values = new EnumMap<>(Kind.class);

    private Builder() {}

    /** Gives a provider's setting a value. */
    public Builder set(Kind kind, String provider, String key, String text, String origin) {
      values
          .computeIfAbsent(kind, k -> new LinkedHashMap<>())
          .computeIfAbsent(provider, p -> new LinkedHashMap<>())
          .put(key, new Value(text, origin));
      return this;
    }

    /** Whether a value was given for this setting. */
    public boolean has(Kind kind, String provider, String key) {
      return values.getOrDefault(kind, Map.of()).getOrDefault(provider, Map.of()).containsKey(key);
    }

    public PluginConfiguration build() {
      Map<Kind, Map<String, Map<String, Value>>> copy = new EnumMap<>(Kind.class);
      values.forEach(
          (kind, providers) -> {
            Map<String, Map<String, Value>> byProvider = new LinkedHashMap<>();
            providers.forEach(
                (name, keys) ->
                    byProvider.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
            copy.put(kind, Collections.unmodifiableMap(byProvider));
          });
      return new PluginConfiguration(copy);
    }
  }
}
