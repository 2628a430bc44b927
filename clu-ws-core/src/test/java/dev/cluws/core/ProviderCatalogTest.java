package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.MessageSource;
import dev.cluws.core.spi.MessageSourceProvider;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.ProviderContext;
import dev.cluws.core.spi.ProviderException;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Loads providers through {@link java.util.ServiceLoader} from services files written into a
 * temporary directory, so no services file leaks into other tests.
 */
class ProviderCatalogTest {
  @TempDir Path classes;

  private URLClassLoader loader;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger catalogLogger = (Logger) LoggerFactory.getLogger(ProviderCatalog.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    catalogLogger.addAppender(logs);
    catalogLogger.setLevel(Level.WARN);
    catalogLogger.setAdditive(false);
  }

  @AfterEach
  void release() throws IOException {
    catalogLogger.detachAppender(logs);
    catalogLogger.setLevel(null);
    catalogLogger.setAdditive(true);
    if (loader != null) {
      loader.close();
    }
  }

  /** A provider named after its class: {@code alpha}. */
  public static class AlphaProvider implements ReplyFilterProvider {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public ReplyFilter create(FilterContext context) {
      return new ReplyFilter() {};
    }
  }

  public static class BetaProvider extends AlphaProvider {
    @Override
    public String name() {
      return "beta";
    }
  }

  /** A second provider that claims the name {@code alpha}. */
  public static class OtherAlphaProvider extends AlphaProvider {}

  public static class ThrowingConstructorProvider extends AlphaProvider {
    public ThrowingConstructorProvider() {
      throw new IllegalStateException("cannot construct");
    }

    @Override
    public String name() {
      return "throwing";
    }
  }

  public static class NamelessProvider extends AlphaProvider {
    @Override
    public String name() {
      return " ";
    }
  }

  public static class NameThrowsProvider extends AlphaProvider {
    @Override
    public String name() {
      throw new IllegalStateException("no name today");
    }
  }

  public static class BadlyNamedProvider extends AlphaProvider {
    private final String name;

    BadlyNamedProvider(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }
  }

  /** A provider that states the SPI version it was built for. */
  public static class VersionedProvider extends AlphaProvider {
    private final String version;

    VersionedProvider(String version) {
      this.version = version;
    }

    @Override
    public String name() {
      return "versioned";
    }

    @Override
    public String spiVersion() {
      return version;
    }
  }

  /** Writes a services file listing the classes and loads the catalog through it. */
  private ProviderCatalog<ReplyFilterProvider> load(String... classNames) throws IOException {
    Path services = classes.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(ReplyFilterProvider.class.getName()),
        "# test providers\n" + String.join("\n", classNames) + "\n",
        StandardCharsets.UTF_8);
    loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());
    return ProviderCatalog.load(ReplyFilterProvider.class, ReplyFilterProvider::name, loader);
  }

  private static ProviderCatalog<ReplyFilterProvider> of(ReplyFilterProvider... providers) {
    return ProviderCatalog.of(
        ReplyFilterProvider.class, ReplyFilterProvider::name, List.of(providers));
  }

  private List<ILoggingEvent> warnings() {
    return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
  }

  @Test
  void providersListedInServicesFilesAreLoadedByName() throws IOException {
    ProviderCatalog<ReplyFilterProvider> catalog =
        load(AlphaProvider.class.getName(), BetaProvider.class.getName());

    assertThat(catalog.names()).containsExactly("alpha", "beta");
    assertThat(catalog.find("beta")).get().isInstanceOf(BetaProvider.class);
  }

  @Test
  void theTestClassPathItselfHasNoReplyFilterProviders() {
    ProviderCatalog<ReplyFilterProvider> catalog =
        ProviderCatalog.load(
            ReplyFilterProvider.class, ReplyFilterProvider::name, getClass().getClassLoader());

    assertThat(catalog.names()).isEmpty();
  }

  @Test
  void aProviderWhoseConstructorThrowsIsSkippedAndTheRestAreLoaded() throws IOException {
    ProviderCatalog<ReplyFilterProvider> catalog =
        load(
            AlphaProvider.class.getName(),
            ThrowingConstructorProvider.class.getName(),
            BetaProvider.class.getName());

    assertThat(catalog.names()).containsExactly("alpha", "beta");
  }

  @Test
  void aProviderWhoseClassIsMissingIsSkippedAndTheRestAreLoaded() throws IOException {
    ProviderCatalog<ReplyFilterProvider> catalog =
        load(
            "dev.cluws.nowhere.MissingProvider",
            AlphaProvider.class.getName(),
            BetaProvider.class.getName());

    assertThat(catalog.names()).containsExactly("alpha", "beta");
  }

  @Test
  void aClassThatIsNotAProviderIsSkipped() throws IOException {
    ProviderCatalog<ReplyFilterProvider> catalog =
        load(String.class.getName(), AlphaProvider.class.getName());

    assertThat(catalog.names()).containsExactly("alpha");
  }

  @Test
  void aBrokenProviderIsReportedWithOneWarningNamingIt() throws IOException {
    load("dev.cluws.nowhere.MissingProvider", AlphaProvider.class.getName());

    assertThat(warnings())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains("ReplyFilterProvider", "dev.cluws.nowhere.MissingProvider");
  }

  @Test
  void theWarningForAProviderWhoseConstructorThrowsGivesTheCause() throws IOException {
    load(ThrowingConstructorProvider.class.getName());

    assertThat(warnings())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains(ThrowingConstructorProvider.class.getName(), "cannot construct");
  }

  @Test
  void twoProvidersWithTheSameNameFailWithAMessageNamingBothClasses() {
    assertThatThrownBy(
            () -> load(AlphaProvider.class.getName(), OtherAlphaProvider.class.getName()))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("'alpha'")
        .hasMessageContaining(AlphaProvider.class.getName())
        .hasMessageContaining(OtherAlphaProvider.class.getName());
  }

  @Test
  void aProviderWithABlankNameIsSkipped() {
    assertThat(of(new NamelessProvider(), new AlphaProvider()).names()).containsExactly("alpha");
  }

  @Test
  void aProviderWhoseNameThrowsIsSkipped() {
    assertThat(of(new NameThrowsProvider(), new BetaProvider()).names()).containsExactly("beta");
  }

  @Test
  void aProviderWhoseNameIsNotLowerCaseLettersDigitsDashesAndUnderscoresIsSkippedWithAWarning()
      throws Exception {
    List<String> badNames =
        List.of("Match", "match.me", "dome state", "dome/state", "ünï", "x".repeat(65), "a\nb");
    List<ReplyFilterProvider> providers = new ArrayList<>();
    badNames.forEach(name -> providers.add(new BadlyNamedProvider(name)));
    providers.add(new AlphaProvider());

    assertThat(
            ProviderCatalog.of(ReplyFilterProvider.class, ReplyFilterProvider::name, providers)
                .names())
        .containsExactly("alpha");
    assertThat(warnings()).hasSize(badNames.size());
    URL location = BadlyNamedProvider.class.getProtectionDomain().getCodeSource().getLocation();
    assertThat(warnings().get(0).getFormattedMessage())
        .isEqualTo(
            "skipping ReplyFilterProvider 'Match' ("
                + BadlyNamedProvider.class.getName()
                + " from "
                + Path.of(location.toURI())
                + "): a provider's name is 1 to 64 lower-case letters, digits, '-' and '_'");
    assertThat(warnings().get(6).getFormattedMessage()).contains("'a\\nb'").doesNotContain("\n");
  }

  @Test
  void namesOfLowerCaseLettersDigitsDashesAndUnderscoresAreTaken() {
    assertThat(
            of(
                    new BadlyNamedProvider("dome-state"),
                    new BadlyNamedProvider("lvm_alerts2"),
                    new BadlyNamedProvider("x".repeat(64)))
                .names())
        .containsExactly("dome-state", "lvm_alerts2", "x".repeat(64));
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aFilterProviderNamedLikeOneOfTheGatewaysOwnParametersIsSkippedWithAWarning() {
    List<ReplyFilterProvider> providers = new ArrayList<>();
    Gateway.RESERVED_PARAMETERS.forEach(name -> providers.add(new BadlyNamedProvider(name)));
    providers.add(new AlphaProvider());

    assertThat(
            ProviderCatalog.of(ReplyFilterProvider.class, ReplyFilterProvider::name, providers)
                .names())
        .containsExactly("alpha");
    assertThat(warnings())
        .hasSize(Gateway.RESERVED_PARAMETERS.size())
        .allSatisfy(
            w ->
                assertThat(w.getFormattedMessage())
                    .endsWith(": the gateway uses that parameter" + " itself"));
  }

  @Test
  void aSourceProviderMayHaveTheNameOfAFilterParameterOfTheGateway() {
    MessageSourceProvider since =
        new MessageSourceProvider() {
          @Override
          public String name() {
            return "since";
          }

          @Override
          public MessageSource create(ProviderContext context) {
            throw new UnsupportedOperationException();
          }
        };

    assertThat(
            ProviderCatalog.of(
                    MessageSourceProvider.class, MessageSourceProvider::name, List.of(since))
                .names())
        .containsExactly("since");
  }

  @Test
  void aProviderThatStatesNoSpiVersionIsTakenAsBuiltForTheFirstVersionAndLoaded() {
    AlphaProvider alpha = new AlphaProvider();

    assertThat(alpha.spiVersion()).isEqualTo(SpiVersion.UNSTATED);
    assertThat(of(alpha).names()).containsExactly("alpha");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aProviderBuiltForThisSpiVersionIsLoaded() {
    assertThat(of(new VersionedProvider(SpiVersion.CURRENT)).names()).containsExactly("versioned");
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aProviderBuiltForAnOlderMinorVersionOfTheSameMajorVersionIsLoaded() {
    assertThat(ProviderCatalog.versionRefusal(major() + ".0")).isNull();
  }

  @Test
  void aProviderBuiltForANewerMinorVersionIsSkippedWithOneWarningSayingWhatToDo() {
    String newer = major() + "." + (minor() + 1);

    assertThat(of(new VersionedProvider(newer), new AlphaProvider()).names())
        .containsExactly("alpha");
    assertThat(warnings())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains(
            "skipping ReplyFilterProvider 'versioned' (" + VersionedProvider.class.getName(),
            "it was built for SPI " + newer + " and this gateway has SPI " + SpiVersion.CURRENT,
            "use a newer clu-ws, or a version of the plugin built for SPI " + SpiVersion.CURRENT);
  }

  @Test
  void aProviderBuiltForAnotherMajorVersionIsSkipped() {
    String next = (major() + 1) + ".0";
    String previous = (major() - 1) + ".9";

    assertThat(of(new VersionedProvider(next)).names()).isEmpty();
    assertThat(of(new VersionedProvider(previous)).names()).isEmpty();
    assertThat(warnings())
        .extracting(ILoggingEvent::getFormattedMessage)
        .satisfiesExactly(
            w -> assertThat(w).contains("built for SPI " + next),
            w ->
                assertThat(w)
                    .contains(
                        "built for SPI " + previous,
                        "a version of the plugin built for SPI " + major() + ".x"));
  }

  @Test
  void aProviderWhoseSpiVersionIsNotMajorDotMinorIsSkipped() {
    for (String version : new String[] {null, "", "1", "1.0.3", "v1.0", "one.two"}) {
      assertThat(of(new VersionedProvider(version)).names()).as(version).isEmpty();
    }
    assertThat(warnings())
        .hasSize(6)
        .allSatisfy(w -> assertThat(w.getFormattedMessage()).contains("which is not MAJOR.MINOR"));
  }

  @Test
  void aProviderWhoseSpiVersionThrowsIsSkipped() {
    VersionedProvider throwing =
        new VersionedProvider("1.0") {
          @Override
          public String spiVersion() {
            throw new IllegalStateException("no version today");
          }
        };

    assertThat(of(throwing, new AlphaProvider()).names()).containsExactly("alpha");
    assertThat(warnings())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains("its spiVersion() failed", "no version today");
  }

  /**
   * The design of {@link dev.cluws.core.spi.PluginProvider#spiVersion()} really captures the
   * version a plugin was compiled against: a provider whose {@code spiVersion()} returns {@code
   * SpiVersion.CURRENT} is compiled here against an {@code spi} that says it is one minor version
   * newer, packed into a jar without that {@code SpiVersion} class, and loaded by this gateway.
   */
  @Test
  void aPluginJarCompiledAgainstANewerSpiIsSkippedWithOneWarningNamingTheJar() throws Exception {
    String newer = major() + "." + (minor() + 1);
    Path jar = SpiPlugins.compileProviderJar(classes, "newer-plugin.jar", newer);

    ProviderCatalog<ReplyFilterProvider> catalog = loadJar(jar);

    assertThat(catalog.names()).isEmpty();
    assertThat(warnings())
        .singleElement()
        .extracting(ILoggingEvent::getFormattedMessage)
        .asString()
        .contains(
            "'stated' (" + SpiPlugins.PROVIDER_CLASS + " from " + jar + "):",
            "it was built for SPI " + newer + " and this gateway has SPI " + SpiVersion.CURRENT);
  }

  @Test
  void theSamePluginCompiledAgainstThisSpiIsLoaded() throws Exception {
    Path jar = SpiPlugins.compileProviderJar(classes, "current-plugin.jar", null);

    ProviderCatalog<ReplyFilterProvider> catalog = loadJar(jar);

    assertThat(catalog.names()).containsExactly("stated");
    assertThat(catalog.find("stated").orElseThrow().spiVersion()).isEqualTo(SpiVersion.CURRENT);
    assertThat(warnings()).isEmpty();
  }

  @Test
  void aGatewayDoesNotOfferAFilterBuiltForANewerSpiSoNoClientReachesIt() throws Exception {
    Path jar = SpiPlugins.compileProviderJar(classes, "newer-plugin.jar", major() + ".99");
    loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());

    try (Gateway gateway =
        Gateway.builder()
            .source(new InMemorySource(new ArrayList<>()))
            .sink(new ControllableSink(new ArrayList<>()))
            .classLoader(loader)
            .build()) {
      assertThat(gateway.filterProviders().names()).isEmpty();
      assertThat(gateway.subscribe(TestFilters.query("stated=x")).unknownParameters())
          .containsExactly("stated");
    }
  }

  private ProviderCatalog<ReplyFilterProvider> loadJar(Path jar) throws IOException {
    loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
    return ProviderCatalog.load(ReplyFilterProvider.class, ReplyFilterProvider::name, loader);
  }

  private static int major() {
    return Integer.parseInt(SpiVersion.CURRENT.substring(0, SpiVersion.CURRENT.indexOf('.')));
  }

  private static int minor() {
    return Integer.parseInt(SpiVersion.CURRENT.substring(SpiVersion.CURRENT.indexOf('.') + 1));
  }

  @Test
  void aProviderWhoseSettingsFailOrDeclareAKeyTwiceIsSkippedWithAWarning() {
    ReplyFilterProvider throwing =
        new BadlyNamedProvider("throws") {
          @Override
          public List<PluginSetting> settings() {
            return List.of(PluginSetting.integer("Bad Key", 1, "A key with a space."));
          }
        };
    ReplyFilterProvider twice =
        new BadlyNamedProvider("twice") {
          @Override
          public List<PluginSetting> settings() {
            return List.of(
                PluginSetting.integer("n", 1, "One."), PluginSetting.integer("n", 2, "Two."));
          }
        };

    assertThat(of(throwing, twice, new AlphaProvider()).names()).containsExactly("alpha");
    assertThat(warnings())
        .extracting(ILoggingEvent::getFormattedMessage)
        .satisfiesExactly(
            w -> assertThat(w).contains("'throws'", "its settings() failed", "Bad Key"),
            w -> assertThat(w).contains("'twice'", "the setting 'n' is declared twice"));
  }

  @Test
  void selectingNoNameAmongNoProvidersFails() {
    assertThatThrownBy(() -> of().select(null))
        .isInstanceOf(ProviderException.class)
        .hasMessageStartingWith("no ReplyFilterProvider on the class path");
  }

  @Test
  void selectingNoNameAmongOneProviderGivesThatProvider() {
    AlphaProvider alpha = new AlphaProvider();

    assertThat(of(alpha).select(null)).isSameAs(alpha);
  }

  @Test
  void selectingNoNameAmongSeveralProvidersFailsListingThem() {
    assertThatThrownBy(() -> of(new AlphaProvider(), new BetaProvider()).select(null))
        .isInstanceOf(ProviderException.class)
        .hasMessage(
            "several ReplyFilterProvider providers on the class path (alpha, beta); choose one by"
                + " name");
  }

  @Test
  void selectingAProviderByNameGivesIt() {
    BetaProvider beta = new BetaProvider();

    assertThat(of(new AlphaProvider(), beta).select("beta")).isSameAs(beta);
  }

  @Test
  void selectingAnUnknownNameFailsListingWhatWasFound() {
    assertThatThrownBy(() -> of(new AlphaProvider(), new BetaProvider()).select("gamma"))
        .isInstanceOf(ProviderException.class)
        .hasMessage("no ReplyFilterProvider named 'gamma' on the class path (found: alpha, beta)");
  }

  @Test
  void selectingAnUnknownNameAmongNoProvidersSaysNoneWasFound() {
    assertThatThrownBy(() -> of().select("amqp"))
        .isInstanceOf(ProviderException.class)
        .hasMessage("no ReplyFilterProvider named 'amqp' on the class path (found: none)");
  }

  @Test
  void findingAnUnknownNameGivesNothing() {
    assertThat(of(new AlphaProvider()).find("beta")).isEmpty();
  }

  @Test
  void theGatewayBuilderLoadsFilterProvidersThroughItsClassLoader() throws IOException {
    load(AlphaProvider.class.getName());

    try (Gateway gateway =
        Gateway.builder()
            .source(new InMemorySource(new ArrayList<>()))
            .sink(new ControllableSink(new ArrayList<>()))
            .classLoader(loader)
            .build()) {
      assertThat(gateway.filterProviders().names()).containsExactly("alpha");
    }
  }
}
