package dev.cluws.cli.plugins;

import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.time.Duration;
import java.util.List;

/**
 * A filter plugin with settings, for the command line's tests: {@code ?tuned} gives a filter that
 * has no opinion; its settings are {@code max-texts} (integer), {@code expiry} (duration), {@code
 * loud} (true/false) and {@code greeting} (text).
 */
public final class TunedFilterProvider implements ReplyFilterProvider {
  /** The provider's name. */
  public static final String NAME = "tuned";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String spiVersion() {
    return SpiVersion.CURRENT;
  }

  @Override
  public List<PluginSetting> settings() {
    return List.of(
        PluginSetting.integer("max-texts", 16, "The most texts a client may give."),
        PluginSetting.duration("expiry", Duration.ofSeconds(30), "How long a text is kept."),
        PluginSetting.bool("loud", false, "Whether to shout."),
        PluginSetting.string("greeting", "", "What to say first."));
  }

  @Override
  public ReplyFilter create(FilterContext context) {
    return new ReplyFilter() {};
  }
}
