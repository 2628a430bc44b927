package dev.cluws.core.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The values of a provider's settings ({@link PluginProvider#settings()}) for one gateway: each the
 * value the operator gave, or its default. Immutable and thread-safe; a provider gets it from
 * {@link FilterContext#pluginSettings()} or {@link ProviderContext#pluginSettings()} and reads it
 * with the getter of the setting's type.
 */
public final class PluginSettings {
  private static final PluginSettings EMPTY = new PluginSettings(Map.of(), Map.of(), Set.of());

  private final Map<String, PluginSetting> declared;
  private final Map<String, Object> values;
  private final Set<String> given;

  private PluginSettings(
      Map<String, PluginSetting> declared, Map<String, Object> values, Set<String> given) {
    this.declared = declared;
    this.values = values;
    this.given = given;
  }

  /** No settings: what a provider that declares none gets. */
  public static PluginSettings empty() {
    return EMPTY;
  }

  /**
   * The settings a provider declared, with these values given as text (by key); every other setting
   * has its default.
   *
   * @throws IllegalArgumentException for two declarations of one key, a key that is not declared
   *     (the message lists the declared ones), or a value that is not of its setting's type (the
   *     message names the key and says what a value looks like)
   */
  public static PluginSettings of(
      List<PluginSetting> declarations, Map<String, String> givenValues) {
    Map<String, PluginSetting> declared = new LinkedHashMap<>();
    for (PluginSetting setting : declarations) {
      Objects.requireNonNull(setting, "setting");
      if (declared.putIfAbsent(setting.key(), setting) != null) {
        throw new IllegalArgumentException("the setting '" + setting.key() + "' is declared twice");
      }
    }
    Map<String, Object> values = new LinkedHashMap<>();
    declared.forEach((key, setting) -> values.put(key, setting.defaultValue()));
    for (Map.Entry<String, String> entry : givenValues.entrySet()) {
      PluginSetting setting = declared.get(entry.getKey());
      if (setting == null) {
        throw new IllegalArgumentException(
            "there is no setting '"
                + entry.getKey()
                + "' ("
                + (declared.isEmpty()
                    ? "there are none"
                    : "settings: " + String.join(", ", declared.keySet()))
                + ")");
      }
      try {
        values.put(setting.key(), setting.parse(entry.getValue()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "the setting '" + setting.key() + "': " + e.getMessage(), e);
      }
    }
    return new PluginSettings(
        Collections.unmodifiableMap(declared),
        Collections.unmodifiableMap(values),
        Set.copyOf(givenValues.keySet()));
  }

  /** The declared keys, in declaration order. */
  public Set<String> keys() {
    return declared.keySet();
  }

  /** Whether the operator gave this setting a value (else it has its default). */
  public boolean isGiven(String key) {
    setting(key);
    return given.contains(key);
  }

  /** A setting's value as text (for any type, as an operator writes it). */
  public String getString(String key) {
    PluginSetting setting = setting(key);
    return setting.type().format(value(key));
  }

  /** An {@link PluginSetting.Type#INTEGER} setting's value. */
  public int getInt(String key) {
    return (Integer) typed(key, PluginSetting.Type.INTEGER);
  }

  /** A {@link PluginSetting.Type#BOOLEAN} setting's value. */
  public boolean getBoolean(String key) {
    return (Boolean) typed(key, PluginSetting.Type.BOOLEAN);
  }

  /** A {@link PluginSetting.Type#DURATION} setting's value. */
  public Duration getDuration(String key) {
    return (Duration) typed(key, PluginSetting.Type.DURATION);
  }

  private Object typed(String key, PluginSetting.Type type) {
    PluginSetting setting = setting(key);
    if (setting.type() != type) {
      throw new IllegalArgumentException(
          "the setting '" + key + "' is of type " + setting.type() + ", not " + type);
    }
    return value(key);
  }

  /** A declared setting's value: never null, every declared key has a value or its default. */
  private Object value(String key) {
    return Objects.requireNonNull(values.get(key), key);
  }

  private PluginSetting setting(String key) {
    PluginSetting setting = declared.get(key);
    if (setting == null) {
      throw new IllegalArgumentException(
          "no setting '" + key + "' is declared (declared: " + declared.keySet() + ")");
    }
    return setting;
  }

  /** The keys and whether each was given; never the values (a setting may be a secret). */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    for (String key : declared.keySet()) {
      if (text.length() > 1) {
        text.append(", ");
      }
      text.append(key).append(given.contains(key) ? " (given)" : " (default)");
    }
    return text.append('}').toString();
  }
}
