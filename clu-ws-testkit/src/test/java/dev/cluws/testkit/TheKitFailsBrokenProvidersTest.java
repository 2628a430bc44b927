package dev.cluws.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.cluws.core.spi.ReplyFilterProvider;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The kit is run, through the JUnit Platform launcher as a build would run it, against providers
 * that each break one rule (their kit classes are nested, so the build itself does not run them):
 * the kit reports the broken rule, and passes a provider that keeps them all.
 */
class TheKitFailsBrokenProvidersTest {
  private static final String INVALID =
      "everyInvalidExampleIsRefusedWithAnIllegalArgumentExceptionThatSaysWhy";

  @Test
  void aProviderThatKeepsEveryRulePassesEveryTestOfTheKit() {
    Results results = run(SenderPrefixFilterProviderTest.class);

    assertThat(results.failed()).isEmpty();
    assertThat(results.succeeded()).containsAll(kitTests()).hasSizeGreaterThan(kitTests().size());
  }

  @Test
  void aProviderThatThrowsNullPointerExceptionOnBadInputFailsTheKit() {
    Results results = run(NullPointerOnBadInputKit.class);

    assertThat(results.failed()).containsOnlyKeys(INVALID);
    assertThat(results.failed().get(INVALID))
        .hasMessageContaining("threw java.lang.NullPointerException")
        .hasCauseInstanceOf(NullPointerException.class);
  }

  @Test
  void aProviderThatAcceptsInvalidParametersFailsTheKit() {
    Results results = run(AcceptsAnythingKit.class);

    assertThat(results.failed()).containsOnlyKeys(INVALID);
    assertThat(results.failed().get(INVALID))
        .hasMessageContaining("accepted the invalid parameters \"accepts-anything=\"");
  }

  @Test
  void aProviderThatRefusesWithoutAMessageFailsTheKit() {
    Results results = run(SilentRefusalKit.class);

    assertThat(results.failed()).containsOnlyKeys(INVALID);
    assertThat(results.failed().get(INVALID)).hasMessageContaining("the client reads it");
  }

  @Test
  void aFilterThatThrowsOnAReplyWithoutSenderFailsTheKit() {
    Results results = run(ThrowsWithoutSenderKit.class);

    assertThat(results.failed()).containsKey("itsFiltersCopeWithRepliesOfEveryShape");
    assertThat(results.failed().get("itsFiltersCopeWithRepliesOfEveryShape"))
        .hasMessageContaining("from no sender")
        .hasMessageContaining("verdict() threw java.lang.NullPointerException");
  }

  @Test
  void aFilterWhoseMapReturnsNullFailsTheKit() {
    Results results = run(MapReturnsNullKit.class);

    assertThat(results.failed()).containsOnlyKeys("itsFiltersCopeWithRepliesOfEveryShape");
    assertThat(results.failed().get("itsFiltersCopeWithRepliesOfEveryShape"))
        .hasMessageContaining("map() returned null");
  }

  @Test
  void aFilterThatChangesTheBodyItIsGivenFailsTheKit() {
    Results results = run(MutatesBodiesKit.class);

    assertThat(results.failed()).containsOnlyKeys("itsFiltersNeverChangeTheRepliesTheyAreGiven");
    assertThat(results.failed().get("itsFiltersNeverChangeTheRepliesTheyAreGiven"))
        .hasMessageContaining("the reply was changed");
  }

  @Test
  void aFilterThatCopiesRepliesItDoesNotChangeFailsTheKit() {
    Results results = run(CopiesEveryReplyKit.class);

    assertThat(results.failed()).containsOnlyKeys("mapReturnsTheReplyItselfWhenItDoesNotChangeIt");
  }

  @Test
  void aFilterThatAnswersDifferentlyEachTimeFailsTheKit() {
    Results results = run(FlakyKit.class);

    assertThat(results.failed()).containsKey("itsFiltersGiveTheSameResultEveryTime");
  }

  @Test
  void aFilterThatDecidesDifferentlyOnOtherThreadsFailsTheKit() {
    Results results = run(CreatingThreadOnlyKit.class);

    assertThat(results.failed())
        .containsOnlyKeys("itsFiltersGiveTheSameResultsOnSeveralThreadsAtOnce");
    assertThat(results.failed().get("itsFiltersGiveTheSameResultsOnSeveralThreadsAtOnce"))
        .hasMessageContaining("on one thread");
  }

  @Test
  void aProviderThatSharesStateBetweenClientsFailsTheKit() {
    Results results = run(SharedAcrossClientsKit.class);

    assertThat(results.failed())
        .containsOnlyKeys("filtersOfOtherClientsDoNotChangeWhatAFilterDecides");
  }

  @Test
  void aFilterThatLetsThroughRepliesNamingTheGatewayAsSenderFailsTheKit() {
    Results results = run(TrustsTheGatewaysNameKit.class);

    assertThat(results.failed())
        .containsOnlyKeys("repliesThatClaimToComeFromTheGatewayGetNoFavours");
    assertThat(results.failed().get("repliesThatClaimToComeFromTheGatewayGetNoFavours"))
        .hasMessageContaining("names the gateway as its sender");
  }

  @Test
  void aProviderWithAReservedNameFailsTheKit() {
    Results results = run(ReservedNameKit.class);

    assertThat(results.failed()).containsOnlyKeys("theNameIsNotAParameterOfTheGatewayItself");
  }

  @Test
  void aProviderWithAnInvalidNameFailsTheKit() {
    Results results = run(UpperCaseNameKit.class);

    assertThat(results.failed())
        .containsOnlyKeys("theNameIsMadeOfLowerCaseLettersDigitsDashesAndUnderscores");
  }

  @Test
  void aProviderThatStatesAnotherSpiVersionThanItIsCompiledAgainstFailsTheKit() {
    Results results = run(WrongSpiVersionKit.class);

    assertThat(results.failed())
        .containsOnlyKeys("theProviderStatesTheSpiVersionItIsCompiledAgainst");
    assertThat(results.failed().get("theProviderStatesTheSpiVersionItIsCompiledAgainst"))
        .hasMessageContaining("return SpiVersion.CURRENT")
        .hasMessageContaining("\"1.99\"");
  }

  @Test
  void aProviderMissingFromMetaInfServicesFailsTheKit() {
    Results results = run(NotRegisteredKit.class);

    assertThat(results.failed()).containsOnlyKeys("theProviderIsFoundByServiceLoader");
    assertThat(results.failed().get("theProviderIsFoundByServiceLoader"))
        .hasMessageContaining("META-INF/services/dev.cluws.core.spi.ReplyFilterProvider");
  }

  @Test
  void aProviderWithoutANoArgumentConstructorFailsTheKit() {
    Results results = run(NoPublicConstructorKit.class);

    assertThat(results.failed()).containsOnlyKeys("theProviderHasAPublicNoArgumentConstructor");
  }

  // --- running the kit
  // ----------------------------------------------------------------------------

  /** The test methods that passed, and the ones that failed with why, by method name. */
  record Results(Set<String> succeeded, Map<String, Throwable> failed) {}

  private static Results run(Class<?> testClass) {
    Set<String> succeeded = ConcurrentHashMap.newKeySet();
    Map<String, Throwable> failed = new ConcurrentHashMap<>();
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build();
    TestExecutionListener listener =
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            if (!test.isTest() || !(test.getSource().orElse(null) instanceof MethodSource method)) {
              return;
            }
            switch (result.getStatus()) {
              case SUCCESSFUL -> succeeded.add(method.getMethodName());
              case FAILED ->
                  failed.put(
                      method.getMethodName(),
                      result.getThrowable().orElse(new AssertionError("no reason given")));
              case ABORTED -> {
                // an assumption that does not hold (no invalid examples): neither passed nor failed
              }
            }
          }
        };
    LauncherFactory.create().execute(request, listener);
    return new Results(succeeded, failed);
  }

  private static Set<String> kitTests() {
    return Arrays.stream(ReplyFilterProviderCompatibilityKit.class.getDeclaredMethods())
        .filter(m -> m.isAnnotationPresent(Test.class))
        .map(Method::getName)
        .collect(Collectors.toSet());
  }

  // --- the kit against each broken provider (not run by the build itself: nested classes) ------

  abstract static class BrokenKit extends ReplyFilterProviderCompatibilityKit {
    @Override
    protected List<String> validParameters() {
      return List.of(provider.name() + "=kit_actor", provider.name() + "=other-actor.2");
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of(provider.name() + "=");
    }
  }

  static final class NullPointerOnBadInputKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.NullPointerOnBadInput();
    }
  }

  static final class AcceptsAnythingKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.AcceptsAnything();
    }
  }

  static final class SilentRefusalKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.SilentRefusal();
    }
  }

  static final class ThrowsWithoutSenderKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.ThrowsWithoutSender();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class MapReturnsNullKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.MapReturnsNull();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class MutatesBodiesKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.MutatesBodies();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class CopiesEveryReplyKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.CopiesEveryReply();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class FlakyKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.Flaky();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class CreatingThreadOnlyKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.CreatingThreadOnly();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class SharedAcrossClientsKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.SharedAcrossClients();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class TrustsTheGatewaysNameKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.TrustsTheGatewaysName();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class ReservedNameKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.ReservedName();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class WrongSpiVersionKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.WrongSpiVersion();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class UpperCaseNameKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.UpperCaseName();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class NotRegisteredKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.NotRegistered();
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }

  static final class NoPublicConstructorKit extends BrokenKit {
    @Override
    protected ReplyFilterProvider createProvider() {
      return new BrokenProviders.NoPublicConstructor("no-public-constructor");
    }

    @Override
    protected List<String> invalidParameters() {
      return List.of();
    }
  }
}
