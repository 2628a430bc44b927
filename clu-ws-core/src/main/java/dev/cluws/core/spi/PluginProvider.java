package dev.cluws.core.spi;

import java.util.List;

/**
 * What every provider has, whatever it provides ({@link ReplyFilterProvider}, {@link
 * MessageSourceProvider}, {@link CommandSinkProvider}): a name, the SPI version it was built for,
 * and the settings it declares.
 *
 * <p>Methods added to a provider interface in a later SPI version are default methods, so a plugin
 * built for an older version keeps working (see {@link SpiVersion}).
 */
public interface PluginProvider {
  /**
   * The provider's name: 1 to 64 characters, lower-case letters, digits, {@code -} and {@code _}. A
   * provider with another name is skipped with a warning; two providers with the same name on one
   * class path stop the gateway from starting.
   */
  String name();

  /**
   * The version of the {@code spi} package this provider was compiled against, {@code MAJOR.MINOR}.
   * Override it to return {@link SpiVersion#CURRENT} in the provider's own code, so that the
   * compiler copies the version into the provider's class; the default, for providers that do not
   * say, is {@link SpiVersion#UNSTATED}. A gateway skips a provider built for a newer SPI (or
   * another major version) with one warning naming its jar.
   */
  default String spiVersion() {
    return SpiVersion.UNSTATED;
  }

  /**
   * The settings the operator may give this provider when the gateway starts (see {@link
   * PluginSetting}); the provider reads their values from {@link FilterContext#pluginSettings()} or
   * {@link ProviderContext#pluginSettings()}. Keys are unique. The default declares none. Called
   * when the gateway loads the provider; a provider whose declarations fail is skipped with a
   * warning.
   */
  default List<PluginSetting> settings() {
    return List.of();
  }
}
