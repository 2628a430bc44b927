package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cluws.core.PluginConfiguration.Kind;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A gateway hands each filter provider the settings the operator gave it, checked at build. */
class PluginConfigurationTest {
  private final List<FilterContext> created = new CopyOnWriteArrayList<>();

  /** {@code limited}: declares a limit and an expiry. */
  private final class LimitedProvider implements ReplyFilterProvider {
    @Override
    public String name() {
      return "limited";
    }

    @Override
    public List<PluginSetting> settings() {
      return List.of(
          PluginSetting.integer("max-texts", 16, "The most texts a client may give."),
          PluginSetting.duration("expiry", Duration.ofSeconds(30), "How long to remember."));
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      created.add(context);
      return new ReplyFilter() {};
    }
  }

  /** {@code plain}: declares no settings. */
  private final class PlainProvider implements ReplyFilterProvider {
    @Override
    public String name() {
      return "plain";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      created.add(context);
      return new ReplyFilter() {};
    }
  }

  private Gateway gateway(PluginConfiguration configuration) {
    return Gateway.builder()
        .source(new InMemorySource(new ArrayList<>()))
        .sink(new ControllableSink(new ArrayList<>()))
        .filterProviders(
            ProviderCatalog.of(
                ReplyFilterProvider.class,
                ReplyFilterProvider::name,
                List.of(new LimitedProvider(), new PlainProvider())))
        .pluginConfiguration(configuration)
        .build();
  }

  private static PluginConfiguration.Builder given() {
    return PluginConfiguration.builder();
  }

  @Test
  void aFilterGetsTheSettingsTheOperatorGaveItTypedAndTheDefaultsOfTheOthers() {
    try (Gateway gateway =
        gateway(
            given()
                .set(Kind.FILTER, "limited", "max-texts", "4", "--filter.limited.max-texts")
                .build())) {
      gateway.subscribe(TestFilters.query("limited=a&plain=b"));
    }

    assertThat(created).hasSize(2);
    PluginSettings limited = created.get(0).pluginSettings();
    assertThat(limited.getInt("max-texts")).isEqualTo(4);
    assertThat(limited.getDuration("expiry")).isEqualTo(Duration.ofSeconds(30));
    assertThat(created.get(1).pluginSettings().keys()).isEmpty();
  }

  @Test
  void everyClientsFilterGetsTheSameSettings() {
    try (Gateway gateway =
        gateway(given().set(Kind.FILTER, "limited", "expiry", "1m", "test").build())) {
      gateway.subscribe(TestFilters.query("limited=a"));
      gateway.subscribe(TestFilters.query("limited=b"));
    }

    assertThat(created).hasSize(2);
    assertThat(created.get(0).pluginSettings()).isSameAs(created.get(1).pluginSettings());
    assertThat(created.get(1).pluginSettings().getDuration("expiry"))
        .isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void aValueOfTheWrongTypeStopsTheBuildNamingWhereItCameFrom() {
    PluginConfiguration wrong =
        given()
            .set(Kind.FILTER, "limited", "max-texts", "many", "CLU_WS_FILTER_LIMITED_MAX_TEXTS")
            .build();

    assertThatThrownBy(() -> gateway(wrong))
        .isInstanceOf(PluginConfiguration.InvalidSettingException.class)
        .hasMessage(
            "CLU_WS_FILTER_LIMITED_MAX_TEXTS: 'many' is not an integer (e.g. 16; at most"
                + " 2147483647)");
  }

  @Test
  void anUnknownKeyStopsTheBuildListingTheProvidersSettings() {
    PluginConfiguration unknown =
        given().set(Kind.FILTER, "limited", "colour", "red", "--filter.limited.colour").build();

    assertThatThrownBy(() -> gateway(unknown))
        .isInstanceOf(PluginConfiguration.InvalidSettingException.class)
        .hasMessage(
            "--filter.limited.colour: the filter 'limited' has no setting 'colour' (its settings:"
                + " max-texts, expiry)");
    assertThatThrownBy(
            () -> gateway(given().set(Kind.FILTER, "plain", "x", "1", "--filter.plain.x").build()))
        .hasMessage("--filter.plain.x: the filter 'plain' has no setting 'x' (it has no settings)");
  }

  @Test
  void aValueForAFilterThatIsNotInstalledStopsTheBuildListingTheInstalledOnes() {
    PluginConfiguration missing =
        given()
            .set(Kind.FILTER, "match", "max-texts", "4", "filter.match.max-texts in x.properties")
            .build();

    assertThatThrownBy(() -> gateway(missing))
        .isInstanceOf(PluginConfiguration.InvalidSettingException.class)
        .hasMessage(
            "filter.match.max-texts in x.properties: there is no filter named 'match' (installed:"
                + " limited, plain)");
  }

  @Test
  void aLaterValueForTheSameSettingReplacesAnEarlierOne() {
    PluginConfiguration twice =
        given()
            .set(Kind.FILTER, "limited", "max-texts", "4", "file")
            .set(Kind.FILTER, "limited", "max-texts", "5", "flag")
            .build();

    assertThat(twice.settingsOf(Kind.FILTER, new LimitedProvider()).getInt("max-texts"))
        .isEqualTo(5);
  }
}
