package dev.cluws.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.GeneralCodingRules.ACCESS_STANDARD_STREAMS;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "never" rules of docs/architecture.md, checked on the compiled main classes of every module.
 *
 * <p>Modules are told apart by their root package ({@code dev.cluws.core}, {@code .amqp}, {@code
 * .jetty}, {@code .filters}, {@code .testkit} (with the gateway fixture's {@code .testkit.e2e}),
 * {@code .broker}, {@code .cli}, and the example plugin's {@code dev.cluws.example}). The public
 * gateway API, what the adapters, the filters and the test kit may use of the core, is {@link
 * #CORE_PUBLIC_API} and {@link #CORE_PUBLIC_CLASSES}; the websocket edge may in addition use {@link
 * #CORE_TRANSPORT_API}. No rule is frozen: any violation fails the build.
 */
class ArchitectureTest {

  /**
   * The public gateway API: what plugins, adapters and the test kit may use of clu-ws-core. Whole
   * packages: the SPIs and their values, and how client text is logged.
   */
  static final String[] CORE_PUBLIC_API = {
    "dev.cluws.core.spi..", // the SPIs and their values
    "dev.cluws.core.log..", // LogText: how client text is logged
  };

  /**
   * ... and the classes of the root package that build, run and observe a gateway (with their
   * nested classes, e.g. {@code Gateway.Builder}). Nothing else of the root package is public API.
   */
  static final Set<String> CORE_PUBLIC_CLASSES =
      Set.of(
          "dev.cluws.core.Gateway",
          "dev.cluws.core.GatewaySettings",
          "dev.cluws.core.GatewayStats",
          "dev.cluws.core.GatewayBusyException",
          "dev.cluws.core.ProviderCatalog",
          "dev.cluws.core.PluginConfiguration");

  /** What a client transport (the websocket edge) may use besides the public API: packages. */
  static final String[] CORE_TRANSPORT_API = {
    "dev.cluws.core.client..", // ClientConnection, ClientTransport: one client's side of the hub
  };

  /** ... and single classes: the frame a transport sends, the subscription made at the upgrade. */
  static final Set<String> CORE_TRANSPORT_CLASSES =
      Set.of(
          "dev.cluws.core.codec.EncodedFrame",
          "dev.cluws.core.reply.Subscription",
          "dev.cluws.core.reply.SubscriptionException");

  private static final String[] LIBRARY_MODULES = {
    "dev.cluws.core..",
    "dev.cluws.amqp..",
    "dev.cluws.jetty..",
    "dev.cluws.filters..",
    "dev.cluws.testkit..",
    "dev.cluws.broker..",
    "dev.cluws.example..",
  };

  private static JavaClasses classes;

  @BeforeAll
  static void importEveryModule() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.cluws");
  }

  @Test
  void theClassesOfEveryModuleAreImportedSoTheRulesAreNotVacuous() {
    Set<String> modules =
        classes.stream()
            .map(JavaClass::getPackageName)
            .map(p -> p.split("\\.")[2])
            .collect(Collectors.toSet());

    assertThat(modules)
        .contains("core", "amqp", "jetty", "filters", "testkit", "broker", "cli", "example");
    assertThat(classes.contain("dev.cluws.core.Gateway")).isTrue();
  }

  @Test
  void theCoreKnowsNoBrokerNoWebServerNoCliAndNoGuice() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cluws.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "com.rabbitmq..",
                "org.eclipse.jetty..",
                "picocli..",
                "com.google.inject..",
                "org.apache.qpid..",
                "io.micrometer..")
            .because("clu-ws-core is transport-free: the edges plug into it through its SPIs"));
  }

  @Test
  void theCoreDependsOnNoOtherModule() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cluws.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "dev.cluws.amqp..",
                "dev.cluws.jetty..",
                "dev.cluws.filters..",
                "dev.cluws.testkit..",
                "dev.cluws.broker..",
                "dev.cluws.cli..",
                "dev.cluws.example.."));
  }

  @Test
  void filtersSeeRepliesNotSocketsOrTheBroker() {
    check(
        classes()
            .that()
            .resideInAnyPackage("dev.cluws.filters..", "dev.cluws.example..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                "dev.cluws.filters..",
                "dev.cluws.example..",
                "dev.cluws.core.spi..",
                "java..",
                "com.fasterxml.jackson..",
                "org.slf4j..",
                "org.jspecify..")
            .because("a filter decides on a Reply through the ReplyFilter SPI alone"));
  }

  @Test
  void theBrokerEdgeNeverTouchesTheWebServerEdge() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cluws.amqp..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.cluws.jetty..", "org.eclipse.jetty..")
            .because("the two edges meet only in the core"));
  }

  @Test
  void theWebServerEdgeNeverTouchesTheBrokerEdge() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cluws.jetty..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.cluws.amqp..", "com.rabbitmq..", "dev.cluws.broker..")
            .because("the two edges meet only in the core"));
  }

  @Test
  void theAdaptersAndTheTestKitUseOnlyTheCoresPublicApi() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(
                "dev.cluws.amqp..",
                "dev.cluws.filters..",
                "dev.cluws.testkit..",
                "dev.cluws.example..")
            .should()
            .dependOnClassesThat(coreInternals(CORE_PUBLIC_API))
            .as("the adapters and the test kit use only the core's public API")
            .because("plugin authors and adapters compile against spi and the gateway API"));
  }

  @Test
  void theRuleOnThePublicApiCoversTheKitAndBothAdapters() {
    // Not vacuous: each module the rules above name has classes here, and the kit's fixture,
    // client and actor are among them.
    for (String module : new String[] {"amqp", "jetty", "testkit"}) {
      assertThat(
              classes.stream().anyMatch(c -> c.getPackageName().startsWith("dev.cluws." + module)))
          .as("classes of dev.cluws.%s are imported", module)
          .isTrue();
    }
    assertThat(classes.contain("dev.cluws.testkit.WsClient")).isTrue();
    assertThat(classes.contain("dev.cluws.testkit.CluTestActor")).isTrue();
    assertThat(classes.contain("dev.cluws.testkit.e2e.GatewayFixture")).isTrue();
  }

  @Test
  void theCoresInternalsAreThoseOutsideThePublicApi() {
    DescribedPredicate<JavaClass> internals = coreInternals(CORE_PUBLIC_API);
    assertThat(internals.test(classes.get("dev.cluws.core.reply.Hub"))).isTrue();
    assertThat(internals.test(classes.get("dev.cluws.core.reply.FilterRequest"))).isTrue();
    assertThat(internals.test(classes.get("dev.cluws.core.codec.FrameCodec"))).isTrue();
    assertThat(internals.test(classes.get("dev.cluws.core.Gateway"))).isFalse();
    assertThat(internals.test(classes.get("dev.cluws.core.Gateway$Builder"))).isFalse();
    assertThat(internals.test(classes.get("dev.cluws.core.spi.CluIds"))).isFalse();
  }

  @Test
  void theWebsocketEdgeUsesOnlyTheCoresPublicAndTransportApi() {
    check(
        noClasses()
            .that()
            .resideInAPackage("dev.cluws.jetty..")
            .should()
            .dependOnClassesThat(
                coreInternals(concat(CORE_PUBLIC_API, CORE_TRANSPORT_API))
                    .and(
                        DescribedPredicate.describe(
                            "not " + CORE_TRANSPORT_CLASSES,
                            (JavaClass c) ->
                                !CORE_TRANSPORT_CLASSES.contains(
                                    c.getBaseComponentType().getName()))))
            .as("the websocket edge uses only the core's public and transport API"));
  }

  @Test
  void onlyTheCliKnowsGuicePicocliTheLoggingBackendAndTheEmbeddedBroker() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(LIBRARY_MODULES)
            .and()
            .resideOutsideOfPackage("dev.cluws.broker..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("com.google.inject..", "picocli..", "ch.qos.logback..")
            .because("plugins never depend on Guice; only clu-ws-cli wires, parses and logs"));
    check(
        noClasses()
            .that()
            .resideInAnyPackage(LIBRARY_MODULES)
            .and()
            .resideOutsideOfPackages("dev.cluws.broker..", "dev.cluws.testkit.e2e..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.cluws.broker..")
            .because(
                "only the CLI and the test kit's gateway fixture (where no broker listens) start"
                    + " the embedded broker"));
  }

  @Test
  void libraryModulesNeverWriteToStandardOutOrErr() {
    check(
        noClasses()
            .that()
            .resideInAnyPackage(LIBRARY_MODULES)
            .should(ACCESS_STANDARD_STREAMS)
            .because("library modules log through SLF4J only"));
  }

  @Test
  void theModulesDependOnEachOtherWithoutCycles() {
    check(slices().matching("dev.cluws.(*)..").should().beFreeOfCycles());
  }

  private static DescribedPredicate<JavaClass> coreInternals(String... publicApi) {
    return JavaClass.Predicates.resideInAPackage("dev.cluws.core..")
        .and(DescribedPredicate.not(JavaClass.Predicates.resideInAnyPackage(publicApi)))
        .and(
            DescribedPredicate.describe(
                "not " + CORE_PUBLIC_CLASSES,
                (JavaClass c) -> !CORE_PUBLIC_CLASSES.contains(topLevelName(c))))
        .as(
            "core internals (outside %s and %s)",
            String.join(", ", publicApi), CORE_PUBLIC_CLASSES);
  }

  /** The name of the top-level class a class is nested in (itself when it is not nested). */
  private static String topLevelName(JavaClass c) {
    String name = c.getBaseComponentType().getName();
    int dollar = name.indexOf('$');
    return dollar < 0 ? name : name.substring(0, dollar);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static void check(ArchRule rule) {
    rule.check(classes);
  }
}
