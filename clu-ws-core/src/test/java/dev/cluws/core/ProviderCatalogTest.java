package dev.cluws.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cluws.core.spi.FilterContext;
import dev.cluws.core.spi.ProviderException;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilterProvider;
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
