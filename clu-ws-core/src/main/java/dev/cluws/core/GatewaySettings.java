package dev.cluws.core;

import dev.cluws.core.client.ClientConnection;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The gateway's own settings. Build with {@link #builder()} (or {@link #defaults()} / {@link
 * #named(String)} and the {@code with…} methods).
 *
 * @param name the gateway's name: its replies queue is {@code <name>_replies} and it is the {@code
 *     sender} of every frame the gateway itself originates. Two gateways on one broker need
 *     different names; {@link #defaults()} makes a unique one.
 * @param sourceProvider the {@code MessageSourceProvider} to use, or {@code null} for the only one
 *     on the class path
 * @param sinkProvider the {@code CommandSinkProvider} to use, or {@code null} for the only one
 * @param outboxMaxFrames how many frames one client's outbox holds before it sheds
 * @param outboxMaxBytes how many bytes one client's outbox holds before it sheds
 * @param slowClientTimeout how long a client's outbox may stay full before the client is closed
 *     with {@link ClientConnection#TOO_SLOW} ({@code 1008})
 * @param replayFrames how many recent replies the gateway keeps for clients that reconnect with
 *     {@code since=} (0 turns replay off)
 * @param replayBytes how many bytes of encoded frames the replay ring holds at most
 * @param commandsPerSecond each client's sustained command rate (token bucket)
 * @param commandBurst how many commands a client may send at once before the rate applies
 * @param maxConnections how many websocket clients the gateway serves at once
 * @param trackedCommands how many unfinished commands of one client the gateway remembers (to
 *     protect their final replies from shedding); the oldest is forgotten beyond that
 * @param commandExpiry how long an unfinished command is remembered
 * @param stateActors how many actors' current state (the latest value of each keyword) the gateway
 *     keeps for snapshots; the actor updated least recently is evicted beyond that (0 turns the
 *     state, and so snapshots, off)
 * @param stateKeywords how many keywords of one actor the gateway keeps; the keyword first seen is
 *     evicted beyond that
 * @param stateBytes how many bytes (estimated) of keyword values the gateway keeps in all; the
 *     actors updated least recently are evicted beyond that
 */
public record GatewaySettings(
    String name,
    String sourceProvider,
    String sinkProvider,
    int outboxMaxFrames,
    long outboxMaxBytes,
    Duration slowClientTimeout,
    int replayFrames,
    long replayBytes,
    double commandsPerSecond,
    int commandBurst,
    int maxConnections,
    int trackedCommands,
    Duration commandExpiry,
    int stateActors,
    int stateKeywords,
    long stateBytes) {

  public static final int DEFAULT_OUTBOX_FRAMES = 4096;
  public static final long DEFAULT_OUTBOX_BYTES = 4L * 1024 * 1024;
  public static final Duration DEFAULT_SLOW_CLIENT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_REPLAY_FRAMES = 10_000;
  public static final long DEFAULT_REPLAY_BYTES = 16L * 1024 * 1024;
  public static final double DEFAULT_COMMANDS_PER_SECOND = 50;
  public static final int DEFAULT_COMMAND_BURST = 100;
  public static final int DEFAULT_MAX_CONNECTIONS = 16_384;
  public static final int DEFAULT_TRACKED_COMMANDS = 1000;
  public static final Duration DEFAULT_COMMAND_EXPIRY = Duration.ofMinutes(10);
  public static final int DEFAULT_STATE_ACTORS = 1000;
  public static final int DEFAULT_STATE_KEYWORDS = 1000;
  public static final long DEFAULT_STATE_BYTES = 16L * 1024 * 1024;

  public GatewaySettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(slowClientTimeout, "slowClientTimeout");
    Objects.requireNonNull(commandExpiry, "commandExpiry");
    if (name.isBlank()) {
      throw new IllegalArgumentException("the gateway name must not be blank");
    }
    if (outboxMaxFrames < 1 || outboxMaxBytes < 1) {
      throw new IllegalArgumentException("outbox bounds must be positive");
    }
    if (slowClientTimeout.isNegative() || slowClientTimeout.isZero()) {
      throw new IllegalArgumentException("slowClientTimeout must be positive");
    }
    if (replayFrames < 0 || replayBytes < 0) {
      throw new IllegalArgumentException("replay bounds must not be negative");
    }
    if (!(commandsPerSecond > 0) || commandBurst < 1) {
      throw new IllegalArgumentException("the command rate and burst must be positive");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive");
    }
    if (trackedCommands < 1 || commandExpiry.isNegative() || commandExpiry.isZero()) {
      throw new IllegalArgumentException("command tracking bounds must be positive");
    }
    if (stateActors < 0 || stateKeywords < 1 || stateBytes < 1) {
      throw new IllegalArgumentException(
          "state bounds: actors must not be negative, keywords and bytes must be positive");
    }
  }

  /** The given name and providers and outbox bounds, defaults everywhere else. */
  public GatewaySettings(
      String name, String sourceProvider, String sinkProvider, int maxFrames, long maxBytes) {
    this(
        name,
        sourceProvider,
        sinkProvider,
        maxFrames,
        maxBytes,
        DEFAULT_SLOW_CLIENT_TIMEOUT,
        DEFAULT_REPLAY_FRAMES,
        DEFAULT_REPLAY_BYTES,
        DEFAULT_COMMANDS_PER_SECOND,
        DEFAULT_COMMAND_BURST,
        DEFAULT_MAX_CONNECTIONS,
        DEFAULT_TRACKED_COMMANDS,
        DEFAULT_COMMAND_EXPIRY,
        DEFAULT_STATE_ACTORS,
        DEFAULT_STATE_KEYWORDS,
        DEFAULT_STATE_BYTES);
  }

  /** A unique name, defaults everywhere else. */
  public static GatewaySettings defaults() {
    return named(uniqueName());
  }

  /** The given name, defaults everywhere else. */
  public static GatewaySettings named(String name) {
    return new GatewaySettings(name, null, null, DEFAULT_OUTBOX_FRAMES, DEFAULT_OUTBOX_BYTES);
  }

  /** A builder with a unique name and the defaults. */
  public static Builder builder() {
    return defaults().toBuilder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public GatewaySettings withName(String newName) {
    return toBuilder().name(newName).build();
  }

  public GatewaySettings withOutbox(int maxFrames, long maxBytes) {
    return toBuilder().outbox(maxFrames, maxBytes).build();
  }

  public GatewaySettings withProviders(String source, String sink) {
    return toBuilder().providers(source, sink).build();
  }

  /** {@code clu-ws-<12 hex digits>}, unique per call (like CLU's {@code amqp-client-<hex>}). */
  public static String uniqueName() {
    String hex = UUID.randomUUID().toString().replace("-", "");
    return "clu-ws-" + hex.substring(hex.length() - 12).toLowerCase(Locale.ROOT);
  }

  /** Builds {@link GatewaySettings}; every value starts from the settings it was created from. */
  public static final class Builder {
    private String name;
    private String sourceProvider;
    private String sinkProvider;
    private int outboxMaxFrames;
    private long outboxMaxBytes;
    private Duration slowClientTimeout;
    private int replayFrames;
    private long replayBytes;
    private double commandsPerSecond;
    private int commandBurst;
    private int maxConnections;
    private int trackedCommands;
    private Duration commandExpiry;
    private int stateActors;
    private int stateKeywords;
    private long stateBytes;

    private Builder(GatewaySettings s) {
      name = s.name;
      sourceProvider = s.sourceProvider;
      sinkProvider = s.sinkProvider;
      outboxMaxFrames = s.outboxMaxFrames;
      outboxMaxBytes = s.outboxMaxBytes;
      slowClientTimeout = s.slowClientTimeout;
      replayFrames = s.replayFrames;
      replayBytes = s.replayBytes;
      commandsPerSecond = s.commandsPerSecond;
      commandBurst = s.commandBurst;
      maxConnections = s.maxConnections;
      trackedCommands = s.trackedCommands;
      commandExpiry = s.commandExpiry;
      stateActors = s.stateActors;
      stateKeywords = s.stateKeywords;
      stateBytes = s.stateBytes;
    }

    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder providers(String source, String sink) {
      sourceProvider = source;
      sinkProvider = sink;
      return this;
    }

    public Builder outbox(int maxFrames, long maxBytes) {
      outboxMaxFrames = maxFrames;
      outboxMaxBytes = maxBytes;
      return this;
    }

    public Builder slowClientTimeout(Duration value) {
      slowClientTimeout = value;
      return this;
    }

    public Builder replay(int frames, long bytes) {
      replayFrames = frames;
      replayBytes = bytes;
      return this;
    }

    public Builder commandRate(double perSecond, int burst) {
      commandsPerSecond = perSecond;
      commandBurst = burst;
      return this;
    }

    public Builder maxConnections(int value) {
      maxConnections = value;
      return this;
    }

    public Builder commandTracking(int maxPerClient, Duration expiry) {
      trackedCommands = maxPerClient;
      commandExpiry = expiry;
      return this;
    }

    /**
     * Bounds of the current state kept for snapshots ({@code actors} 0: no state, no snapshots).
     */
    public Builder state(int actors, int keywordsPerActor, long bytes) {
      stateActors = actors;
      stateKeywords = keywordsPerActor;
      stateBytes = bytes;
      return this;
    }

    public GatewaySettings build() {
      return new GatewaySettings(
          name,
          sourceProvider,
          sinkProvider,
          outboxMaxFrames,
          outboxMaxBytes,
          slowClientTimeout,
          replayFrames,
          replayBytes,
          commandsPerSecond,
          commandBurst,
          maxConnections,
          trackedCommands,
          commandExpiry,
          stateActors,
          stateKeywords,
          stateBytes);
    }
  }
}
