package dev.cluws.core.spi;

/**
 * The version of this {@code spi} package, {@code MAJOR.MINOR}, and how a provider states the
 * version it was built for.
 *
 * <p>A provider states it by returning {@link #CURRENT} from {@link PluginProvider#spiVersion()} in
 * its own code:
 *
 * <pre>{@code
 * @Override
 * public String spiVersion() {
 *   return SpiVersion.CURRENT;
 * }
 * }</pre>
 *
 * {@code CURRENT} is a compile-time constant, so the compiler copies its value into the provider's
 * class: the method returns the version of the {@code spi} the plugin was compiled against, not the
 * version of the gateway that runs it. (The interface's default method cannot do that: its body
 * lives in the gateway's jar.)
 *
 * <p>The rules: a minor version adds (new types, new default methods on the interfaces a plugin
 * implements, new methods on the ones the gateway implements) and never removes or changes; a major
 * version may. A gateway loads a provider built for its own major version and the same or an older
 * minor version; it skips any other provider with one warning naming its jar, so a plugin built for
 * a newer SPI never fails at a client's first reply.
 */
public final class SpiVersion {
  /** The version of this {@code spi} package. */
  public static final String CURRENT = "1.0";

  /**
   * The version a provider that does not state one is taken to be built for: the first versioned
   * SPI.
   */
  public static final String UNSTATED = "1.0";

  private SpiVersion() {}
}
