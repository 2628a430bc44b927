package dev.cluws.testkit.e2e;

import dev.cluws.amqp.AmqpSettings;
import dev.cluws.core.Gateway;
import dev.cluws.core.GatewaySettings;
import dev.cluws.core.PluginConfiguration;
import dev.cluws.core.ProviderCatalog;
import dev.cluws.core.spi.ReplyFilterProvider;
import dev.cluws.jetty.SecuritySettings;
import dev.cluws.jetty.ServerSettings;
import dev.cluws.jetty.WebsocketServer;
import dev.cluws.jetty.auth.StaticTokenAuthenticator;
import dev.cluws.testkit.CluTestActor;
import dev.cluws.testkit.ReplyObserver;
import dev.cluws.testkit.TestBroker;
import dev.cluws.testkit.WsClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real clu-ws gateway for one test: the core {@link Gateway} with the AMQP message source and
 * command sink and the Jetty websocket server, on 127.0.0.1 with a free port, a unique gateway name
 * and a unique exchange, against the broker on 127.0.0.1:5672 (RabbitMQ, or the embedded broker
 * where none listens: {@link TestBrokers}). Filter plugins are those on the class path ({@link
 * java.util.ServiceLoader}), or those given to {@link Builder#filters}. It makes {@linkplain
 * #client(String) websocket clients} and {@linkplain #actor() CLU actors} on its exchange and
 * closes them with itself; closing it stops the gateway and deletes what it declared on the broker
 * (the replies queue, the exchange).
 *
 * <p>A plugin's end-to-end test, with JUnit 5:
 *
 * <pre>{@code
 * class MyFilterIT {
 *   private final GatewayFixture gateway = GatewayFixture.start();
 *
 *   @AfterEach
 *   void stop() {
 *     gateway.close();
 *   }
 *
 *   @Test
 *   void aClientWithMyFilterSeesOnlyWhatItAsked() {
 *     CluTestActor actor = gateway.actor();
 *     WsClient client = gateway.client("/?my_filter=open");
 *     gateway.awaitClients(1);
 *
 *     actor.broadcast(Map.of("dome", "open"));
 *
 *     assertThat(client.awaitFrame(f -> f.at("/body/dome").asText().equals("open"))).isNotNull();
 *   }
 * }
 * }</pre>
 *
 * Or {@code try (GatewayFixture gateway = GatewayFixture.builder()...start()) {...}}.
 */
public final class GatewayFixture implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GatewayFixture.class);

  private final AmqpSettings amqp;
  private final String name;
  private final WebsocketServer server;
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final @Nullable Path tokenFile;

  private GatewayFixture(Builder builder) {
    TestBrokers.ensureAvailable();
    this.amqp = builder.amqp.apply(amqpSettings());
    this.name = TestBroker.uniqueName("gw");
    this.tokenFile = builder.tokens.isEmpty() ? null : writeTokens(builder.tokens);
    SecuritySettings security = builder.security;
    if (tokenFile != null) {
      security = security.withAuthenticator(StaticTokenAuthenticator.load(tokenFile));
    }
    GatewaySettings settings =
        builder.gatewaySettings.apply(GatewaySettings.named(name).toBuilder()).build();
    Gateway.Builder gateway = Gateway.builder().gatewaySettings(settings).settings(amqp);
    if (!builder.filterSettings.isEmpty()) {
      PluginConfiguration.Builder configuration = PluginConfiguration.builder();
      for (String[] setting : builder.filterSettings) {
        configuration.set(
            PluginConfiguration.Kind.FILTER,
            setting[0],
            setting[1],
            setting[2],
            "--filter." + setting[0] + "." + setting[1]);
      }
      gateway.pluginConfiguration(configuration.build());
    }
    if (builder.filters != null) {
      gateway.filterProviders(
          ProviderCatalog.of(
              ReplyFilterProvider.class, ReplyFilterProvider::name, builder.filters));
    }
    WebsocketServer started;
    try {
      started =
          new WebsocketServer(builder.gateway.apply(gateway).build(), builder.server, security);
      started.start();
    } catch (RuntimeException e) {
      deleteTokens();
      throw e;
    }
    this.server = started;
  }

  /** A gateway with the defaults: every filter on the class path, no authentication. */
  public static GatewayFixture start() {
    return builder().start();
  }

  /** Starts describing a gateway; {@link Builder#start()} starts it. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Settings for the test broker with a fresh exchange (for a test that builds a gateway of its
   * own, or a second one on another exchange); a replies queue left behind expires after {@link
   * TestBroker#REPLIES_QUEUE_EXPIRY}.
   */
  public static AmqpSettings amqpSettings() {
    TestBrokers.ensureAvailable();
    return AmqpSettings.defaults()
        .withHost(TestBroker.HOST)
        .withPort(TestBroker.PORT)
        .withExchange(TestBroker.uniqueName("test-ex"))
        .withRepliesQueueExpiry(TestBroker.REPLIES_QUEUE_EXPIRY);
  }

  /** How the gateway is made; every option has a default. */
  public static final class Builder {
    private UnaryOperator<GatewaySettings.Builder> gatewaySettings = b -> b;
    private UnaryOperator<Gateway.Builder> gateway = b -> b;
    private UnaryOperator<AmqpSettings> amqp = a -> a;
    private ServerSettings server = ServerSettings.defaults().withHost("127.0.0.1").withPort(0);
    private SecuritySettings security = SecuritySettings.none();
    private @Nullable List<ReplyFilterProvider> filters;
    private final List<String> tokens = new ArrayList<>();
    private final List<String[]> filterSettings = new ArrayList<>();

    private Builder() {}

    /**
     * Adjusts the gateway's settings (its limits, say); its name stays the fixture's unique one.
     */
    public Builder gatewaySettings(UnaryOperator<GatewaySettings.Builder> adjust) {
      gatewaySettings = Objects.requireNonNull(adjust, "adjust");
      return this;
    }

    /** Adjusts how the gateway is built (its access policy, say), last. */
    public Builder gateway(UnaryOperator<Gateway.Builder> adjust) {
      gateway = Objects.requireNonNull(adjust, "adjust");
      return this;
    }

    /** Adjusts the AMQP settings (the exchange stays the fixture's unique one unless changed). */
    public Builder amqp(UnaryOperator<AmqpSettings> adjust) {
      amqp = Objects.requireNonNull(adjust, "adjust");
      return this;
    }

    /** The websocket server's settings (default: 127.0.0.1, a free port). */
    public Builder server(ServerSettings settings) {
      server = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Authentication, origins, TLS (default: none). */
    public Builder security(SecuritySettings settings) {
      security = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /**
     * The filter providers, instead of those found on the class path (a provider of a test's own,
     * say).
     */
    public Builder filters(ReplyFilterProvider... providers) {
      filters = List.of(providers);
      return this;
    }

    /**
     * A setting the operator gives a filter provider, as {@code --filter.<provider>.<key>=<value>}
     * would: checked against the provider's declared settings when the gateway starts (an unknown
     * key or a bad value fails {@link #start()}), and handed to the provider's {@code create} in
     * {@code context.pluginSettings()}.
     */
    public Builder filterSetting(String provider, String key, String value) {
      filterSettings.add(new String[] {provider, key, value});
      return this;
    }

    /**
     * A bearer token the gateway accepts, for a client of this subject and these roles ({@link
     * WsClient.Connector#bearerToken}); with any token, a client without one is refused. Roles
     * matter under an access policy ({@link #gateway}).
     */
    public Builder token(String token, String subject, String... roles) {
      if (token.isBlank() || token.contains(" ") || subject.isBlank() || subject.contains(" ")) {
        throw new IllegalArgumentException("a token and a subject are single words");
      }
      String line = "sha256:" + StaticTokenAuthenticator.sha256(token) + " " + subject;
      tokens.add(roles.length == 0 ? line : line + " " + String.join(",", Arrays.asList(roles)));
      return this;
    }

    /**
     * Starts the gateway (and the embedded broker, if no broker listens on 127.0.0.1:5672).
     *
     * @throws RuntimeException when the gateway cannot start; nothing is left running
     */
    public GatewayFixture start() {
      return new GatewayFixture(this);
    }
  }

  /** The gateway's unique name (its replies queue is {@code <name>_replies}). */
  public String name() {
    return name;
  }

  /** The AMQP settings the gateway uses; {@link AmqpSettings#exchange()} is unique to it. */
  public AmqpSettings amqp() {
    return amqp;
  }

  /** The gateway's exchange. */
  public String exchange() {
    return amqp.exchange();
  }

  /** The websocket server. */
  public WebsocketServer server() {
    return server;
  }

  /** The gateway. */
  public Gateway gateway() {
    return server.gateway();
  }

  /** The websocket server's port. */
  public int port() {
    return server.port();
  }

  /** {@code ws://127.0.0.1:<port>/} (or {@code wss://} with TLS). */
  public URI uri() {
    return server.uri();
  }

  /** The server's URI with this path and query, e.g. {@code "/?seq=true"}. */
  public URI uri(String pathAndQuery) {
    return server.uri().resolve(pathAndQuery);
  }

  /** A CLU actor with a unique name on this gateway's exchange, closed with the fixture. */
  public CluTestActor actor() {
    return actor(TestBroker.uniqueName("actor"));
  }

  /** A CLU actor called {@code actorName} on this gateway's exchange, closed with the fixture. */
  public CluTestActor actor(String actorName) {
    return keep(CluTestActor.start(exchange(), actorName));
  }

  /** An AMQP listener on this gateway's exchange, closed with the fixture. */
  public ReplyObserver observer(String bindingKey) {
    return keep(ReplyObserver.start(exchange(), bindingKey));
  }

  /** A websocket client connected to {@code /}, closed with the fixture. */
  public WsClient client() {
    return client(uri());
  }

  /** A websocket client connected to this path and query, closed with the fixture. */
  public WsClient client(String pathAndQuery) {
    return client(uri(pathAndQuery));
  }

  /** A websocket client connected to {@code uri}, closed with the fixture. */
  public WsClient client(URI uri) {
    return keep(WsClient.connect(uri));
  }

  /**
   * Describes a client of this gateway (headers, token, subprotocols); the client it connects is
   * not closed with the fixture: close it yourself.
   */
  public WsClient.Connector connector(String pathAndQuery) {
    return WsClient.to(uri(pathAndQuery));
  }

  /** Closes {@code resource} with the fixture, before the gateway. */
  public <T extends AutoCloseable> T keep(T resource) {
    synchronized (resources) {
      resources.add(resource);
    }
    return resource;
  }

  /**
   * Waits, at most {@link WsClient#WAIT}, until exactly {@code count} clients are connected: a
   * client is registered (and gets broadcasts) only once the gateway has handled its upgrade.
   */
  public void awaitClients(int count) {
    long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
    while (gateway().clientCount() != count) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(
            "expected " + count + " clients, the gateway has " + gateway().clientCount());
      }
      sleep(Duration.ofMillis(10));
    }
  }

  /**
   * Closes the clients and actors it made, stops the gateway, and deletes its replies queue and its
   * exchange from the broker.
   */
  @Override
  public void close() {
    List<AutoCloseable> toClose;
    synchronized (resources) {
      toClose = new ArrayList<>(resources);
      resources.clear();
    }
    for (AutoCloseable resource : toClose) {
      try {
        resource.close();
      } catch (Exception e) {
        log.debug("closing {} failed: {}", resource, e.toString());
      }
    }
    server.close();
    deleteTokens();
    try {
      TestBroker.deleteQueue(name + "_replies");
      TestBroker.deleteExchange(exchange());
    } catch (RuntimeException e) {
      log.warn(
          "could not delete the gateway's queue and exchange from the broker: {}", e.toString());
    }
  }

  private static Path writeTokens(List<String> lines) {
    try {
      Path file = Files.createTempFile("clu-ws-test-tokens-", ".txt");
      Files.write(file, lines, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test tokens", e);
    }
  }

  private void deleteTokens() {
    if (tokenFile != null) {
      try {
        Files.deleteIfExists(tokenFile);
      } catch (IOException e) {
        log.debug("cannot delete {}: {}", tokenFile, e.toString());
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "gateway " + name + " on " + server.uri() + ", exchange " + exchange();
  }
}
