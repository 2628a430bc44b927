package dev.cluws.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.cluws.core.Gateway;
import dev.cluws.core.spi.PluginSetting;
import dev.cluws.core.spi.PluginSettings;
import dev.cluws.core.spi.Reply;
import dev.cluws.core.spi.ReplyFilter;
import dev.cluws.core.spi.ReplyFilter.Verdict;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.core.spi.SpiVersion;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit for {@link ReplyFilterProvider} plugins: what every filter provider must
 * honour to be safe in a gateway, as JUnit 5 tests a plugin's own test class inherits (like
 * Micrometer's {@code MeterRegistryCompatibilityKit}).
 *
 * <h2>Using it</h2>
 *
 * Add {@code dev.cluws:clu-ws-testkit} as a test dependency and extend this class with the provider
 * and examples of its parameters, written as a client writes them after the {@code ?} of its URL:
 *
 * <pre>{@code
 * class MatchFilterProviderTest extends ReplyFilterProviderCompatibilityKit {
 *   @Override
 *   protected ReplyFilterProvider createProvider() {
 *     return new MatchFilterProvider();
 *   }
 *
 *   @Override
 *   protected List<String> validParameters() {
 *     return List.of("match=open", "match=open,closed&match.keyword=text");
 *   }
 *
 *   @Override
 *   protected List<String> invalidParameters() {
 *     return List.of("match", "match=open&match.colour=red");
 *   }
 * }
 * }</pre>
 *
 * <p>The inherited tests check that the provider
 *
 * <ul>
 *   <li>has a name of lower-case letters, digits, {@code -} and {@code _} that is not one of the
 *       gateway's own parameters ({@link #RESERVED_NAMES});
 *   <li>is registered in {@code META-INF/services/dev.cluws.core.spi.ReplyFilterProvider}, so that
 *       {@link java.util.ServiceLoader} finds it with the provider's class loader;
 *   <li>states the SPI version it is compiled against ({@code spiVersion()} returns {@link
 *       SpiVersion#CURRENT});
 *   <li>has a public no-argument constructor;
 *   <li>creates a filter for every valid example, and refuses every invalid one with an {@link
 *       IllegalArgumentException} whose message tells the client what is wrong (the gateway sends
 *       that message to the client; any other exception is a bug that refuses the client with "the
 *       filter failed on the server");
 * </ul>
 *
 * <p>and that every filter it creates for a valid example
 *
 * <ul>
 *   <li>copes with replies of every shape ({@link #sampleReplies()}: no sender, no command id, no
 *       or an unknown message code, an empty body, a body that is not an object, replies that claim
 *       to come from the gateway, snapshot frames): {@link ReplyFilter#verdict} and {@link
 *       ReplyFilter#map} neither throw nor return {@code null} (the gateway treats both alike: the
 *       reply is denied, the failure counted and reported to the client). {@code map} is asked
 *       about every reply, also one its own {@code verdict} would deny, because an earlier filter
 *       in the chain may accept a reply without asking the later ones;
 *   <li>gives no favours to a reply that claims to come from the gateway: an actor's reply it
 *       denies (one with a sender) is still denied when the same reply names the gateway as its
 *       {@code sender} and arrives through the broker's default exchange ({@link
 *       ReplyBuilder#claimingGateway}). The gateway's own frames never reach a filter (the
 *       gateway's chain lets them through, and so does {@link #deliver}); a filter that lets
 *       replies through because of their sender would let anyone who can publish to the broker past
 *       it;
 *   <li>returns the reply itself from {@code map} when it does not change it (the gateway then
 *       sends the frame it encoded once for every client), and a different reply only when it is
 *       different;
 *   <li>never changes a reply it is given (bodies are shared by every client: a rewriting filter
 *       builds a new body and calls {@link Reply#withBody});
 *   <li>is deterministic: the same reply gets the same verdict and the same result every time, from
 *       a new filter for the same parameters too;
 *   <li>is thread-safe: several threads using one filter (and creating their own) at once get
 *       exactly those results;
 *   <li>is independent of other clients' filters: creating filters for other clients does not
 *       change what an existing filter decides.
 * </ul>
 *
 * <p>The kit cannot check everything the gateway needs: a filter must also never block or do I/O,
 * never parse the body again (it is already a tree) and keep no state per call. Test what your
 * filter decides with your own {@code @Test} methods in the same class; {@link #filter(String)},
 * {@link #context(String)}, {@link #deliver(ReplyFilter, Reply)} and {@link ReplyBuilder} make
 * those tests short:
 *
 * <pre>{@code
 * @Test
 * void aReplyWithoutTheTextIsNotDelivered() {
 *   ReplyFilter filter = filter("match=open");
 *   assertThat(deliver(filter, ReplyBuilder.from("lvmecp").body("{\"dome\": \"closed\"}").build()))
 *       .isNull();
 * }
 * }</pre>
 *
 * <p>Add replies that matter to your filter by overriding {@link #sampleReplies()} (call {@code
 * super.sampleReplies()} and add yours): every inherited test then runs on them too. A test of the
 * kit that does not apply to a provider can be overridden without {@code @Test}, but say why in a
 * comment: a provider that fails one of these tests misbehaves in a gateway.
 */
public abstract class ReplyFilterProviderCompatibilityKit {
  /**
   * Query parameters the gateway reads itself ({@code since}, {@code seq}, {@code snapshot}, {@code
   * acks}, {@code token}); no provider may have one of these names.
   */
  public static final Set<String> RESERVED_NAMES = Gateway.RESERVED_PARAMETERS;

  /** What a provider's name is made of. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9_-]+");

  private static final int THREADS = 4;
  private static final int ROUNDS = 200;
  private static final long THREAD_TIMEOUT_SECONDS = 60;

  /** The provider under test: a new one from {@link #createProvider()} before every test. */
  protected ReplyFilterProvider provider;

  /** Creates the provider under test; called before every test. */
  protected abstract ReplyFilterProvider createProvider();

  /**
   * Parameters with which the provider creates a filter, as a client writes them after the {@code
   * ?} of its URL (e.g. {@code "match=open&match.keyword=text"}; see {@link
   * TestFilterContext#of(String, String)}). Give at least one; give one of each kind (values only,
   * options only, both) the provider accepts, because every filter test runs on each.
   */
  protected abstract List<String> validParameters();

  /**
   * Parameters the provider refuses (e.g. {@code "match"} with no value, an unknown option, a value
   * it cannot read), written like {@link #validParameters()}. Empty only for a provider that
   * accepts anything, which skips the test of refusals.
   */
  protected abstract List<String> invalidParameters();

  /**
   * The values the operator gives the provider's settings ({@link
   * dev.cluws.core.spi.PluginProvider#settings()}) in every inherited test, by key, as text (as on
   * the command line). The default gives none, so every setting has its default; override it to run
   * the kit with other values.
   */
  protected Map<String, String> pluginSettings() {
    return Map.of();
  }

  /** Sets {@link #provider} to a new provider from {@link #createProvider()}. */
  @BeforeEach
  public final void createProviderUnderTest() {
    provider = createProvider();
    assertThat(provider).as("createProvider()").isNotNull();
  }

  // --- helpers for plugin authors ---------------------------------------------------------------

  /**
   * The context the gateway gives the provider for a client with these parameters (see {@link
   * TestFilterContext#of(String, String)}), with the settings of {@link #pluginSettings()}.
   */
  public TestFilterContext context(String parameters) {
    return context(parameters, pluginSettings());
  }

  /**
   * The context the gateway gives the provider for a client with these parameters when the operator
   * gave the provider these settings (by key, as text; the others have their defaults).
   *
   * @throws IllegalArgumentException when a key is not one the provider declares or a value is not
   *     of its setting's type, as the gateway refuses to start then
   */
  public TestFilterContext context(String parameters, Map<String, String> settings) {
    return TestFilterContext.of(provider.name(), parameters)
        .withSettings(PluginSettings.of(provider.settings(), settings));
  }

  /** The provider's filter for a client with these parameters. */
  public ReplyFilter filter(String parameters) {
    return provider.create(context(parameters));
  }

  /** The provider's filter for a client with these parameters, with these settings. */
  public ReplyFilter filter(String parameters, Map<String, String> settings) {
    return provider.create(context(parameters, settings));
  }

  /**
   * What a client whose chain is just this filter receives: {@code null} when the filter denies the
   * reply, else the result of its {@link ReplyFilter#map}; a frame the gateway made itself ({@link
   * Reply#fromGateway()}) unchanged, without asking the filter, as the gateway's chain does.
   * Exceptions pass through; a {@code null} verdict or a {@code null} from {@code map}, which the
   * gateway counts and reports as a failure of the filter, throws {@link IllegalStateException}.
   */
  public static Reply deliver(ReplyFilter filter, Reply reply) {
    if (reply.fromGateway()) {
      return reply;
    }
    Verdict verdict = filter.verdict(reply);
    if (verdict == null) {
      throw new IllegalStateException(
          "verdict() returned null; the gateway counts it as a failure");
    }
    if (verdict == Verdict.DENY) {
      return null;
    }
    Reply mapped = filter.map(reply);
    if (mapped == null) {
      throw new IllegalStateException(
          "map() returned null; the gateway counts it as a failure (deny in verdict() instead)");
    }
    return mapped;
  }

  /**
   * Replies of every shape a filter meets in a gateway; every inherited test runs on each. Override
   * to add replies that matter to your filter:
   *
   * <pre>{@code
   * @Override
   * public List<Reply> sampleReplies() {
   *   List<Reply> replies = new ArrayList<>(super.sampleReplies());
   *   replies.add(ReplyBuilder.from("lvmecp").body("{\"dome\": \"open\"}").build());
   *   return replies;
   * }
   * }</pre>
   */
  public List<Reply> sampleReplies() {
    String actor = "kit_actor";
    return List.of(
        ReplyBuilder.from(actor).code(">").internal(true).build(),
        ReplyBuilder.from(actor).code(":").body("{\"text\": \"Pong.\"}").build(),
        ReplyBuilder.from(actor)
            .broadcast()
            .body(
                "{\"status_word\": 42, \"temperature\": [1.5, -2.0], \"mode\": \"Open\","
                    + " \"nested\": {\"a\": null, \"b\": [true, false]}, \"text\": \"Ünïcødé ✓\"}")
            .build(),
        ReplyBuilder.from(actor).code("f").body("{\"error\": \"Command failed.\"}").build(),
        ReplyBuilder.from(actor).code("w").body("{\"help\": [\"ping\", \"status\"]}").build(),
        ReplyBuilder.from("other-actor.2").code("d").body("{\"text\": \"debug\"}").build(),
        ReplyBuilder.from(actor).withoutHeader(Reply.SENDER).body("{\"text\": \"who?\"}").build(),
        ReplyBuilder.from(actor).header(Reply.SENDER, null).build(),
        ReplyBuilder.from(actor).withoutHeader(Reply.COMMAND_ID).correlationId(null).build(),
        ReplyBuilder.from(actor)
            .withoutHeader(Reply.COMMANDER_ID)
            .withoutHeader(Reply.INTERNAL)
            .build(),
        ReplyBuilder.from(actor).withoutHeader(Reply.MESSAGE_CODE).build(),
        ReplyBuilder.from(actor).code("?").build(),
        ReplyBuilder.from(actor).code("").build(),
        ReplyBuilder.from(actor).body("{}").build(),
        ReplyBuilder.from(actor).body("[1, \"two\", {\"three\": 3}]").build(),
        ReplyBuilder.from(actor).body("\"just text\"").build(),
        ReplyBuilder.from(actor).body("17").build(),
        ReplyBuilder.from(actor).body("null").build(),
        ReplyBuilder.from(actor)
            .header("x-extra", List.of(1, "two"))
            .header("x-map", Map.of("k", "v"))
            .messageId(null)
            .timestamp(null)
            .build(),
        ReplyBuilder.claimingGateway("e", "{\"error\": \"bad frame\"}").build(),
        ReplyBuilder.claimingGateway("w", "{\"broker\": \"disconnected\", \"text\": \"lost\"}")
            .build(),
        ReplyBuilder.claimingGateway("i", "{\"replay\": \"complete\", \"replayed\": 0}")
            .exchange(ReplyBuilder.EXCHANGE)
            .routingKey("reply.broadcast")
            .build(),
        ReplyBuilder.snapshot(actor, "{\"status_word\": 42, \"mode\": \"Open\"}").build(),
        ReplyBuilder.snapshot("other-actor.2", "{}").build());
  }

  // --- the provider
  // -------------------------------------------------------------------------------

  @Test
  public void theNameIsMadeOfLowerCaseLettersDigitsDashesAndUnderscores() {
    String name = provider.name();
    assertThat(name)
        .as("name() of %s: a client writes it as a query parameter", provider.getClass().getName())
        .isNotNull()
        .matches(NAME);
    assertThat(provider.name()).as("name() called again").isEqualTo(name);
  }

  @Test
  public void theNameIsNotAParameterOfTheGatewayItself() {
    assertThat(provider.name())
        .as(
            "name() of %s (the gateway skips a provider with a reserved name)",
            provider.getClass().getName())
        .isNotIn(RESERVED_NAMES);
  }

  @Test
  public void theProviderIsFoundByServiceLoader() {
    Class<? extends ReplyFilterProvider> type = provider.getClass();
    List<String> listed = listedProviders(type.getClassLoader());
    assertThat(listed)
        .as(
            "the providers listed in META-INF/services/%s visible to the class loader of %s",
            ReplyFilterProvider.class.getName(), type.getName())
        .contains(type.getName());
  }

  /**
   * The class names in every {@code META-INF/services} file of the SPI the loader sees, as {@link
   * ServiceLoader} reads them (a broken entry in another jar does not hide this provider).
   */
  private static List<String> listedProviders(ClassLoader loader) {
    List<String> listed = new ArrayList<>();
    try {
      Enumeration<URL> files =
          loader.getResources("META-INF/services/" + ReplyFilterProvider.class.getName());
      while (files.hasMoreElements()) {
        try (BufferedReader reader =
            new BufferedReader(
                new InputStreamReader(files.nextElement().openStream(), StandardCharsets.UTF_8))) {
          reader
              .lines()
              .map(line -> line.indexOf('#') >= 0 ? line.substring(0, line.indexOf('#')) : line)
              .map(String::strip)
              .filter(line -> !line.isEmpty())
              .forEach(listed::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return listed;
  }

  @Test
  public void itsSettingsAreDeclaredWithUniqueKeysAndTheirDefaultsCanBeRead() {
    List<PluginSetting> declared = provider.settings();
    assertThat(declared).as("settings() of %s", provider.getClass().getName()).isNotNull();
    PluginSettings defaults = PluginSettings.of(declared, Map.of());
    for (PluginSetting setting : declared) {
      assertThat(setting.parse(setting.defaultText()))
          .as("the default of the setting '%s', written as an operator writes it", setting.key())
          .isEqualTo(setting.defaultValue());
      assertThat(defaults.getString(setting.key())).isEqualTo(setting.defaultText());
    }
    assertThat(provider.settings()).as("settings() called again").isEqualTo(declared);
  }

  @Test
  public void theProviderStatesTheSpiVersionItIsCompiledAgainst() {
    assertThat(provider.spiVersion())
        .as(
            "spiVersion() of %s (return SpiVersion.CURRENT from it in the provider's own code: the"
                + " compiler copies the version of the spi the plugin is compiled against into the"
                + " class, and a gateway with an older spi skips the provider instead of failing at"
                + " a client's first reply)",
            provider.getClass().getName())
        .isEqualTo(SpiVersion.CURRENT);
  }

  @Test
  public void theProviderHasAPublicNoArgumentConstructor() throws Exception {
    Class<? extends ReplyFilterProvider> type = provider.getClass();
    assertThat(Modifier.isPublic(type.getModifiers())).as("%s is public", type.getName()).isTrue();
    assertThat(Modifier.isAbstract(type.getModifiers()))
        .as("%s is abstract", type.getName())
        .isFalse();
    assertThat(type.getEnclosingClass() == null || Modifier.isStatic(type.getModifiers()))
        .as("%s is a top-level or static nested class", type.getName())
        .isTrue();
    Constructor<? extends ReplyFilterProvider> constructor;
    try {
      constructor = type.getConstructor();
    } catch (NoSuchMethodException e) {
      throw new AssertionError(type.getName() + " has no public no-argument constructor", e);
    }
    ReplyFilterProvider fresh;
    try {
      fresh = constructor.newInstance();
    } catch (InvocationTargetException e) {
      throw new AssertionError(
          "the no-argument constructor of " + type.getName() + " threw " + e.getCause(),
          e.getCause());
    }
    assertThat(fresh.name()).as("name() of a new %s", type.getName()).isEqualTo(provider.name());
  }

  @Test
  public void everyValidExampleCreatesAFilter() {
    for (String parameters : validExamples()) {
      TestFilterContext context = context(parameters);
      ReplyFilter filter;
      try {
        filter = provider.create(context);
      } catch (RuntimeException e) {
        throw new AssertionError("create() refused the valid parameters \"" + parameters + "\"", e);
      }
      assertThat(filter).as("create() for \"%s\"", parameters).isNotNull();
    }
  }

  @Test
  public void everyInvalidExampleIsRefusedWithAnIllegalArgumentExceptionThatSaysWhy() {
    List<String> examples = invalidParameters();
    assertThat(examples).as("invalidParameters()").isNotNull();
    assumeFalse(examples.isEmpty(), "invalidParameters() is empty: the provider accepts anything");
    for (String parameters : examples) {
      TestFilterContext context = context(parameters);
      Throwable thrown = catchThrowable(() -> provider.create(context));
      if (thrown == null) {
        fail("create() accepted the invalid parameters \"%s\"", parameters);
      }
      if (!(thrown instanceof IllegalArgumentException)) {
        throw new AssertionError(
            String.format(
                "create() for the invalid parameters \"%s\" threw %s instead of an"
                    + " IllegalArgumentException with a message for the client",
                parameters, thrown.getClass().getName()),
            thrown);
      }
      assertThat(thrown.getMessage())
          .as(
              "the message of the IllegalArgumentException for \"%s\" (the client reads it)",
              parameters)
          .isNotBlank();
    }
  }

  // --- its filters
  // --------------------------------------------------------------------------------

  @Test
  public void itsFiltersCopeWithRepliesOfEveryShape() {
    List<String> problems = new ArrayList<>();
    for (String parameters : validExamples()) {
      ReplyFilter filter = filter(parameters);
      for (Reply reply : sampleReplies()) {
        try {
          Verdict verdict = filter.verdict(reply);
          if (verdict == null) {
            problems.add(describe(parameters, reply) + ": verdict() returned null");
          }
        } catch (RuntimeException e) {
          problems.add(describe(parameters, reply) + ": verdict() threw " + e);
        }
        try {
          if (filter.map(reply) == null) {
            problems.add(
                describe(parameters, reply)
                    + ": map() returned null (the gateway counts and reports that as a failure of"
                    + " the filter; deny in verdict() instead)");
          }
        } catch (RuntimeException e) {
          problems.add(describe(parameters, reply) + ": map() threw " + e);
        }
      }
    }
    assertThat(problems).as("replies the filters could not handle").isEmpty();
  }

  @Test
  public void repliesThatClaimToComeFromTheGatewayGetNoFavours() {
    List<String> problems = new ArrayList<>();
    for (String parameters : validExamples()) {
      ReplyFilter filter = filter(parameters);
      for (Reply reply : sampleReplies()) {
        if (reply.fromGateway() || reply.snapshot() || reply.sender() == null) {
          continue;
        }
        Map<String, Object> headers = new LinkedHashMap<>(reply.headers());
        headers.put(Reply.SENDER, TestFilterContext.GATEWAY_NAME);
        Reply claiming =
            new Reply(
                headers,
                "",
                TestFilterContext.GATEWAY_NAME + "_replies",
                reply.messageId(),
                reply.correlationId(),
                reply.timestamp(),
                reply.body());
        if (deliversSafely(filter, reply) == null && deliversSafely(filter, claiming) != null) {
          problems.add(
              describe(parameters, reply)
                  + ": denied, but delivered when it names the gateway as its sender");
        }
      }
    }
    assertThat(problems)
        .as(
            "actors' replies the filters let through because they claim to come from the gateway"
                + " (anyone who can publish to the broker can claim that; the gateway's own frames"
                + " never reach a filter)")
        .isEmpty();
  }

  /** {@link #deliver}, with a reply the filter fails on counted as denied (tested elsewhere). */
  private static Reply deliversSafely(ReplyFilter filter, Reply reply) {
    try {
      return deliver(filter, reply);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Test
  @SuppressWarnings("ReferenceEquality") // whether map() returned the same instance
  public void mapReturnsTheReplyItselfWhenItDoesNotChangeIt() {
    List<String> problems = new ArrayList<>();
    for (String parameters : validExamples()) {
      ReplyFilter filter = filter(parameters);
      for (Reply reply : sampleReplies()) {
        Reply mapped = filter.map(reply);
        if (mapped != reply && reply.equals(mapped)) {
          problems.add(
              describe(parameters, reply)
                  + ": map() returned an equal copy instead of the reply itself");
        }
      }
    }
    assertThat(problems).as("unchanged replies that map() copied").isEmpty();
  }

  @Test
  @SuppressWarnings("ReferenceEquality") // whether map() returned the same instance
  public void itsFiltersNeverChangeTheRepliesTheyAreGiven() {
    List<String> problems = new ArrayList<>();
    for (String parameters : validExamples()) {
      ReplyFilter filter = filter(parameters);
      for (Reply reply : sampleReplies()) {
        Reply before = copyOf(reply);
        filter.verdict(reply);
        Reply mapped = filter.map(reply);
        if (!reply.equals(before)) {
          problems.add(
              describe(parameters, before)
                  + ": the reply was changed to "
                  + reply.body()
                  + " (build a new body and use withBody())");
        } else if (mapped != null && mapped != reply) {
          Reply mappedBefore = copyOf(mapped);
          filter.map(reply);
          if (!mapped.equals(mappedBefore)) {
            problems.add(
                describe(parameters, before)
                    + ": the body map() returned changed when map() ran again (filters share"
                    + " bodies)");
          }
        }
      }
    }
    assertThat(problems).as("replies the filters changed").isEmpty();
  }

  @Test
  public void itsFiltersGiveTheSameResultEveryTime() {
    List<String> problems = new ArrayList<>();
    List<Reply> replies = sampleReplies();
    for (String parameters : validExamples()) {
      ReplyFilter filter = filter(parameters);
      List<Outcome> first = outcomes(filter, replies);
      List<Outcome> again = outcomes(filter, replies);
      List<Outcome> fromNewFilter = outcomes(filter(parameters), replies);
      for (int i = 0; i < replies.size(); i++) {
        if (!first.get(i).equals(again.get(i))) {
          problems.add(
              describe(parameters, replies.get(i))
                  + ": first "
                  + first.get(i)
                  + ", then "
                  + again.get(i));
        } else if (!first.get(i).equals(fromNewFilter.get(i))) {
          problems.add(
              describe(parameters, replies.get(i))
                  + ": "
                  + first.get(i)
                  + ", but from a new filter for the same parameters "
                  + fromNewFilter.get(i));
        }
      }
    }
    assertThat(problems).as("replies that got different results").isEmpty();
  }

  @Test
  public void itsFiltersGiveTheSameResultsOnSeveralThreadsAtOnce() throws InterruptedException {
    List<String> problems = new ArrayList<>();
    List<Reply> replies = sampleReplies();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      for (String parameters : validExamples()) {
        TestFilterContext context = context(parameters);
        ReplyFilter shared = provider.create(context);
        List<Outcome> expected = outcomes(shared, replies);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> tasks = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          boolean ownFilter = t % 2 == 1;
          tasks.add(
              pool.submit(
                  () -> {
                    if (!start.await(THREAD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                      return List.of("the threads were not started");
                    }
                    ReplyFilter filter =
                        ownFilter ? provider.create(context.withClientId("kit-client-2")) : shared;
                    List<String> found = new ArrayList<>();
                    for (int round = 0; round < ROUNDS && found.isEmpty(); round++) {
                      for (int i = 0; i < replies.size(); i++) {
                        Outcome outcome = outcome(filter, replies.get(i));
                        if (!outcome.equals(expected.get(i))) {
                          found.add(
                              describe(parameters, replies.get(i))
                                  + ": "
                                  + outcome
                                  + " on one thread, "
                                  + expected.get(i)
                                  + " alone");
                        }
                      }
                    }
                    return found;
                  }));
        }
        start.countDown();
        for (Future<List<String>> task : tasks) {
          try {
            problems.addAll(task.get(THREAD_TIMEOUT_SECONDS, TimeUnit.SECONDS));
          } catch (ExecutionException e) {
            problems.add(
                "\""
                    + parameters
                    + "\": a filter threw on one of several threads: "
                    + e.getCause());
          } catch (TimeoutException e) {
            problems.add(
                "\""
                    + parameters
                    + "\": the threads did not finish within "
                    + THREAD_TIMEOUT_SECONDS
                    + " s (does the filter block?)");
            break;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(problems).as("results that differed between threads").isEmpty();
  }

  @Test
  public void filtersOfOtherClientsDoNotChangeWhatAFilterDecides() {
    List<String> problems = new ArrayList<>();
    List<Reply> replies = sampleReplies();
    List<String> examples = validExamples();
    ReplyFilter first = filter(examples.get(0));
    List<Outcome> before = outcomes(first, replies);
    int client = 2;
    for (String parameters : examples) {
      provider.create(context(parameters).withClientId("kit-client-" + client++));
    }
    for (String parameters : examples.subList(1, examples.size())) {
      outcomes(filter(parameters), replies);
    }
    List<Outcome> after = outcomes(first, replies);
    for (int i = 0; i < replies.size(); i++) {
      if (!before.get(i).equals(after.get(i))) {
        problems.add(
            describe(examples.get(0), replies.get(i))
                + ": "
                + before.get(i)
                + ", but after filters were created for other clients "
                + after.get(i));
      }
    }
    assertThat(problems)
        .as("replies whose results changed when other clients got filters (shared state?)")
        .isEmpty();
  }

  // --- internals
  // ----------------------------------------------------------------------------------

  private List<String> validExamples() {
    List<String> examples = validParameters();
    assertThat(examples).as("validParameters() (give at least one example)").isNotEmpty();
    return examples;
  }

  /** What one filter does with one reply, for comparisons. */
  private record Outcome(Verdict verdict, Reply mapped) {
    @Override
    public String toString() {
      return verdict + " and map() giving " + (mapped == null ? null : mapped.body());
    }
  }

  private static Outcome outcome(ReplyFilter filter, Reply reply) {
    return new Outcome(filter.verdict(reply), filter.map(reply));
  }

  private static List<Outcome> outcomes(ReplyFilter filter, List<Reply> replies) {
    List<Outcome> outcomes = new ArrayList<>(replies.size());
    for (Reply reply : replies) {
      outcomes.add(outcome(filter, reply));
    }
    return outcomes;
  }

  private static Reply copyOf(Reply reply) {
    return new Reply(
        reply.headers(),
        reply.exchange(),
        reply.routingKey(),
        reply.messageId(),
        reply.correlationId(),
        reply.timestamp(),
        reply.body().deepCopy(),
        reply.origin());
  }

  private static String describe(String parameters, Reply reply) {
    return String.format(
        "\"%s\", reply %s from %s (command_id %s, snapshot %s, body %s)",
        parameters,
        reply.header(Reply.MESSAGE_CODE),
        reply.headers().containsKey(Reply.SENDER) ? reply.sender() : "no sender",
        reply.commandId(),
        reply.snapshot(),
        reply.body());
  }
}
